package storage

import "errors"

// commitFault is nil except in binaries built with the faultinject tag
// (fault_inject.go), where the whole-binary tests use it to fail a
// commit the way a failed fsync does. For the nth commit of this process
// it says whether the commit fails, and whether it is written first: a
// commit whose meta page reached the disk although its fsync reported an
// error (bbolt #233), or one that wrote nothing.
var commitFault func(n int64) (fail, landed bool)

// errInjected is the error of an injected commit failure.
var errInjected = errors.New("fdatasync: input/output error (injected)")
