package queue

// Publishing to another system (the region's NATS JetStream, package
// natspub) reads the event log from a durable cursor, like webhooks. The
// cursor is state like any other and moves through the engine: a cursor
// written by the publisher in a bbolt transaction of its own would
// compete with the committer for bbolt's one writer and pay an fsync of
// its own on the committer's path, while through the engine it rides in
// the next group's commit. The publisher saves it at most about once a
// second (a restart publishes at most that much again, and the stream's
// deduplication drops it), so it costs the engine next to nothing.

// KindPublishCursor is the kind of a Put of a publish cursor
// (*PublishCursor, ID: its name).
const KindPublishCursor = "publish_cursor"

// PublishCursor is where a publisher stands in the event log: every
// event up to After is published.
type PublishCursor struct {
	Name  string `json:"name"`
	After uint64 `json:"after"`
}

// PublishCursor returns the seq a named publisher has published up to.
func (s *State) PublishCursor(name string) uint64 { return s.publishCursors[name] }

// AdvancePublishCursor moves a publisher's cursor to Seq. It emits no
// event (a publication must not make another) and never moves a cursor
// back.
type AdvancePublishCursor struct {
	Name string
	Seq  uint64
}

func (c AdvancePublishCursor) apply(tx *txn) (any, error) {
	st := tx.st
	if c.Name == "" {
		return nil, Invalid(map[string]string{"name": "required"})
	}
	if c.Seq > st.Seq {
		return nil, Invalid(map[string]string{"seq": "not yet committed"})
	}
	if c.Seq <= st.publishCursors[c.Name] {
		return c.Seq, nil
	}
	mutable(tx, "publishCursors", &st.publishCursors)[c.Name] = c.Seq
	tx.put(KindPublishCursor, c.Name, &PublishCursor{Name: c.Name, After: c.Seq})
	return c.Seq, nil
}
