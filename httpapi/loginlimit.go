package httpapi

import (
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"time"
)

// Failed sign-ins are throttled, never locked out by a stranger (API.md,
// Conventions). Within any 15 minutes:
//
//   - one username from one client address (a pair) may fail 5 times;
//     then that pair answers 429 until the oldest of the 5 is 15 minutes
//     old. Other addresses are not affected: a stranger who guesses
//     cannot lock the officer out.
//   - one client address may fail 50 times, over any usernames; then
//     that address answers 429 likewise. The bar is high because many
//     officers may sit behind one router.
//   - a username that failed 5 times, from any addresses, is paced: an
//     attempt for it from an address that has itself failed for it within
//     the window waits its turn, one such attempt every loginPace (5 s)
//     for the username, else 429 with the seconds to wait. An address
//     that has not failed for the username is never paced, so the right
//     password from a clean address always goes through while a stranger
//     guesses from many addresses; each fresh address of the stranger's
//     gets one guess, then joins the queue.
//
// An attempt is counted as failed before its password is checked, and
// taken back when the password was right, so a burst that arrives at once
// cannot all pass while the first of it is being checked.
//
// Memory is bounded whatever the flood: each of the three tables keeps at
// most loginTableMax entries in the order of their last failure; entries
// whose failures are all older than the window drop off its front, and
// when a table is full, the entry that failed longest ago goes. An entry
// holds at most its limit of failure times (5 or 50). Filling a table
// within the window takes loginTableMax password checks (bcrypt), more
// than one machine does in 15 minutes.
const (
	loginWindow      = 15 * time.Minute
	maxFailsPerPair  = 5
	maxFailsPerAddr  = 50
	userPaceAfter    = 5
	loginPace        = 5 * time.Second
	loginTableMax    = 50000
	loginKeyMaxBytes = 64
)

// loginLimiter holds the failures of the window; time comes in with each
// call (the engine's clock), so tests set it.
type loginLimiter struct {
	mu    sync.Mutex
	pairs failTable // username key + "\x00" + address key
	addrs failTable // address key
	users failTable // username key; pace holds the next paced turn
}

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{
		pairs: newFailTable(loginTableMax, maxFailsPerPair),
		addrs: newFailTable(loginTableMax, maxFailsPerAddr),
		users: newFailTable(loginTableMax, userPaceAfter),
	}
}

// loginKey is the per-username key of a sign-in: the name as login looks
// it up (trimmed, lower case), hashed when longer than any username can be,
// so a failed sign-in keeps a few bytes whatever name it sent.
func loginKey(user string) string {
	user = strings.ToLower(strings.TrimSpace(user))
	if len(user) > loginKeyMaxBytes {
		sum := sha256.Sum256([]byte(user))
		return "#" + hex.EncodeToString(sum[:])
	}
	return user
}

// loginTry is one attempt let through, counted as failed until it is
// known.
type loginTry struct {
	user, addr, pair string
	at               int64
	// userCounted is false when the username's table was full of recent
	// failures: the attempt is added to it only once it has failed, so
	// that taking it back never loses an older one.
	userCounted bool
}

// begin decides whether an attempt of user from addr (an AddrKey) may
// have its password checked now: a zero wait and the attempt, which the
// caller ends with failed or succeeded; or how long to wait.
func (l *loginLimiter) begin(user, addr string, now time.Time) (*loginTry, time.Duration) {
	t := &loginTry{user: loginKey(user), addr: addr, at: now.UnixNano()}
	t.pair = t.user + "\x00" + addr
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pairs.expire(t.at)
	l.addrs.expire(t.at)
	l.users.expire(t.at)
	var wait int64
	a := l.addrs.recent(addr, t.at)
	if len(a) >= maxFailsPerAddr {
		wait = max(wait, a[len(a)-maxFailsPerAddr]+int64(loginWindow)-t.at)
	}
	p := l.pairs.recent(t.pair, t.at)
	if len(p) >= maxFailsPerPair {
		wait = max(wait, p[len(p)-maxFailsPerPair]+int64(loginWindow)-t.at)
	}
	u := l.users.get(t.user)
	paced := len(p) > 0 && u != nil && len(l.users.recent(t.user, t.at)) >= userPaceAfter
	if paced && u.pace > t.at {
		wait = max(wait, u.pace-t.at)
	}
	if wait > 0 {
		return nil, time.Duration(wait)
	}
	if paced {
		u.pace = t.at + int64(loginPace)
	}
	l.pairs.add(t.pair, t.at)
	l.addrs.add(addr, t.at)
	if len(l.users.recent(t.user, t.at)) < userPaceAfter {
		l.users.add(t.user, t.at)
		t.userCounted = true
	}
	return t, 0
}

// failed ends an attempt whose password was wrong.
func (l *loginLimiter) failed(t *loginTry) {
	if t.userCounted {
		return // counted everywhere already
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.users.add(t.user, t.at)
}

// succeeded ends an attempt whose password was right: the pair's earlier
// failures are forgiven (the officer proved the password), and this
// attempt is taken back from the address's and the username's counts.
// Failures of the username from elsewhere stay: they are someone else's.
func (l *loginLimiter) succeeded(t *loginTry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pairs.remove(t.pair)
	l.addrs.takeBack(t.addr, t.at)
	if t.userCounted {
		l.users.takeBack(t.user, t.at)
	}
}

// failTable is a bounded map from a key to its recent failure times,
// ordered by last failure.
type failTable struct {
	max, keep int
	m         map[string]*list.Element
	order     list.List // of *failEntry, the least recently failed first
}

type failEntry struct {
	key string
	// times are the failures (Unix nanoseconds), oldest first, at most
	// keep of them.
	times []int64
	// pace is the earliest time of the username's next paced attempt.
	pace int64
}

func newFailTable(max, keep int) failTable {
	return failTable{max: max, keep: keep, m: map[string]*list.Element{}}
}

// expire drops the entries whose last failure left the window.
func (t *failTable) expire(now int64) {
	for e := t.order.Front(); e != nil; e = t.order.Front() {
		fe := e.Value.(*failEntry)
		if len(fe.times) > 0 && now-fe.times[len(fe.times)-1] < int64(loginWindow) {
			return
		}
		t.order.Remove(e)
		delete(t.m, fe.key)
	}
}

func (t *failTable) get(key string) *failEntry {
	if e, ok := t.m[key]; ok {
		return e.Value.(*failEntry)
	}
	return nil
}

// recent drops the key's failures that left the window and returns the
// others, oldest first.
func (t *failTable) recent(key string, now int64) []int64 {
	fe := t.get(key)
	if fe == nil {
		return nil
	}
	i := 0
	for i < len(fe.times) && now-fe.times[i] >= int64(loginWindow) {
		i++
	}
	fe.times = fe.times[i:]
	return fe.times
}

// add records a failure of key at now, the newest of the table.
func (t *failTable) add(key string, now int64) {
	var fe *failEntry
	if e, ok := t.m[key]; ok {
		fe = e.Value.(*failEntry)
		t.order.MoveToBack(e)
	} else {
		if len(t.m) >= t.max {
			oldest := t.order.Front()
			t.order.Remove(oldest)
			delete(t.m, oldest.Value.(*failEntry).key)
		}
		fe = &failEntry{key: key}
		t.m[key] = t.order.PushBack(fe)
	}
	if len(fe.times) >= t.keep {
		// Keep the newest: a fresh array, so the dropped head goes too.
		fe.times = append(make([]int64, 0, t.keep), fe.times[len(fe.times)-t.keep+1:]...)
	}
	fe.times = append(fe.times, now)
}

// takeBack removes one failure of key at exactly at (an attempt counted
// ahead that turned out right).
func (t *failTable) takeBack(key string, at int64) {
	fe := t.get(key)
	if fe == nil {
		return
	}
	for i := len(fe.times) - 1; i >= 0; i-- {
		if fe.times[i] == at {
			fe.times = append(fe.times[:i], fe.times[i+1:]...)
			break
		}
	}
	if len(fe.times) == 0 {
		t.remove(key)
	}
}

func (t *failTable) remove(key string) {
	if e, ok := t.m[key]; ok {
		t.order.Remove(e)
		delete(t.m, key)
	}
}

// len is the number of entries (tests).
func (t *failTable) len() int { return len(t.m) }
