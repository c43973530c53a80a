package queue

import (
	j "github.com/mpp-digital/antrean/internal/jsonenc"
)

// The JSON of the objects on the issue path is written by hand: the same
// bytes as encoding/json (TestAppendJSONIsMarshal and FuzzAppendJSON hold
// them together), without reflection, for the ticket record, the ticket
// event and the answer, made on every issue and every call.

// AppendJSON appends json.Marshal(t); on an error (a time that
// json.Marshal refuses) the bytes are not to be used.
func (t *Ticket) AppendJSON(b []byte) ([]byte, error) {
	if t == nil {
		return append(b, "null"...), nil
	}
	var err error
	b = append(b, `{"id":`...)
	b = j.String(b, t.ID)
	b = append(b, `,"number":`...)
	b = j.String(b, t.Number)
	b = append(b, `,"service_id":`...)
	b = j.String(b, t.ServiceID)
	b = append(b, `,"agency_id":`...)
	b = j.String(b, t.AgencyID)
	b = append(b, `,"status":`...)
	b = j.String(b, string(t.Status))
	b = append(b, `,"priority":`...)
	b = j.Bool(b, t.Priority)
	b = append(b, `,"channel":`...)
	b = j.String(b, t.Channel)
	b = append(b, `,"day":`...)
	b = j.String(b, t.Day)
	b = append(b, `,"issued_at":`...)
	b = j.Time(b, t.IssuedAt, &err)
	b = append(b, `,"queued_at":`...)
	b = j.Time(b, t.QueuedAt, &err)
	b = append(b, `,"called_at":`...)
	b = j.TimePtr(b, t.CalledAt, &err)
	b = append(b, `,"serving_at":`...)
	b = j.TimePtr(b, t.ServingAt, &err)
	b = append(b, `,"done_at":`...)
	b = j.TimePtr(b, t.DoneAt, &err)
	b = append(b, `,"counter_id":`...)
	b = j.String(b, t.CounterID)
	b = append(b, `,"calls":`...)
	b = j.Int(b, t.Calls)
	return append(b, '}'), err
}

// AppendJSON appends json.Marshal(p), as Ticket.AppendJSON does.
func (p *PublicTicket) AppendJSON(b []byte) ([]byte, error) {
	if p == nil {
		return append(b, "null"...), nil
	}
	var err error
	b = append(b, `{"id":`...)
	b = j.String(b, p.ID)
	b = append(b, `,"number":`...)
	b = j.String(b, p.Number)
	b = append(b, `,"service_id":`...)
	b = j.String(b, p.ServiceID)
	b = append(b, `,"service_name":`...)
	b = j.String(b, p.ServiceName)
	b = append(b, `,"service_name_en":`...)
	b = j.String(b, p.ServiceNameEN)
	b = append(b, `,"agency_id":`...)
	b = j.String(b, p.AgencyID)
	b = append(b, `,"agency_name":`...)
	b = j.String(b, p.AgencyName)
	b = append(b, `,"agency_name_en":`...)
	b = j.String(b, p.AgencyNameEN)
	b = append(b, `,"status":`...)
	b = j.String(b, string(p.Status))
	b = append(b, `,"priority":`...)
	b = j.Bool(b, p.Priority)
	b = append(b, `,"channel":`...)
	b = j.String(b, p.Channel)
	b = append(b, `,"day":`...)
	b = j.String(b, p.Day)
	b = append(b, `,"position":`...)
	b = j.IntPtr(b, p.Position)
	b = append(b, `,"people_ahead":`...)
	b = j.IntPtr(b, p.PeopleAhead)
	b = append(b, `,"eta_min":`...)
	b = j.IntPtr(b, p.EtaMin)
	b = append(b, `,"counter_name":`...)
	b = j.String(b, p.CounterName)
	b = append(b, `,"counter_name_en":`...)
	b = j.String(b, p.CounterNameEN)
	b = append(b, `,"calls":`...)
	b = j.Int(b, p.Calls)
	b = append(b, `,"issued_at":`...)
	b = j.Time(b, p.IssuedAt, &err)
	b = append(b, `,"called_at":`...)
	b = j.TimePtr(b, p.CalledAt, &err)
	b = append(b, `,"serving_at":`...)
	b = j.TimePtr(b, p.ServingAt, &err)
	b = append(b, `,"done_at":`...)
	b = j.TimePtr(b, p.DoneAt, &err)
	if len(p.Requirements) > 0 {
		b = append(b, `,"requirements":`...)
		b = j.Strings(b, p.Requirements)
	}
	if len(p.RequirementsEN) > 0 {
		b = append(b, `,"requirements_en":`...)
		b = j.Strings(b, p.RequirementsEN)
	}
	if p.Fee != "" {
		b = append(b, `,"fee":`...)
		b = j.String(b, p.Fee)
	}
	if p.FeeEN != "" {
		b = append(b, `,"fee_en":`...)
		b = j.String(b, p.FeeEN)
	}
	return append(b, '}'), err
}

// AppendJSON appends json.Marshal(ev), as Ticket.AppendJSON does.
func (ev *TicketEvent) AppendJSON(b []byte) ([]byte, error) {
	if ev == nil {
		return append(b, "null"...), nil
	}
	b = append(b, `{"ticket":`...)
	b, err := ev.Ticket.AppendJSON(b)
	b = append(b, `,"counter":`...)
	b = ev.Counter.appendJSON(b)
	b = append(b, `,"service":`...)
	b = ev.Service.appendJSON(b)
	b = append(b, `,"agency":`...)
	b = ev.Agency.appendJSON(b)
	if ev.FromService != nil {
		b = append(b, `,"from_service":`...)
		b = ev.FromService.appendJSON(b)
	}
	if a := ev.Announcement; a != nil {
		b = append(b, `,"announcement":{"id":`...)
		b = j.String(b, a.ID)
		b = append(b, `,"en":`...)
		b = j.String(b, a.EN)
		b = append(b, `,"short_id":`...)
		b = j.String(b, a.ShortID)
		b = append(b, `,"short_en":`...)
		b = j.String(b, a.ShortEN)
		b = append(b, '}')
	}
	return append(b, '}'), err
}

func (r *Ref) appendJSON(b []byte) []byte {
	if r == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"id":`...)
	b = j.String(b, r.ID)
	b = append(b, `,"name":`...)
	b = j.String(b, r.Name)
	if r.NameEN != "" {
		b = append(b, `,"name_en":`...)
		b = j.String(b, r.NameEN)
	}
	return append(b, '}')
}

func (r *ServiceRef) appendJSON(b []byte) []byte {
	if r == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"id":`...)
	b = j.String(b, r.ID)
	b = append(b, `,"code":`...)
	b = j.String(b, r.Code)
	b = append(b, `,"name":`...)
	b = j.String(b, r.Name)
	b = append(b, `,"name_en":`...)
	b = j.String(b, r.NameEN)
	return append(b, '}')
}
