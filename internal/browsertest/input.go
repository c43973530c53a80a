package browsertest

import (
	"context"
	"fmt"
	"time"

	"github.com/chromedp/chromedp"
)

// NewTab opens another tab in the same browser: same profile, cookies and
// storage (a second screen on the same machine, e.g. the lobby display
// beside the officer console). It closes when the test ends.
func (b *Browser) NewTab(width, height int) *Browser {
	b.T.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	tab := &Browser{T: b.T, ctx: ctx}
	b.T.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		b.T.Fatalf("browsertest: opening a tab: %v", err)
	}
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			tab.mu.Lock()
			tab.messages = append(tab.messages, m)
			tab.mu.Unlock()
		}
	}()
	tab.Viewport(width, height)
	return tab
}

// Click clicks the first element matching the CSS selector, as a mouse
// would (it waits for the element to be visible).
//
// A live screen may re-render between finding the node and clicking it;
// a person would tap again, and so does Click (up to three times).
func (b *Browser) Click(sel string) {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stretch(10*time.Second))
	defer cancel()
	var err error
	for try := 0; try < 3; try++ {
		if err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.T.Fatalf("browsertest: click %s: %v%s", sel, err, b.consoleTail())
}

// Type focuses the first element matching sel and types text into it key
// by key (its input events fire as for a person typing).
func (b *Browser) Type(sel, text string) {
	b.T.Helper()
	b.do(10*time.Second, chromedp.SendKeys(chromedp.CSS(sel), text))
}

// Clear empties an input as select-all and delete would.
func (b *Browser) Clear(sel string) {
	b.T.Helper()
	b.Eval(fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.focus(); el.select(); })()`, sel), nil)
	b.Keys("\b")
}

// Keys presses keys on whatever has the focus: runes, or the kb package's
// names for special keys (kb.F1, kb.Tab, kb.Enter, kb.ArrowDown, …).
func (b *Browser) Keys(keys string, opts ...chromedp.KeyOption) {
	b.T.Helper()
	b.do(10*time.Second, chromedp.KeyEvent(keys, opts...))
}

// Active describes the focused element: "#id", or "tag.class" with its
// text when it has no id.
func (b *Browser) Active() string {
	b.T.Helper()
	var s string
	b.Eval(`(() => {
		const el = document.activeElement;
		if (!el || el === document.body) return "body";
		if (el.id) return "#" + el.id;
		return el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ").join(".") : "") + "[" + (el.textContent || "").trim().slice(0, 40) + "]";
	})()`, &s)
	return s
}

// Do runs chromedp actions on the tab.
func (b *Browser) Do(actions ...chromedp.Action[chromedp.Void]) {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.T.Fatalf("browsertest: %v%s", err, b.consoleTail())
	}
}
