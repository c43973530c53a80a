package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/mpp-digital/antrean/internal/jsonenc"
	"github.com/mpp-digital/antrean/queue"
	bolt "go.etcd.io/bbolt"
)

// The domain types hide secrets and internal fields from the API with
// `json:"-"`; these records embed them and add those fields back under
// their own names, so that they are stored.

type ticketRec struct {
	*queue.Ticket
	Key             string        `json:"key"`
	IssuedServiceID string        `json:"issued_service_id"`
	Seq             int           `json:"seq"`
	Index           int           `json:"index"`
	QueueSeq        int           `json:"queue_seq"`
	Visits          []queue.Visit `json:"visits"`
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

// appendJSON appends json.Marshal(r) without reflection: the ticket's
// own JSON with the hidden fields after it (TestTicketRecordIsMarshal).
func (r ticketRec) appendJSON(b []byte) ([]byte, error) {
	if r.Ticket == nil {
		return json.Marshal(r) // only the hidden fields: never stored
	}
	b, err := r.Ticket.AppendJSON(b)
	if err != nil {
		return nil, err
	}
	b = append(b[:len(b)-1], `,"key":`...)
	b = jsonenc.String(b, r.Key)
	b = append(b, `,"issued_service_id":`...)
	b = jsonenc.String(b, r.IssuedServiceID)
	b = append(b, `,"seq":`...)
	b = jsonenc.Int(b, r.Seq)
	b = append(b, `,"index":`...)
	b = jsonenc.Int(b, r.Index)
	b = append(b, `,"queue_seq":`...)
	b = jsonenc.Int(b, r.QueueSeq)
	b = append(b, `,"visits":`...)
	if b, err = appendVisits(b, r.Visits); err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

// appendVisits appends json.Marshal(vs).
func appendVisits(b []byte, vs []queue.Visit) ([]byte, error) {
	if vs == nil {
		return append(b, "null"...), nil
	}
	var err error
	b = append(b, '[')
	for i := range vs {
		v := &vs[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"service_id":`...)
		b = jsonenc.String(b, v.ServiceID)
		b = append(b, `,"agency_id":`...)
		b = jsonenc.String(b, v.AgencyID)
		b = append(b, `,"queued_at":`...)
		b = jsonenc.Time(b, v.QueuedAt, &err)
		if v.CalledAt != nil {
			b = append(b, `,"called_at":`...)
			b = jsonenc.Time(b, *v.CalledAt, &err)
		}
		if v.LastCalledAt != nil {
			b = append(b, `,"last_called_at":`...)
			b = jsonenc.Time(b, *v.LastCalledAt, &err)
		}
		if v.CounterID != "" {
			b = append(b, `,"counter_id":`...)
			b = jsonenc.String(b, v.CounterID)
		}
		if v.OfficerID != "" {
			b = append(b, `,"officer_id":`...)
			b = jsonenc.String(b, v.OfficerID)
		}
		if v.EndedAt != nil {
			b = append(b, `,"ended_at":`...)
			b = jsonenc.Time(b, *v.EndedAt, &err)
		}
		if v.Outcome != "" {
			b = append(b, `,"outcome":`...)
			b = jsonenc.String(b, string(v.Outcome))
		}
		b = append(b, '}')
	}
	return append(b, ']'), err
}

func ticketRecord(t *queue.Ticket) any {
	return ticketRec{t, t.Key, t.IssuedServiceID, t.Seq, t.Index, t.QueueSeq, t.Visits}
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
	r.Ticket.QueueSeq, r.Ticket.Visits = r.QueueSeq, r.Visits
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
// nested bucket of tickets. fn, when set, is the write itself (records
// kept in more than one place: bookings); bucket and key then only name
// it in errors.
type op struct {
	bucket []byte
	day    string
	key    []byte
	val    []byte
	fn     func(tx *bolt.Tx) error
}

// encodePut checks a Put and encodes it into an op.
func encodePut(p queue.Put) (op, error) {
	if o, ok, err := encodeBookingPut(p); ok {
		return o, err
	}
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
	case queue.KindAudit:
		return encodeAudit(p)
	case queue.KindFeedback:
		day, index, ok := queue.ParseTicketID(p.ID)
		if !ok {
			return op{}, fmt.Errorf("storage: feedback of a bad ticket ID %q", p.ID)
		}
		o.bucket, o.day, o.key = bktFeedback, day, u64(uint64(index))
		o.val, err = encode[queue.Feedback](p, nil)
	case queue.KindRecentCalls:
		o.bucket, o.key = bktLive, keyRecentCalls
		o.val, err = encode[queue.RecentCalls](p, nil)
	case queue.KindServiceTimes:
		o.bucket, o.key = bktLive, append([]byte(prefixServiceTimes), p.ID...)
		o.val, err = encode[queue.ServiceTimes](p, nil)
	case queue.KindPublishCursor:
		o.bucket, o.key = bktLive, append([]byte(prefixPublishCursor), p.ID...)
		o.val, err = encode[queue.PublishCursor](p, nil)
	default:
		var ok bool
		if o, ok, err = encodeWebhookPut(p); !ok {
			return op{}, fmt.Errorf("storage: unknown record kind %q", p.Kind)
		}
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
	var (
		b   []byte
		err error
	)
	if r, ok := x.(ticketRec); ok {
		b, err = r.appendJSON(make([]byte, 0, 512))
	} else {
		b, err = json.Marshal(x)
	}
	if err != nil {
		return nil, fmt.Errorf("storage: encode %s %q: %w", p.Kind, p.ID, err)
	}
	return b, nil
}

// encodeEvent is json.Marshal(e), the same bytes and errors. An event the
// engine made carries that already (Event.Record; queue's
// TestEventRecordIsMarshal). Otherwise it makes it in one light pass over
// e.Data instead of json.Marshal's validating and compacting copy, when
// Data is already compact, HTML-escaped JSON, which asMarshaled checks;
// anything else goes to json.Marshal itself. TestEncodeEventIsMarshal and
// FuzzAsMarshaled hold the two together.
func encodeEvent(e queue.Event) ([]byte, error) {
	if recordFits(e) {
		return e.Record, nil // the engine's own json.Marshal(e), made once
	}
	at, err := e.At.MarshalJSON()
	if err != nil || e.Data != nil && !asMarshaled(e.Data) {
		return json.Marshal(e) // its error, or its compaction of other Data
	}
	out := make([]byte, 0, 48+len(e.Type)+len(at)+len(e.Data))
	out = append(out, `{"seq":`...)
	out = strconv.AppendUint(out, e.Seq, 10)
	out = append(out, `,"type":`...)
	if plainASCII(e.Type) {
		out = append(append(append(out, '"'), e.Type...), '"')
	} else {
		typ, err := json.Marshal(e.Type)
		if err != nil {
			return nil, err
		}
		out = append(out, typ...)
	}
	out = append(out, `,"at":`...)
	out = append(out, at...)
	out = append(out, `,"data":`...)
	if e.Data == nil {
		out = append(out, "null"...)
	} else {
		out = append(out, e.Data...)
	}
	return append(out, '}'), nil
}

// recordFits reports whether e carries a record that is e's own: it
// starts with e's seq and type and ends with e's data. (That it is the
// whole json.Marshal(e) is queue's TestEventRecordIsMarshal.)
func recordFits(e queue.Event) bool {
	r := e.Record
	if r == nil || !plainASCII(e.Type) {
		return false
	}
	var buf [96]byte
	head := strconv.AppendUint(append(buf[:0], `{"seq":`...), e.Seq, 10)
	head = append(append(append(head, `,"type":"`...), e.Type...), `","at":`...)
	const dataKey = `,"data":`
	tail := len(dataKey) + len(e.Data) + 1
	return len(r) >= len(head)+tail &&
		bytes.HasPrefix(r, head) &&
		string(r[len(r)-tail:len(r)-tail+len(dataKey)]) == dataKey &&
		bytes.Equal(r[len(r)-tail+len(dataKey):len(r)-1], e.Data) &&
		r[len(r)-1] == '}'
}

// plainASCII reports whether json.Marshal writes s between quotes as it
// stands: printable ASCII without ", \, <, > or &.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// asMarshaled reports whether b is one JSON value exactly as json.Marshal
// writes JSON: valid, no space outside strings, and no <, >, &, U+2028 or
// U+2029 in strings (json.Marshal escapes those). Then json.Marshal of a
// json.RawMessage holding b writes b unchanged. false means "not sure".
func asMarshaled(b []byte) bool {
	i, ok := scanValue(b, 0, 0)
	return ok && i == len(b)
}

// scanValue scans the value at b[i:] and returns the index after it.
func scanValue(b []byte, i, depth int) (int, bool) {
	if i >= len(b) || depth > 1000 {
		return i, false
	}
	switch c := b[i]; {
	case c == '{':
		i++
		if i < len(b) && b[i] == '}' {
			return i + 1, true
		}
		for {
			var ok bool
			if i, ok = scanString(b, i); !ok || i >= len(b) || b[i] != ':' {
				return i, false
			}
			if i, ok = scanValue(b, i+1, depth+1); !ok || i >= len(b) {
				return i, false
			}
			switch b[i] {
			case ',':
				i++
			case '}':
				return i + 1, true
			default:
				return i, false
			}
		}
	case c == '[':
		i++
		if i < len(b) && b[i] == ']' {
			return i + 1, true
		}
		for {
			var ok bool
			if i, ok = scanValue(b, i, depth+1); !ok || i >= len(b) {
				return i, false
			}
			switch b[i] {
			case ',':
				i++
			case ']':
				return i + 1, true
			default:
				return i, false
			}
		}
	case c == '"':
		return scanString(b, i)
	case c == 't':
		return scanLiteral(b, i, "true")
	case c == 'f':
		return scanLiteral(b, i, "false")
	case c == 'n':
		return scanLiteral(b, i, "null")
	case c == '-' || isDigit(c):
		return scanNumber(b, i)
	}
	return i, false
}

func scanString(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return i, false
	}
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1, true
		case c == '\\':
			i++
			if i >= len(b) {
				return i, false
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(b) {
					return i, false
				}
				for _, h := range b[i+1 : i+5] {
					if !isDigit(h) && (h|0x20 < 'a' || h|0x20 > 'f') {
						return i, false
					}
				}
				i += 4
			default:
				return i, false
			}
		case c < 0x20, c == '<', c == '>', c == '&':
			return i, false
		case c == 0xE2 && i+2 < len(b) && b[i+1] == 0x80 && (b[i+2] == 0xA8 || b[i+2] == 0xA9):
			return i, false // U+2028, U+2029
		}
	}
	return i, false
}

func scanLiteral(b []byte, i int, lit string) (int, bool) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return i, false
	}
	return i + len(lit), true
}

func scanNumber(b []byte, i int) (int, bool) {
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i++; i < len(b) && isDigit(b[i]); i++ {
		}
	default:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			return i, false
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return i, false
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	return i, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
