package queue

import (
	"strconv"
	"time"
)

// AuditEntry is one line of the audit log (API.md): a staff action, a
// setup change, a sign-in (or a failed one), a backup, a view of personal
// data. An entry of a change is written in the same commit as the change,
// so the log and the data never disagree; a refused request leaves none,
// and a replayed one (same Idempotency-Key) none again.
type AuditEntry struct {
	ID      string      `json:"id"`
	At      time.Time   `json:"at"`
	Actor   AuditActor  `json:"actor"`
	Address string      `json:"address"`
	Action  string      `json:"action"`
	Target  AuditTarget `json:"target"`
	Detail  string      `json:"detail"`
	// Seq numbers the entries in the order they were written; the ID is
	// its decimal form.
	Seq uint64 `json:"-"`
}

// AuditActor is who acted: a user, a device, or the system.
type AuditActor struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
	Name string `json:"name"`
}

// AuditTarget is what the action was on.
type AuditTarget struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

// A Targeted command names the object it changes, for the audit log; v
// is the command's result (a new ticket's ID is known only then).
type Targeted interface {
	AuditTarget(v any) (kind, id string)
}

// RecordAudit writes an audit entry that goes with no change: a failed
// sign-in, a backup, a view of personal data.
type RecordAudit struct{ Entry *AuditEntry }

func (c RecordAudit) apply(tx *txn) (any, error) {
	tx.putAudit(c.Entry, nil, nil)
	return nil, nil
}

// putAudit numbers and stores a copy of an entry at the group's time,
// naming the target of cmd (with its result v) when cmd is Targeted.
func (tx *txn) putAudit(e *AuditEntry, cmd Command, v any) {
	a := *e
	if t, ok := cmd.(Targeted); ok {
		a.Target.Kind, a.Target.ID = t.AuditTarget(v)
	}
	tx.st.auditSeq++
	a.Seq = tx.st.auditSeq
	a.ID = strconv.FormatUint(a.Seq, 10)
	a.At = tx.st.now
	tx.put(KindAudit, a.ID, &a)
}

// AuditFilter narrows a listing of the audit log, newest first.
type AuditFilter struct {
	From, To time.Time // At within [From, To); zero: open
	ActorID  string
	Action   string
	Before   uint64 // list entries with Seq below this (0: from the newest)
	After    uint64 // and above this (0: down to the oldest)
	Limit    int
}

// The audit targets of the setup and counter commands.

func (c PutSite) AuditTarget(any) (string, string)       { return "site", "" }
func (c PutAgency) AuditTarget(any) (string, string)     { return "agency", c.Agency.ID }
func (c DeleteAgency) AuditTarget(any) (string, string)  { return "agency", c.ID }
func (c PutService) AuditTarget(any) (string, string)    { return "service", c.Service.ID }
func (c DeleteService) AuditTarget(any) (string, string) { return "service", c.ID }
func (c PutCounter) AuditTarget(any) (string, string)    { return "counter", c.Counter.ID }
func (c DeleteCounter) AuditTarget(any) (string, string) { return "counter", c.ID }
func (c PutUser) AuditTarget(any) (string, string)       { return "user", c.User.ID }
func (c DeleteUser) AuditTarget(any) (string, string)    { return "user", c.ID }
func (c PutDevice) AuditTarget(any) (string, string)     { return "device", c.Device.ID }
func (c DeleteDevice) AuditTarget(any) (string, string)  { return "device", c.ID }
func (c CounterAction) AuditTarget(any) (string, string) { return "counter", c.CounterID }
func (c CancelTicket) AuditTarget(any) (string, string)  { return "ticket", c.TicketID }
func (c CreateSession) AuditTarget(any) (string, string) { return "user", c.Session.UserID }

// AuditTarget of an issue is the new ticket.
func (c IssueTicket) AuditTarget(v any) (string, string) {
	if is, ok := v.(*Issued); ok {
		return "ticket", is.Ticket.ID
	}
	return "ticket", ""
}
