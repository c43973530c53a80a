package storage

import (
	"encoding/json"
	"fmt"

	"github.com/mpp-digital/antrean/queue"
)

// The domain types hide secrets and internal fields from the API with
// `json:"-"`; these records embed them and add those fields back under
// their own names, so that they are stored.

type ticketRec struct {
	*queue.Ticket
	Key             string `json:"key"`
	IssuedServiceID string `json:"issued_service_id"`
	Seq             int    `json:"seq"`
	Index           int    `json:"index"`
}

type counterRec struct {
	*queue.Counter
	CurrentID   string `json:"current_id"`
	FrontStreak int    `json:"front_streak"`
}

type userRec struct {
	*queue.User
	PasswordHash string `json:"password_hash"`
}

type deviceRec struct {
	*queue.Device
	TokenHash string `json:"token_hash"`
}

func ticketRecord(t *queue.Ticket) any {
	return ticketRec{t, t.Key, t.IssuedServiceID, t.Seq, t.Index}
}

func counterRecord(c *queue.Counter) any { return counterRec{c, c.CurrentID, c.FrontStreak} }
func userRecord(u *queue.User) any       { return userRec{u, u.PasswordHash} }
func deviceRecord(d *queue.Device) any   { return deviceRec{d, d.TokenHash} }

func decodeTicket(b []byte) (*queue.Ticket, error) {
	r := ticketRec{Ticket: new(queue.Ticket)}
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("storage: decode ticket: %w", err)
	}
	r.Ticket.Key, r.Ticket.IssuedServiceID, r.Ticket.Seq, r.Ticket.Index = r.Key, r.IssuedServiceID, r.Seq, r.Index
	return r.Ticket, nil
}

func decodeCounter(b []byte) (*queue.Counter, error) {
	r := counterRec{Counter: new(queue.Counter)}
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("storage: decode counter: %w", err)
	}
	r.Counter.CurrentID, r.Counter.FrontStreak = r.CurrentID, r.FrontStreak
	return r.Counter, nil
}

func decodeUser(b []byte) (*queue.User, error) {
	r := userRec{User: new(queue.User)}
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("storage: decode user: %w", err)
	}
	r.User.PasswordHash = r.PasswordHash
	return r.User, nil
}

func decodeDevice(b []byte) (*queue.Device, error) {
	r := deviceRec{Device: new(queue.Device)}
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("storage: decode device: %w", err)
	}
	r.Device.TokenHash = r.TokenHash
	return r.Device, nil
}

// decodePlain decodes a type whose JSON holds all its fields.
func decodePlain[T any](b []byte) (*T, error) {
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("storage: decode %T: %w", v, err)
	}
	return v, nil
}

// op is one encoded write of a Commit: val nil deletes. day names the
// nested bucket of tickets.
type op struct {
	bucket []byte
	day    string
	key    []byte
	val    []byte
}

// encodePut checks a Put and encodes it into an op.
func encodePut(p queue.Put) (op, error) {
	o := op{key: []byte(p.ID)}
	var err error
	switch p.Kind {
	case queue.KindSite:
		o.bucket, o.key = bktSite, keySite
		o.val, err = encode[queue.Site](p, nil)
	case queue.KindAgency:
		o.bucket = bktAgencies
		o.val, err = encode[queue.Agency](p, nil)
	case queue.KindService:
		o.bucket = bktServices
		o.val, err = encode[queue.Service](p, nil)
	case queue.KindCounter:
		o.bucket = bktCounters
		o.val, err = encode(p, counterRecord)
	case queue.KindUser:
		o.bucket = bktUsers
		o.val, err = encode(p, userRecord)
	case queue.KindDevice:
		o.bucket = bktDevices
		o.val, err = encode(p, deviceRecord)
	case queue.KindSession:
		o.bucket = bktSessions
		o.val, err = encode[queue.Session](p, nil)
	case queue.KindIdem:
		o.bucket = bktIdem
		o.val, err = encode[queue.IdemRecord](p, nil)
	case queue.KindTicket:
		day, index, ok := queue.ParseTicketID(p.ID)
		if !ok {
			return op{}, fmt.Errorf("storage: bad ticket ID %q", p.ID)
		}
		o.bucket, o.day, o.key = bktTickets, day, u64(uint64(index))
		o.val, err = encode(p, ticketRecord)
	default:
		return op{}, fmt.Errorf("storage: unknown record kind %q", p.Kind)
	}
	if err == nil && len(o.key) == 0 {
		err = fmt.Errorf("storage: %s without ID", p.Kind)
	}
	return o, err
}

// encode marshals p.Value, which must be a *T, through rec when given; nil
// (untyped or a nil *T) gives nil, a delete.
func encode[T any](p queue.Put, rec func(*T) any) ([]byte, error) {
	if p.Value == nil {
		return nil, nil
	}
	v, ok := p.Value.(*T)
	if !ok {
		return nil, fmt.Errorf("storage: %s %q: value is %T, want %T", p.Kind, p.ID, p.Value, v)
	}
	if v == nil {
		return nil, nil
	}
	var x any = v
	if rec != nil {
		x = rec(v)
	}
	b, err := json.Marshal(x)
	if err != nil {
		return nil, fmt.Errorf("storage: encode %s %q: %w", p.Kind, p.ID, err)
	}
	return b, nil
}
