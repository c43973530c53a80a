package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/mpp-digital/antrean/queue"
)

// bodyLimit refuses bodies over n bytes with 413, whether announced by
// Content-Length or found while reading.
func bodyLimit(n int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.ContentLength > n {
				return errTooLarge
			}
			r.Body = http.MaxBytesReader(c.Response(), r.Body, n)
			return next(c)
		}
	}
}

// readBody reads the whole (bounded) body once and keeps it for the
// idempotency hash.
func readBody(c echo.Context) ([]byte, error) {
	if b, ok := c.Get("body").([]byte); ok {
		return b, nil
	}
	b, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errTooLarge
		}
		return nil, queue.Invalid(map[string]string{"body": "could not be read"})
	}
	c.Set("body", b)
	return b, nil
}

// decode reads a JSON body strictly into v: a JSON content type, no unknown
// fields, nothing after the value. An empty body is an error.
func decode(c echo.Context, v any) error {
	return decodeBody(c, v, false)
}

// decodeOptional is decode for actions whose body may be empty.
func decodeOptional(c echo.Context, v any) error {
	return decodeBody(c, v, true)
}

func decodeBody(c echo.Context, v any, optional bool) error {
	b, err := readBody(c)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		if optional {
			return nil
		}
		return queue.Invalid(map[string]string{"body": "a JSON object is required"})
	}
	ct := c.Request().Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		return errNotJSON
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return queue.Invalid(map[string]string{"body": "unexpected data after the JSON value"})
	}
	return nil
}

// jsonError explains a decoding error by field where it can.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "body"
		}
		return queue.Invalid(map[string]string{field: "must be " + jsonKind(te.Type.Kind().String())})
	case errors.As(err, &se):
		return queue.Invalid(map[string]string{"body": "malformed JSON at byte " + strconv.FormatInt(se.Offset, 10)})
	case errors.Is(err, io.ErrUnexpectedEOF):
		return queue.Invalid(map[string]string{"body": "the JSON ends too early"})
	}
	msg := err.Error()
	const unknown = "json: unknown field "
	if len(msg) > len(unknown) && msg[:len(unknown)] == unknown {
		name, _ := strconv.Unquote(msg[len(unknown):])
		return queue.Invalid(map[string]string{name: "unknown field"})
	}
	return queue.Invalid(map[string]string{"body": "not valid JSON for this request"})
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "int", "int64", "int32", "uint64", "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	}
	return k
}

// idemTTL is how long a repeat of an idempotent request gets the first
// answer.
const idemTTL = 10 * time.Minute

// do runs a command; with an Idempotency-Key header the answer is kept and
// a repeat gets it again. render turns the command's value into the answer
// (status and JSON body); a 204 has no body.
func (s *Server) do(c echo.Context, cmd queue.Command, render func(st *queue.State, v any) (int, any)) error {
	rep, err := s.run(c, cmd, render)
	if err != nil {
		return err
	}
	return reply(c, rep)
}

// run is do without writing the answer.
func (s *Server) run(c echo.Context, cmd queue.Command, render func(st *queue.State, v any) (int, any)) (queue.Reply, error) {
	encode := func(st *queue.State, v any) (int, []byte) {
		status, body := render(st, v)
		if status == http.StatusNoContent || body == nil {
			return status, nil
		}
		var (
			b   []byte
			err error
		)
		if a, ok := body.(*IssueAnswer); ok { // the answer to every issue: no reflection
			b, err = a.AppendJSON(make([]byte, 0, 1024))
		} else {
			b, err = json.Marshal(body)
		}
		if err != nil {
			return http.StatusInternalServerError, nil
		}
		return status, b
	}
	req := queue.Request{Cmd: cmd, Audit: s.auditOf(c)}
	key := c.Request().Header.Get("Idempotency-Key")
	if key == "" {
		// Without a key nothing is kept, so the answer is made here, off
		// the engine's goroutine, which has every other caller to serve.
		rep, err := s.engine.Do(c.Request().Context(), req)
		if err != nil {
			return rep, err
		}
		rep.Status, rep.Body = encode(s.engine.State(), rep.Value)
		return rep, nil
	}
	if len(key) > 255 {
		return queue.Reply{}, queue.Invalid(map[string]string{"Idempotency-Key": "at most 255 characters"})
	}
	body, err := readBody(c)
	if err != nil {
		return queue.Reply{}, err
	}
	req.Render = encode
	req.Idem = &queue.Idem{
		Key:      s.idemKey(c, key),
		BodyHash: sha256Hex(string(body)),
		TTL:      idemTTL,
	}
	rep, err := s.engine.Do(c.Request().Context(), req)
	if rep.Replayed && s.cfg.OnReplay != nil {
		s.cfg.OnReplay()
	}
	return rep, err
}

// idemKey is the key an Idempotency-Key is kept under: the caller, the
// method and path, and the header.
func (s *Server) idemKey(c echo.Context, key string) string {
	r := c.Request()
	return sha256Hex(callerOf(c).identity() + "\n" + r.Method + " " + r.URL.Path + "\n" + key)
}

// reply writes a command's answer.
func reply(c echo.Context, rep queue.Reply) error {
	if rep.Replayed {
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	if rep.Status == http.StatusNoContent || rep.Body == nil {
		return c.NoContent(rep.Status)
	}
	return c.JSONBlob(rep.Status, rep.Body)
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// apply runs a command that needs no idempotency and returns its value.
func (s *Server) apply(c echo.Context, cmd queue.Command) (any, error) {
	rep, err := s.engine.Do(c.Request().Context(), queue.Request{Cmd: cmd, Audit: s.auditOf(c)})
	return rep.Value, err
}

// queryInt reads an optional integer query parameter within [lo, hi].
func queryInt(c echo.Context, name string, def, lo, hi int) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, queue.Invalid(map[string]string{name: "a whole number from " + strconv.Itoa(lo) + " to " + strconv.Itoa(hi)})
	}
	return n, nil
}
