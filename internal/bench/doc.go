// Package bench holds Antrean's throughput benchmarks (bench_test.go): the
// engine's durable tickets/s against a one-bbolt-Update-per-ticket
// baseline, the disk's raw fsync rate, and the HTTP API against a trivial
// echo handler, all in one `go test -bench` run. BENCHMARKS.md at the
// repository root has the command and the results.
//
// The baseline drives bbolt directly, so this package's tests import
// bbolt; nothing outside internal/bench's test files does besides storage.
package bench
