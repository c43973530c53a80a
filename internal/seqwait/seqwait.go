// Package seqwait holds the newest committed event seq for goroutines
// that work through the event log behind the engine (webhook deliveries,
// the NATS publisher): the engine's publisher hook sets it without ever
// blocking, and a worker that has caught up waits on a channel that is
// closed when the seq grows.
package seqwait

import "sync"

// Latest is the newest committed seq. The zero value is not ready: use New.
type Latest struct {
	mu  sync.Mutex
	seq uint64
	ch  chan struct{}
}

// New returns a Latest at 0.
func New() *Latest { return &Latest{ch: make(chan struct{})} }

// Set raises the seq to seq (a lower one changes nothing) and wakes the
// waiters.
func (l *Latest) Set(seq uint64) {
	l.mu.Lock()
	if seq > l.seq {
		l.seq = seq
		close(l.ch)
		l.ch = make(chan struct{})
	}
	l.mu.Unlock()
}

// Get returns the seq and a channel closed when it next grows.
func (l *Latest) Get() (uint64, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seq, l.ch
}

// Wait waits until the seq is at least seq or done is closed; false when
// done came first.
func (l *Latest) Wait(seq uint64, done <-chan struct{}) bool {
	for {
		cur, ch := l.Get()
		if cur >= seq {
			return true
		}
		select {
		case <-ch:
		case <-done:
			return false
		}
	}
}
