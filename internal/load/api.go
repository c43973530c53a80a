package load

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"syscall"
	"time"
)

// api calls the server's HTTP API, the way its kiosks and consoles do:
// JSON bodies, bearer tokens, an Idempotency-Key on every unsafe request.
type api struct {
	base string // scheme://host:port, no trailing slash
	hc   *http.Client
}

func newAPI(base string, conns int) *api {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// Every kiosk and console keeps its own connection alive, as the real
	// ones do; none waits for another's.
	tr.MaxIdleConns = conns + 16
	tr.MaxIdleConnsPerHost = conns + 16
	return &api{base: base, hc: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// answer is one response, read whole.
type answer struct {
	status     int
	body       []byte
	took       time.Duration // from sending to the last byte of the body
	retryAfter time.Duration
}

// code is the API error code of an error answer ("rate_limited").
func (a *answer) code() string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(a.body, &e)
	return e.Error.Code
}

// detail names an error answer for the error table: "409 invalid_transition".
func (a *answer) detail() string {
	if c := a.code(); c != "" {
		return fmt.Sprintf("%d %s", a.status, c)
	}
	return strconv.Itoa(a.status)
}

func (a *answer) decode(v any) error {
	if err := json.Unmarshal(a.body, v); err != nil {
		return fmt.Errorf("decoding %.200q: %w", a.body, err)
	}
	return nil
}

func newKey() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// do sends one request. body may be nil or a value sent as JSON. A
// transport failure is an error; any HTTP status is an answer.
func (c *api) do(ctx context.Context, method, path, token string, body any, idempotent bool) (*answer, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if idempotent {
		req.Header.Set("Idempotency-Key", newKey())
	}
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	if err != nil {
		return nil, err
	}
	a := &answer{status: resp.StatusCode, body: raw, took: took}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
		a.retryAfter = time.Duration(s) * time.Second
	}
	return a, nil
}

// must sends a setup request and wants one status; out, when not nil,
// gets the answer.
func (c *api) must(ctx context.Context, method, path, token string, body any, want int, out any) error {
	a, err := c.do(ctx, method, path, token, body, false)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if a.status != want {
		return fmt.Errorf("%s %s: status %d, want %d: %.300s", method, path, a.status, want, a.body)
	}
	if out != nil {
		return a.decode(out)
	}
	return nil
}

// transportKind names a transport failure for the error table:
// "timeout", "connection refused", "connection reset by peer", ….
func transportKind(err error) string {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "connection closed"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}
