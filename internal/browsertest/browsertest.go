// Package browsertest drives the screens in a real headless Chromium
// (through chromedp) for tests: open a URL at a viewport size, wait for a
// selector or a text, evaluate JavaScript, and save screenshots for a
// person to look at.
//
// Chromium is /usr/bin/chromium (Debian: apt-get install chromium), or the
// path in ANTREAN_CHROMIUM. Without it a test is skipped, except under CI
// (CI=true), where it fails. Screenshots go to $ANTREAN_SCREENSHOTS, or to
// screenshots/ at the repository root (ignored by git).
package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// Options adjust a browser.
type Options struct {
	// Sound lets pages play audio without a user gesture
	// (--autoplay-policy=no-user-gesture-required), as a lobby screen in
	// kiosk mode runs.
	Sound bool
	// Width and Height are the first viewport (default 1920×1080).
	Width, Height int
	// ReducedMotion makes the page see prefers-reduced-motion: reduce.
	ReducedMotion bool
}

// Browser is one Chromium with one tab, ended when the test ends.
type Browser struct {
	T   testing.TB
	ctx context.Context

	mu       sync.Mutex
	messages []chromedp.ConsoleMessage
}

// ChromiumPath finds Chromium, or skips the test (fails it under CI).
func ChromiumPath(t testing.TB) string {
	t.Helper()
	candidates := []string{os.Getenv("ANTREAN_CHROMIUM"), "/usr/bin/chromium"}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			candidates = append(candidates, p)
		}
	}
	for _, p := range candidates {
		if p == "" {
			continue
		}
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p
		}
	}
	msg := "browsertest: Chromium not found; install it with `apt-get install chromium` (or set ANTREAN_CHROMIUM)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// New opens a tab for the test in a fresh browser context (its own
// cookies, storage and cache, as a new profile has), closed when the test
// ends.
//
// The tabs of a test binary share one Chromium per set of process flags
// (Options.Sound): starting a Chromium costs about a second of CPU, and
// the screens' tests open some eighty tabs.
func New(t testing.TB, o Options) *Browser {
	t.Helper()
	if o.Width == 0 || o.Height == 0 {
		o.Width, o.Height = 1920, 1080
	}
	parent := sharedBrowser(t, o.Sound)
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	b := &Browser{T: t, ctx: ctx}
	t.Cleanup(func() {
		// Cancel closes the tab and disposes of its browser context.
		if err := chromedp.Cancel(ctx); err != nil {
			t.Logf("browsertest: closing the tab: %v", err)
		}
		cancel()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browsertest: opening a tab: %v", err)
	}
	// A tab of a shared browser is not the only window: without this
	// the one opened last has the focus, and a page behind it would see
	// no focus events.
	b.do(10*time.Second, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	}))
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.messages = append(b.messages, m)
			b.mu.Unlock()
		}
	}()
	b.Viewport(o.Width, o.Height)
	if o.ReducedMotion {
		b.do(10*time.Second, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}},
			})
			return err
		}))
	}
	return b
}

// Context is the tab's chromedp context, for actions the helpers lack.
func (b *Browser) Context() context.Context { return b.ctx }

func (b *Browser) do(timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stretch(timeout))
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.T.Fatalf("browsertest: %v%s", err, b.consoleTail())
	}
}

// Viewport sets the page's size in CSS pixels (scale 1).
func (b *Browser) Viewport(width, height int) {
	b.T.Helper()
	b.do(10*time.Second, chromedp.EmulateViewport(int64(width), int64(height)))
}

// Open navigates to url and waits for the page to load.
func (b *Browser) Open(url string) {
	b.T.Helper()
	b.do(20*time.Second, chromedp.Navigate(url))
}

// WaitVisible waits until an element matching the CSS selector is shown.
func (b *Browser) WaitVisible(sel string, timeout time.Duration) {
	b.T.Helper()
	b.do(timeout, chromedp.WaitVisible(chromedp.CSS(sel)))
}

// Eval evaluates a JavaScript expression (awaiting a promise) and decodes
// its JSON value into out (may be nil).
func (b *Browser) Eval(expr string, out any) {
	b.T.Helper()
	if err := b.TryEval(expr, out); err != nil {
		b.T.Fatalf("browsertest: evaluating %s: %v%s", short(expr), err, b.consoleTail())
	}
}

// TryEval is Eval returning the error.
func (b *Browser) TryEval(expr string, out any) error {
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		return err
	}
	if out == nil || len(raw) == 0 {
		return nil
	}
	return json.Unmarshal(raw, out)
}

// Text returns the text of the first element matching sel ("" if none).
func (b *Browser) Text(sel string) string {
	b.T.Helper()
	var s string
	b.Eval(fmt.Sprintf(`(() => { const el = document.querySelector(%q); return el ? el.textContent : ""; })()`, sel), &s)
	return s
}

// WaitFor polls a JavaScript expression until it is truthy and returns
// how long that took; the test fails after timeout.
func (b *Browser) WaitFor(expr string, timeout time.Duration) time.Duration {
	b.T.Helper()
	start := time.Now()
	deadline := start.Add(stretch(timeout))
	var last error
	for {
		var ok bool
		if err := b.TryEval(fmt.Sprintf(`!!(%s)`, expr), &ok); err != nil {
			last = err
		} else if ok {
			return time.Since(start)
		}
		if time.Now().After(deadline) {
			b.T.Fatalf("browsertest: %s not true after %v (last error: %v)%s", short(expr), timeout, last, b.consoleTail())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// WaitText waits until the text of sel contains want and returns how
// long that took.
func (b *Browser) WaitText(sel, want string, timeout time.Duration) time.Duration {
	b.T.Helper()
	return b.WaitFor(fmt.Sprintf(`(document.querySelector(%q)?.textContent || "").includes(%q)`, sel, want), timeout)
}

// Screenshot saves the viewport as PNG under ScreenshotDir with a name
// made of the test's name and label, and returns the path.
func (b *Browser) Screenshot(label string) string {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.T.Fatalf("browsertest: screenshot: %v", err)
	}
	dir := ScreenshotDir(b.T)
	name := fileName(b.T.Name() + "-" + label)
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.T.Fatalf("browsertest: saving screenshot: %v", err)
	}
	b.T.Logf("screenshot: %s", path)
	return path
}

// Console returns what the page wrote to the console so far.
func (b *Browser) Console() []chromedp.ConsoleMessage {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]chromedp.ConsoleMessage(nil), b.messages...)
}

// Errors returns the console errors and uncaught exceptions so far,
// Content-Security-Policy violations included.
func (b *Browser) Errors() []string {
	var out []string
	for _, m := range b.Console() {
		if m.Type == chromedp.ConsoleError || m.IsException() {
			out = append(out, m.String())
		}
	}
	return out
}

// NoErrors fails the test when the page logged errors or threw, except
// messages matching one of the allowed patterns.
func (b *Browser) NoErrors(allowed ...string) {
	b.T.Helper()
	for _, e := range b.Errors() {
		ok := false
		for _, a := range allowed {
			if regexp.MustCompile(a).MatchString(e) {
				ok = true
			}
		}
		if !ok {
			b.T.Errorf("browsertest: page error: %s", e)
		}
	}
}

func (b *Browser) consoleTail() string {
	msgs := b.Console()
	if len(msgs) == 0 {
		return ""
	}
	if len(msgs) > 15 {
		msgs = msgs[len(msgs)-15:]
	}
	var sb strings.Builder
	sb.WriteString("\npage console (last messages):")
	for _, m := range msgs {
		sb.WriteString("\n  " + m.String())
	}
	return sb.String()
}

// ScreenshotDir is $ANTREAN_SCREENSHOTS, or screenshots/ at the root of
// the repository (the folder holding go.mod), created when missing.
func ScreenshotDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("ANTREAN_SCREENSHOTS")
	if dir == "" {
		root, err := repoRoot()
		if err != nil {
			t.Fatalf("browsertest: %v", err)
		}
		dir = filepath.Join(root, "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("browsertest: %v", err)
	}
	return dir
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func fileName(s string) string {
	return strings.Trim(unsafeName.ReplaceAllString(s, "_"), "_")
}

func short(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return s
}

var (
	sharedMu sync.Mutex
	shared   = map[bool]*running{} // by Options.Sound
)

// running is a shared Chromium.
type running struct {
	ctx         context.Context // its first tab's
	cancelAlloc context.CancelFunc
	dir         string
}

// CloseAll ends the shared browsers and removes their profiles. A
// TestMain that checks for leaked goroutines after the tests calls it
// first (see Main); without it they end with the test binary.
func CloseAll() {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	for k, r := range shared {
		chromedp.Cancel(r.ctx) // closes the browser and waits for it
		r.cancelAlloc()
		os.RemoveAll(r.dir)
		delete(shared, k)
	}
}

// Main wraps a testing.M so that its Run ends the shared browsers after
// the tests, as in goleak.VerifyTestMain(browsertest.Main(m)).
func Main(m interface{ Run() int }) interface{ Run() int } { return closing{m} }

type closing struct{ m interface{ Run() int } }

func (c closing) Run() int {
	code := c.m.Run()
	CloseAll()
	return code
}

// sharedBrowser is the running Chromium with the process flags for sound,
// started on first use, and again if it has died. It lives until the
// test binary ends; Chromium is started with a parent-death signal, so it
// ends with it.
func sharedBrowser(t testing.TB, sound bool) context.Context {
	t.Helper()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if r := shared[sound]; r != nil && r.ctx.Err() == nil {
		return r.ctx
	}
	path := ChromiumPath(t)
	dir, err := profileDir()
	if err != nil {
		t.Fatalf("browsertest: %v", err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// Several tabs can be open at once (a kiosk and a lobby screen in
		// one test): none of them may be slowed as a background tab.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("lang", "id-ID"),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1920, 1080),
	}
	if sound {
		opts = append(opts, chromedp.Flag("autoplay-policy", "no-user-gesture-required"))
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, _ := chromedp.NewContext(actx)
	// The first Run starts the browser; it must not carry a timeout.
	if err := chromedp.Do(ctx); err != nil {
		cancelAlloc()
		t.Fatalf("browsertest: starting Chromium: %v", err)
	}
	shared[sound] = &running{ctx: ctx, cancelAlloc: cancelAlloc, dir: dir}
	return ctx
}

// profileDir makes a user data directory for a shared Chromium, named by
// this process, and removes those of test binaries that have ended (a
// shared browser outlives every test, so no test's cleanup removes it).
func profileDir() (string, error) {
	const prefix = "antrean-browsertest-"
	old, _ := filepath.Glob(filepath.Join(os.TempDir(), prefix+"*"))
	for _, d := range old {
		pid, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(d), prefix), "-")
		if n, err := strconv.Atoi(pid); err == nil && n != os.Getpid() {
			if _, err := os.Stat(fmt.Sprintf("/proc/%d", n)); errors.Is(err, fs.ErrNotExist) {
				os.RemoveAll(d)
			}
		}
	}
	return os.MkdirTemp("", fmt.Sprintf("%s%d-", prefix, os.Getpid()))
}
