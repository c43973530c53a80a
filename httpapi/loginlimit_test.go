package httpapi

import (
	"strconv"
	"testing"
	"time"
)

var limiterT0 = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// fail makes one failed attempt; it must have been let through.
func limiterFail(t *testing.T, l *loginLimiter, user, addr string, now time.Time) {
	t.Helper()
	try, wait := l.begin(user, addr, now)
	if wait > 0 {
		t.Fatalf("%s from %s at %v: wait %v, want a try", user, addr, now.Sub(limiterT0), wait)
	}
	l.failed(try)
}

// A flood of distinct usernames from distinct addresses keeps each table
// at its bound, and what a flood left drops out once the window passed.
func TestLoginLimiterMemoryBounded(t *testing.T) {
	l := newLoginLimiter()
	n := loginTableMax + loginTableMax/2
	for i := range n {
		limiterFail(t, l, "name"+strconv.Itoa(i), "10."+strconv.Itoa(i>>16)+"."+strconv.Itoa(i>>8&255)+"."+strconv.Itoa(i&255), limiterT0)
	}
	for name, tab := range map[string]*failTable{"pairs": &l.pairs, "addrs": &l.addrs, "users": &l.users} {
		if tab.len() > loginTableMax || tab.order.Len() != tab.len() {
			t.Errorf("%s: %d entries (list %d), want at most %d", name, tab.len(), tab.order.Len(), loginTableMax)
		}
	}
	// The newest are kept, the oldest went.
	if l.users.get("name"+strconv.Itoa(n-1)) == nil || l.users.get("name0") != nil {
		t.Error("a full table dropped other than its least recently failed entry")
	}
	// One address flooding names: its own entry holds at most 50 times,
	// and it stops at 50.
	for i := range maxFailsPerAddr {
		limiterFail(t, l, "other"+strconv.Itoa(i), "192.0.2.1", limiterT0)
	}
	if _, wait := l.begin("other-last", "192.0.2.1", limiterT0); wait != loginWindow {
		t.Fatalf("the 51st from one address: wait %v, want %v", wait, loginWindow)
	}
	if got := len(l.addrs.get("192.0.2.1").times); got != maxFailsPerAddr {
		t.Fatalf("the address keeps %d failure times", got)
	}
	// After the window, the next attempt finds the tables empty.
	limiterFail(t, l, "late", "192.0.2.2", limiterT0.Add(loginWindow))
	if l.pairs.len() != 1 || l.addrs.len() != 1 || l.users.len() != 1 {
		t.Fatalf("after the window: %d pairs, %d addresses, %d users, want 1 each", l.pairs.len(), l.addrs.len(), l.users.len())
	}
}

// The per-pair wait runs until the oldest of the last five failures is 15
// minutes old; a success forgives the pair and takes back its own count
// from the address and the name.
func TestLoginLimiterWaitsAndTakesBack(t *testing.T) {
	l := newLoginLimiter()
	at := func(d time.Duration) time.Time { return limiterT0.Add(d) }
	for i := range 5 {
		limiterFail(t, l, "off.a", "10.0.0.1", at(time.Duration(i)*time.Minute))
	}
	if _, wait := l.begin("off.a", "10.0.0.1", at(6*time.Minute)); wait != 9*time.Minute {
		t.Fatalf("wait %v, want 9m", wait)
	}
	// A clean address: no wait, and its right password takes its count
	// back from the name, leaving the five failures of 10.0.0.1.
	try, wait := l.begin("off.a", "10.0.0.2", at(6*time.Minute))
	if wait != 0 {
		t.Fatalf("a clean address waits %v", wait)
	}
	l.succeeded(try)
	if got := len(l.users.recent("off.a", try.at)); got != 5 {
		t.Fatalf("the name holds %d failures, want 5", got)
	}
	if l.addrs.get("10.0.0.2") != nil || l.pairs.get("off.a\x0010.0.0.2") != nil {
		t.Fatal("a right password left a count behind")
	}
	// The stranger's address, once its first failure aged out: it may
	// try (paced, as the name has five failures), and a success forgives it.
	try, wait = l.begin("off.a", "10.0.0.1", at(15*time.Minute))
	if wait != 0 {
		t.Fatalf("wait %v", wait)
	}
	l.succeeded(try)
	if l.pairs.get("off.a\x0010.0.0.1") != nil {
		t.Fatal("a success did not forgive the pair")
	}
	if got := len(l.addrs.recent("10.0.0.1", try.at)); got != 4 {
		t.Fatalf("the address holds %d failures, want its 4 in the window", got)
	}
}
