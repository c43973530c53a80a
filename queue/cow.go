package queue

import (
	"hash/maphash"
	"maps"
)

// The engine's state is copy-on-write: a group of commands works on a
// shallow copy of the published state and clones only what it touches, so
// publishing the result is one pointer swap and discarding it (when a
// commit fails) is free. Large maps (tickets, sessions, idempotency records)
// are split into shards so a change clones one small shard, not the map.

const nShards = 64

var shardSeed = maphash.MakeSeed()

// shardMap is a string-keyed map split into shards. A value copy shares the
// shards; set clones a shard the first time a group writes to it.
type shardMap[V any] struct {
	shards [nShards]map[string]V
}

// shardOf picks k's shard. Ticket IDs ("20261126-42", see TicketID) go by
// runs of ticketRun consecutive indexes, so the new tickets of a group
// clone one or two shards, not nearly all of them; other keys are hashed.
func shardOf(k string) int {
	if n, ok := ticketIndex(k); ok {
		return n / ticketRun % nShards
	}
	return int(maphash.String(shardSeed, k) % nShards)
}

const ticketRun = 64

// ticketIndex returns the index of a key shaped like a ticket ID: eight
// digits, a dash, one to nine digits.
func ticketIndex(k string) (int, bool) {
	if len(k) < 10 || len(k) > 18 || k[8] != '-' {
		return 0, false
	}
	for i := range 8 {
		if k[i] < '0' || k[i] > '9' {
			return 0, false
		}
	}
	n := 0
	for _, c := range []byte(k[9:]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func (m *shardMap[V]) get(k string) (V, bool) {
	v, ok := m.shards[shardOf(k)][k]
	return v, ok
}

// set writes k; owned marks the shards this group already cloned.
func (m *shardMap[V]) set(k string, v V, owned *[nShards]bool) {
	m.shards[m.own(k, owned)][k] = v
}

func (m *shardMap[V]) del(k string, owned *[nShards]bool) {
	i := shardOf(k)
	if _, ok := m.shards[i][k]; !ok {
		return
	}
	m.own(k, owned)
	delete(m.shards[i], k)
}

func (m *shardMap[V]) own(k string, owned *[nShards]bool) int {
	i := shardOf(k)
	if !owned[i] {
		m.shards[i] = maps.Clone(m.shards[i])
		if m.shards[i] == nil {
			m.shards[i] = map[string]V{}
		}
		owned[i] = true
	}
	return i
}

// each calls f for every entry, in no order.
func (m *shardMap[V]) each(f func(k string, v V)) {
	for _, s := range m.shards {
		for k, v := range s {
			f(k, v)
		}
	}
}
