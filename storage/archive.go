package storage

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/mpp-digital/antrean/queue"
	bolt "go.etcd.io/bbolt"
)

// The archive: old days' tickets, events, audit entries and survey
// responses leave the database for compressed monthly files beside it, so
// that antrean.db holds a window of recent days plus what is kept forever
// (configuration, the reports' per-day summaries, bookings). Survey
// responses leave only once the retention purge has taken their profiles
// and comments, so the archive holds nothing personal; the IKM report
// reads archived days' responses from the files (Feedback).
//
// Files: DATA/archive/YYYY-MM.KIND.jsonl.zst, KIND one of tickets,
// events, audit, feedback. Each is a series of Zstandard frames (RFC 8878:
// concatenated frames are one valid stream; `zstd -dc` and Go's
// zstd.Decoder read them as one), two per day archived, in the order
// archived:
//   - a skippable frame (magic 0x184D2A5A) whose content is a JSON object
//     naming the day, the kind, the format ("antrean-archive/1"), the
//     number of records and the size of the frame that follows:
//     {"format":"antrean-archive/1","kind":"events","day":"2026-05-04","records":13012,"size":419307}
//     Decoders skip it; it keeps each file self-describing, so that the
//     days can be told apart without the database (ExportArchive, while
//     a server holds the database's lock; a file found on its own);
//   - a zstd frame (with its content size and checksum) holding the day's
//     records, one JSON object per line, byte for byte as the database
//     held them: tickets in issue order, events and audit entries in seq
//     order. That is also what `antrean export` writes, for archived days
//     and live ones alike.
// The index's offset and size of a day's part cover both frames.
//
// Compression: the encoder's best level (zstd.SpeedBestCompression) with a
// window of 16 MiB, more than a busy day's events (about 10 MB at 3,000
// tickets), so a day's frame finds its matches in the whole day. On a
// simulated day of 3,000 tickets that is 14 % smaller than gzip -9 (the
// Go encoder has no equivalent of the zstd tool's levels 12 to 19, which
// would give about a third), at about a tenth of a second of CPU a day.
//
// Crash safety. A day is appended to its files, which are fsynced, and
// only then leaves the database, in one transaction that also records in
// the bucket archive where its records went (file, offset, size) and how
// long each file now is. That transaction is the commit point. A crash
// before it leaves the day in the database and, maybe, a tail of the file
// that no index names; the next run cuts every file back to its recorded
// length before it appends, so a day is never in a file twice. A file
// shorter than its recorded length (lost, or restored from an older copy)
// is refused: archiving stops and says so, and nothing is deleted.

// ArchiveDir is the archive's folder inside the data folder.
const ArchiveDir = "archive"

// The kinds of records archived, and exported.
const (
	KindTickets  = "tickets"
	KindEvents   = "events"
	KindAudit    = "audit"
	KindFeedback = "feedback"
)

// archiveFormat is the format named in every day's header frame.
const archiveFormat = "antrean-archive/1"

var (
	// bktArchive holds the archive's index: nested bucket "days" (day →
	// archiveDay JSON) and "files" (file name → its committed length, 8
	// bytes big-endian).
	bktArchive      = []byte("archive")
	bktArchiveDays  = []byte("days")
	bktArchiveFiles = []byte("files")
)

// migrateArchive is migration 7 → 8.
func migrateArchive(tx *bolt.Tx) error {
	b, err := tx.CreateBucketIfNotExists(bktArchive)
	if err != nil {
		return err
	}
	if _, err := b.CreateBucketIfNotExists(bktArchiveDays); err != nil {
		return err
	}
	_, err = b.CreateBucketIfNotExists(bktArchiveFiles)
	return err
}

// archiveDay is the index entry of an archived day: where its records
// went.
type archiveDay struct {
	Day        string        `json:"day"`
	ArchivedAt time.Time     `json:"archived_at"`
	Parts      []archivePart `json:"parts"`
}

// archivePart is one kind of a day's records in the archive: its two
// frames (skippable header and data) at Offset, Size bytes in all.
type archivePart struct {
	Kind    string `json:"kind"`
	File    string `json:"file"`
	Offset  int64  `json:"offset"`
	Size    int64  `json:"size"`
	Records int    `json:"records"`
}

// ArchiveExt is the archive files' extension.
const ArchiveExt = ".jsonl.zst"

// ArchiveFileName is the archive file of a kind of records of a day's
// month: "2026-09.tickets.jsonl.zst".
func ArchiveFileName(day, kind string) string { return day[:7] + "." + kind + ArchiveExt }

// ArchiveOptions tune Archive.
type ArchiveOptions struct {
	// Level is the zstd encoder level (zstd.SpeedBestCompression when 0:
	// the archive is written once and kept for years).
	Level zstd.EncoderLevel
	// AfterWrite, when set, is called for each day after its records are
	// written to the archive files and synced, before they leave the
	// database; an error stops the run there, as a crash would (tests).
	AfterWrite func(day string) error
}

// ArchiveResult says what a run of Archive did.
type ArchiveResult struct {
	// Days lists the days archived, oldest first.
	Days []string
	// Records counts the records archived by kind.
	Records map[string]int
	// Bytes is the compressed size written.
	Bytes int64
	// Waiting is the day that stopped the run because its report summary
	// is not stored yet ("" when none did): a day's tickets leave only
	// once the reports have what they need of them.
	Waiting string
}

// archiveFault, when set (faultinject builds), runs where AfterWrite
// does.
var archiveFault func(day string)

// Archive moves the tickets, events, audit entries and survey responses
// of every day before the day before (YYYY-MM-DD) from the database to
// the archive files, one day at a time, oldest first. A day that holds
// tickets waits until its report summary is stored; its survey responses
// go once the retention purge is past them (a later run when the
// retention is longer than the archive's window). It stops between days
// when ctx ends.
//
// Archive reads and deletes only days before `before`, which the caller
// keeps before the engine's day: those days are no engine state (the
// engine writes today's records only), so the engine need not take part.
// The delete of each day is a short write transaction of its own.
func (db *DB) Archive(ctx context.Context, before string, opts ArchiveOptions) (ArchiveResult, error) {
	res := ArchiveResult{Records: map[string]int{}}
	if _, err := time.Parse(queue.DateLayout, before); err != nil {
		return res, fmt.Errorf("storage: archive before %q: not a day", before)
	}
	for {
		if err := ctx.Err(); err != nil {
			return res, nil
		}
		day, err := db.nextArchiveDay(before)
		if err != nil || day == nil {
			return res, err
		}
		if day.waiting {
			res.Waiting = day.day
			return res, nil
		}
		n, err := db.archiveOne(day, opts)
		if err != nil {
			return res, fmt.Errorf("storage: archive %s: %w", day.day, err)
		}
		res.Days = append(res.Days, day.day)
		for _, p := range day.parts {
			res.Records[p.kind] += len(p.recs)
		}
		res.Bytes += n
	}
}

// dayRecords is what one day holds of each archived kind, copied out of
// a read transaction.
type dayRecords struct {
	day     string
	waiting bool // its tickets wait for their report summary
	parts   []kindRecords
}

type kindRecords struct {
	kind string
	keys [][]byte
	recs [][]byte
}

// nextArchiveDay finds the oldest day before `before` that holds tickets,
// events or audit entries, and copies its records; nil when none.
func (db *DB) nextArchiveDay(before string) (*dayRecords, error) {
	var out *dayRecords
	err := db.bolt.View(func(tx *bolt.Tx) error {
		// Never the engine's day or later, whatever the caller asks.
		meta := tx.Bucket(bktMeta)
		if engineDay := string(meta.Get(keyDay)); engineDay != "" && engineDay < before {
			before = engineDay
		}
		// Survey responses only once the retention purge has taken their
		// profiles and comments: the archive holds nothing personal.
		fbBefore := min(before, string(meta.Get(keyFeedbackPurged)))
		day := ""
		consider := func(d, limit string) {
			if d != "" && d < limit && (day == "" || d < day) {
				day = d
			}
		}
		for _, name := range [][]byte{bktTickets, bktEvents} {
			k, _ := tx.Bucket(name).Cursor().First()
			consider(string(k), before)
		}
		if k, _ := tx.Bucket(bktFeedback).Cursor().First(); k != nil {
			consider(string(k), fbBefore)
		}
		audit := tx.Bucket(bktAudit).Cursor()
		if k, v := audit.First(); k != nil {
			d, err := auditDay(v)
			if err != nil {
				return fmt.Errorf("%w (audit entry %d)", err, getU64(k))
			}
			consider(d, before)
		}
		if day == "" {
			return nil
		}
		out = &dayRecords{day: day}
		tickets := tx.Bucket(bktTickets).Bucket([]byte(day))
		if tickets != nil && tx.Bucket(bktReports).Get([]byte(day)) == nil {
			if k, _ := tickets.Cursor().First(); k != nil {
				out.waiting = true
				return nil
			}
		}
		kinds := []struct {
			name string
			root []byte
		}{{KindTickets, bktTickets}, {KindEvents, bktEvents}}
		if day < fbBefore {
			kinds = append(kinds, struct {
				name string
				root []byte
			}{KindFeedback, bktFeedback})
		}
		for _, kind := range kinds {
			b := tx.Bucket(kind.root).Bucket([]byte(day))
			if b == nil {
				continue
			}
			kr := kindRecords{kind: kind.name}
			c := b.Cursor()
			for k, v := c.First(); k != nil; k, v = c.Next() {
				if v == nil {
					continue // no nested buckets here; skip rather than lose
				}
				kr.keys, kr.recs = append(kr.keys, bytes.Clone(k)), append(kr.recs, bytes.Clone(v))
			}
			out.parts = append(out.parts, kr)
		}
		kr := kindRecords{kind: KindAudit}
		for k, v := audit.First(); k != nil; k, v = audit.Next() {
			d, err := auditDay(v)
			if err != nil {
				return fmt.Errorf("%w (audit entry %d)", err, getU64(k))
			}
			if d > day {
				break // seq order is time order
			}
			kr.keys, kr.recs = append(kr.keys, bytes.Clone(k)), append(kr.recs, bytes.Clone(v))
		}
		if len(kr.keys) > 0 {
			out.parts = append(out.parts, kr)
		}
		return nil
	})
	return out, err
}

// auditDay is the business day of a stored audit entry: the date of its
// time in the offset it was stored with, the site's.
func auditDay(v []byte) (string, error) {
	var e struct {
		At time.Time `json:"at"`
	}
	if err := json.Unmarshal(v, &e); err != nil {
		return "", fmt.Errorf("storage: decode audit entry: %w", err)
	}
	return e.At.Format(queue.DateLayout), nil
}

// archiveOne appends a day's records to the archive files, syncs them,
// then deletes the day from the database and indexes it, in one
// transaction. It answers the compressed bytes written.
func (db *DB) archiveOne(d *dayRecords, opts ArchiveOptions) (int64, error) {
	dir := filepath.Join(filepath.Dir(db.path), ArchiveDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, err
	}
	committed, err := db.fileLengths()
	if err != nil {
		return 0, err
	}
	entry := archiveDay{Day: d.day, ArchivedAt: time.Now().UTC().Truncate(time.Second)}
	lengths := map[string]int64{}
	var written int64
	for _, kr := range d.parts {
		if len(kr.recs) == 0 {
			continue
		}
		name := ArchiveFileName(d.day, kr.kind)
		off, size, err := appendMember(dir, name, committed[name], d.day, kr.kind, kr.recs, opts.Level)
		if err != nil {
			return 0, err
		}
		entry.Parts = append(entry.Parts, archivePart{Kind: kr.kind, File: name, Offset: off, Size: size, Records: len(kr.recs)})
		lengths[name] = off + size
		written += size
	}
	if opts.AfterWrite != nil {
		if err := opts.AfterWrite(d.day); err != nil {
			return 0, err
		}
	}
	if archiveFault != nil {
		archiveFault(d.day)
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		idx := tx.Bucket(bktArchive)
		files, days := idx.Bucket(bktArchiveFiles), idx.Bucket(bktArchiveDays)
		for name, n := range lengths {
			if getU64(files.Get([]byte(name))) != uint64(committed[name]) {
				return fmt.Errorf("archive file %s changed under this run (another archiver?)", name)
			}
			if err := files.Put([]byte(name), u64(uint64(n))); err != nil {
				return err
			}
		}
		for _, kr := range d.parts {
			if err := deleteArchived(tx, d.day, kr); err != nil {
				return err
			}
		}
		if old := days.Get([]byte(d.day)); old != nil {
			// The day was archived before and got records since (it
			// cannot, as days before the engine's are not written; but if
			// it did, both parts stay findable).
			var prev archiveDay
			if err := json.Unmarshal(old, &prev); err != nil {
				return fmt.Errorf("decode archive index of %s: %w", d.day, err)
			}
			entry.Parts = append(prev.Parts, entry.Parts...)
		}
		raw, err := json.Marshal(entry)
		if err != nil {
			return err
		}
		return days.Put([]byte(d.day), raw)
	})
	return written, err
}

// deleteArchived deletes a day's records of one kind, after checking that
// the database holds exactly those that were archived.
func deleteArchived(tx *bolt.Tx, day string, kr kindRecords) error {
	switch kr.kind {
	case KindTickets, KindEvents, KindFeedback:
		root := tx.Bucket(map[string][]byte{KindTickets: bktTickets, KindEvents: bktEvents, KindFeedback: bktFeedback}[kr.kind])
		b := root.Bucket([]byte(day))
		if b == nil {
			return fmt.Errorf("%s of %s went away during archiving", kr.kind, day)
		}
		n := 0
		c := b.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			n++
		}
		if n != len(kr.keys) {
			return fmt.Errorf("%s of %s changed during archiving (%d records, %d archived)", kr.kind, day, n, len(kr.keys))
		}
		return root.DeleteBucket([]byte(day))
	case KindAudit:
		b := tx.Bucket(bktAudit)
		for _, k := range kr.keys {
			if b.Get(k) == nil {
				return fmt.Errorf("audit entry %d went away during archiving", getU64(k))
			}
			if err := b.Delete(k); err != nil {
				return err
			}
		}
	}
	return nil
}

// fileLengths reads the committed length of every archive file.
func (db *DB) fileLengths() (map[string]int64, error) {
	out := map[string]int64{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bktArchive).Bucket(bktArchiveFiles).ForEach(func(k, v []byte) error {
			out[string(k)] = int64(getU64(v))
			return nil
		})
	})
	return out, err
}

// Archive framing.
const (
	// archiveWindow is the encoder's window: more than a busy day's
	// largest file, so that every match within a day can be found. The
	// zstd tool decodes windows up to 128 MiB without being asked.
	archiveWindow = 16 << 20
	// skippableMagic starts the skippable frame before each day's frame
	// (0x184D2A50 to 0x184D2A5F are skippable; RFC 8878 3.1.2).
	skippableMagic = 0x184D2A5A
	// maxHeader bounds a skippable frame's content when reading.
	maxHeader = 4 << 10
)

// frameHeader is the content of the skippable frame before a day's frame.
type frameHeader struct {
	Format  string `json:"format"`
	Kind    string `json:"kind"`
	Day     string `json:"day"`
	Records int    `json:"records"`
	Size    int64  `json:"size"` // of the zstd frame that follows
}

// encodeDay answers the two frames of a day's records of a kind.
func encodeDay(day, kind string, recs [][]byte, level zstd.EncoderLevel) ([]byte, error) {
	n := 0
	for _, r := range recs {
		if bytes.IndexByte(r, '\n') >= 0 {
			return nil, fmt.Errorf("a %s record of %s holds a line break", kind, day)
		}
		n += len(r) + 1
	}
	raw := make([]byte, 0, n)
	for _, r := range recs {
		raw = append(append(raw, r...), '\n')
	}
	if level == 0 {
		level = zstd.SpeedBestCompression
	}
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(level), zstd.WithWindowSize(archiveWindow),
		zstd.WithEncoderConcurrency(1), zstd.WithEncoderCRC(true))
	if err != nil {
		return nil, err
	}
	data := enc.EncodeAll(raw, nil)
	if err := enc.Close(); err != nil {
		return nil, err
	}
	hdr, err := json.Marshal(frameHeader{Format: archiveFormat, Kind: kind, Day: day, Records: len(recs), Size: int64(len(data))})
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, 8+len(hdr)+len(data))
	out = binary.LittleEndian.AppendUint32(out, skippableMagic)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(hdr)))
	out = append(append(out, hdr...), data...)
	return out, nil
}

// appendMember appends a day's records of a kind (its two frames) to the
// archive file dir/name, first cutting the file back to committed (the
// length the index knows; anything after it is the tail of a run that
// did not finish). It syncs the file (and the folder, for a new file) and
// answers the frames' offset and size.
func appendMember(dir, name string, committed int64, day, kind string, recs [][]byte, level zstd.EncoderLevel) (off, size int64, err error) {
	frames, err := encodeDay(day, kind, recs, level)
	if err != nil {
		return 0, 0, err
	}
	path := filepath.Join(dir, name)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return 0, 0, err
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	fi, err := f.Stat()
	if err != nil {
		return 0, 0, err
	}
	switch {
	case fi.Size() < committed:
		return 0, 0, fmt.Errorf("archive file %s is %d bytes, shorter than the %d the database has archived in it: it was cut or replaced; put the whole file back (from a backup's archive folder) before archiving goes on",
			path, fi.Size(), committed)
	case fi.Size() > committed:
		if err := f.Truncate(committed); err != nil {
			return 0, 0, err
		}
	}
	if _, err := f.WriteAt(frames, committed); err != nil {
		return 0, 0, err
	}
	if err := f.Sync(); err != nil {
		return 0, 0, err
	}
	if committed == 0 {
		syncDir(dir)
	}
	return committed, int64(len(frames)), nil
}

// syncDir makes a new or renamed entry of dir durable (best effort: not
// every system can sync a folder).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// archivedParts returns the parts of kind of the archived days from..to
// (inclusive; "" is open), by day.
func (db *DB) archivedParts(kind, from, to string) (days []string, parts map[string][]archivePart, err error) {
	parts = map[string][]archivePart{}
	err = db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bktArchive).Bucket(bktArchiveDays).Cursor()
		for k, v := c.Seek([]byte(from)); k != nil && (to == "" || string(k) <= to); k, v = c.Next() {
			var d archiveDay
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("storage: decode archive index of %s: %w", k, err)
			}
			for _, p := range d.Parts {
				if p.Kind == kind {
					parts[d.Day] = append(parts[d.Day], p)
				}
			}
			if len(parts[d.Day]) > 0 {
				days = append(days, d.Day)
			}
		}
		return nil
	})
	return days, parts, err
}

// archivedKind reports whether an index entry has records of kind.
func archivedKind(entry []byte, kind string) bool {
	var d archiveDay
	if json.Unmarshal(entry, &d) != nil {
		return true // unreadable: better "missing" than silently none
	}
	for _, p := range d.Parts {
		if p.Kind == kind {
			return true
		}
	}
	return false
}

// ArchivedDays lists the archived days from..to (inclusive; "" is open)
// that hold tickets.
func (db *DB) ArchivedDays(from, to string) ([]string, error) {
	days, _, err := db.archivedParts(KindTickets, from, to)
	return days, err
}

// readParts calls fn with each record of the parts, in order. The record
// is valid only during the call.
func (db *DB) readParts(parts []archivePart, fn func(rec []byte) error) error {
	dir := filepath.Join(filepath.Dir(db.path), ArchiveDir)
	for _, p := range parts {
		if err := readPart(filepath.Join(dir, p.File), p, fn); err != nil {
			return fmt.Errorf("storage: archive %s: %w", p.File, err)
		}
	}
	return nil
}

func readPart(path string, p archivePart, fn func(rec []byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	// The decoder skips the skippable frame, and checks the data frame's
	// checksum.
	zr, err := zstd.NewReader(bufio.NewReaderSize(io.NewSectionReader(f, p.Offset, p.Size), 1<<16),
		zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
	if err != nil {
		return fmt.Errorf("at %d: %w", p.Offset, err)
	}
	defer zr.Close()
	n := 0
	err = eachLine(zr, func(line []byte) error {
		n++
		return fn(line)
	})
	if err != nil {
		return fmt.Errorf("at %d: %w", p.Offset, err)
	}
	if n != p.Records {
		return fmt.Errorf("at %d: %d records, the index says %d", p.Offset, n, p.Records)
	}
	return nil
}

// eachLine calls fn with each line of r, without its line break.
func eachLine(r io.Reader, fn func(line []byte) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	for sc.Scan() {
		if err := fn(sc.Bytes()); err != nil {
			return err
		}
	}
	return sc.Err()
}

// archivedTickets lists an archived day's tickets in issue order from
// index start on, through the filter; ok is false when the day is not in
// the archive.
func (db *DB) archivedTickets(f queue.TicketFilter, start uint64) (out []*queue.Ticket, ok bool, err error) {
	days, parts, err := db.archivedParts(KindTickets, f.Day, f.Day)
	if err != nil || len(days) == 0 {
		return nil, false, err
	}
	errFull := errors.New("full")
	err = db.readParts(parts[f.Day], func(rec []byte) error {
		if f.Limit > 0 && len(out) >= f.Limit {
			return errFull
		}
		t, err := decodeTicket(rec)
		if err != nil {
			return err
		}
		if uint64(t.Index) >= start && ticketMatches(t, f) {
			out = append(out, t)
		}
		return nil
	})
	if errors.Is(err, errFull) {
		err = nil
	}
	return out, true, err
}

func ticketMatches(t *queue.Ticket, f queue.TicketFilter) bool {
	return (len(f.ServiceIDs) == 0 || slices.Contains(f.ServiceIDs, t.ServiceID)) &&
		(f.AgencyID == "" || t.AgencyID == f.AgencyID) &&
		(f.Status == "" || t.Status == f.Status)
}

// ExportKinds lists the kinds Export writes.
var ExportKinds = []string{KindTickets, KindEvents, KindAudit, KindFeedback}

// Export writes the records of one kind (ExportKinds) of the business
// days from..to (inclusive), one JSON object per line as the database
// stores it, to w: the archived days from the archive files, the others
// from the database, in day order (audit entries and events by seq). It
// answers the number of lines.
func (db *DB) Export(w io.Writer, kind, from, to string) (int, error) {
	if !slices.Contains(ExportKinds, kind) {
		return 0, fmt.Errorf("storage: export: no kind %q (one of %s)", kind, strings.Join(ExportKinds, ", "))
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	n := 0
	line := func(rec []byte) error {
		n++
		bw.Write(rec)
		return bw.WriteByte('\n')
	}
	days, parts, err := db.archivedParts(kind, from, to)
	if err != nil {
		return 0, err
	}
	var live []string
	var root []byte
	switch kind {
	case KindTickets:
		root = bktTickets
	case KindEvents:
		root = bktEvents
	case KindFeedback:
		root = bktFeedback
	}
	err = db.bolt.View(func(tx *bolt.Tx) error {
		if root == nil {
			return nil
		}
		c := tx.Bucket(root).Cursor()
		for k, v := c.Seek([]byte(from)); k != nil && string(k) <= to; k, v = c.Next() {
			if v == nil {
				live = append(live, string(k))
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	all := slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(days), live...))))
	for _, day := range all {
		if ps := parts[day]; len(ps) > 0 {
			if err := db.readParts(ps, line); err != nil {
				return n, err
			}
		}
		if slices.Contains(live, day) {
			recs, err := db.dayBucket(root, day)
			if err != nil {
				return n, err
			}
			for _, r := range recs {
				line(r)
			}
		}
	}
	if kind == KindAudit {
		if err := db.exportAudit(from, to, line); err != nil {
			return n, err
		}
	}
	return n, bw.Flush()
}

// dayBucket copies the records of one day's bucket under root.
func (db *DB) dayBucket(root []byte, day string) ([][]byte, error) {
	var out [][]byte
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(root).Bucket([]byte(day))
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			if v != nil {
				out = append(out, bytes.Clone(v))
			}
			return nil
		})
	})
	return out, err
}

// exportAudit writes the audit entries the database holds of the days
// from..to, in seq order, a read transaction per thousand.
func (db *DB) exportAudit(from, to string, line func([]byte) error) error {
	var after []byte
	for {
		var recs [][]byte
		done := false
		err := db.bolt.View(func(tx *bolt.Tx) error {
			c := tx.Bucket(bktAudit).Cursor()
			k, v := c.First()
			if after != nil {
				if k, v = c.Seek(after); k != nil && bytes.Equal(k, after) {
					k, v = c.Next()
				}
			}
			for ; k != nil; k, v = c.Next() {
				d, err := auditDay(v)
				if err != nil {
					return err
				}
				if d > to {
					done = true
					return nil
				}
				after = bytes.Clone(k)
				if d >= from {
					recs = append(recs, bytes.Clone(v))
				}
				if len(recs) >= 1000 {
					return nil
				}
			}
			done = true
			return nil
		})
		if err != nil {
			return err
		}
		for _, r := range recs {
			if err := line(r); err != nil {
				return err
			}
		}
		if done {
			return nil
		}
	}
}

// ExportArchive is Export from the archive files alone, without the
// database: for a data folder whose server is running (it holds the
// database's lock). It reads the files of kind for the months of
// from..to, day by day as their skippable frames name them, and writes
// the lines of the days in the range. A day cut short at the end of a
// file (an archiving interrupted a moment ago; the server redoes it) ends
// that file. The days still in the database are not written.
func ExportArchive(dataDir string, w io.Writer, kind, from, to string) (int, error) {
	if !slices.Contains(ExportKinds, kind) {
		return 0, fmt.Errorf("storage: export: no kind %q (one of %s)", kind, strings.Join(ExportKinds, ", "))
	}
	dir := filepath.Join(dataDir, ArchiveDir)
	names, err := filepath.Glob(filepath.Join(dir, "????-??."+kind+ArchiveExt))
	if err != nil {
		return 0, err
	}
	slices.Sort(names)
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
	if err != nil {
		return 0, err
	}
	defer dec.Close()
	bw := bufio.NewWriterSize(w, 1<<16)
	n := 0
	var buf []byte
	for _, path := range names {
		month := filepath.Base(path)[:7]
		if month < from[:7] || month > to[:7] {
			continue
		}
		err := scanArchive(path, func(h frameHeader, frame []byte) error {
			if h.Day < from || h.Day > to {
				return nil
			}
			// Decoded whole (its checksum checked) before a line is
			// written.
			var err error
			if buf, err = dec.DecodeAll(frame, buf[:0]); err != nil {
				return fmt.Errorf("day %s: %w", h.Day, err)
			}
			if c := bytes.Count(buf, []byte{'\n'}); c != h.Records {
				return fmt.Errorf("day %s: %d records, its header says %d", h.Day, c, h.Records)
			} else {
				n += c
			}
			_, err = bw.Write(buf)
			return err
		})
		if err != nil {
			return n, fmt.Errorf("storage: archive %s: %w", path, err)
		}
	}
	return n, bw.Flush()
}

// scanArchive calls fn with each day of an archive file: its header and
// its zstd frame, compressed (valid only during the call). A day cut
// short at the end of the file ends it without an error.
func scanArchive(path string, fn func(h frameHeader, frame []byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	var off int64
	var frame []byte
	for {
		var head [8]byte
		if _, err := io.ReadFull(br, head[:]); errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		} else if err != nil {
			return err
		}
		magic, size := binary.LittleEndian.Uint32(head[:4]), binary.LittleEndian.Uint32(head[4:])
		if magic != skippableMagic || size > maxHeader {
			return fmt.Errorf("at %d: not an Antrean archive day (no header frame)", off)
		}
		raw := make([]byte, size)
		if _, err := io.ReadFull(br, raw); errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		} else if err != nil {
			return err
		}
		var h frameHeader
		if err := json.Unmarshal(raw, &h); err != nil || h.Format != archiveFormat || h.Size < 0 || h.Size > 1<<32 {
			return fmt.Errorf("at %d: not an Antrean archive day header: %q", off, raw)
		}
		if int64(cap(frame)) < h.Size {
			frame = make([]byte, h.Size)
		}
		frame = frame[:h.Size]
		if _, err := io.ReadFull(br, frame); errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil // the tail of an unfinished run
		} else if err != nil {
			return err
		}
		if err := fn(h, frame); err != nil {
			return err
		}
		off += 8 + int64(size) + h.Size
	}
}

// ArchiveFileDays lists the days of an archive file, in file order, as
// their headers name them, with their kinds and records; a day cut short
// at the end is left out.
func ArchiveFileDays(path string) (days []ArchiveFileDay, err error) {
	err = scanArchive(path, func(h frameHeader, _ []byte) error {
		days = append(days, ArchiveFileDay{Day: h.Day, Kind: h.Kind, Records: h.Records})
		return nil
	})
	return days, err
}

// ArchiveFileDay is a day's header in an archive file.
type ArchiveFileDay struct {
	Day     string
	Kind    string
	Records int
}
