package browsertest

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core (see axe/README.md). It is embedded here, in a
// package only tests import, so it never reaches the product binary.
//
//go:embed axe/axe.min.js
var axeSource string

// AxeTags are the axe-core rule tags Axe checks: WCAG 2.0 and 2.1, levels
// A and AA.
var AxeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// AxeViolation is one axe-core rule that failed on the page.
type AxeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"` // critical, serious, moderate or minor
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []AxeNode `json:"nodes"`
}

// AxeNode is one element that fails a rule.
type AxeNode struct {
	// Target is the CSS selector of the element (frames and shadow roots
	// joined with " >>> ").
	Target  []string `json:"target"`
	HTML    string   `json:"html"`
	Summary string   `json:"summary"`
}

// Blocking reports whether the violation is serious or critical: what
// Axe fails a test for.
func (v AxeViolation) Blocking() bool { return v.Impact == "serious" || v.Impact == "critical" }

func (v AxeViolation) String() string {
	var sb strings.Builder
	help, _, _ := strings.Cut(v.HelpURL, "?")
	fmt.Fprintf(&sb, "%s (%s): %s — %s", v.ID, v.Impact, v.Help, help)
	const most = 6
	for i, n := range v.Nodes {
		if i == most {
			fmt.Fprintf(&sb, "\n    … and %d more", len(v.Nodes)-most)
			break
		}
		html := strings.Join(strings.Fields(n.HTML), " ")
		if r := []rune(html); len(r) > 200 {
			html = string(r[:197]) + "..."
		}
		fmt.Fprintf(&sb, "\n    %s\n      %s", strings.Join(n.Target, ", "), html)
		if n.Summary != "" {
			fmt.Fprintf(&sb, "\n      %s", strings.ReplaceAll(strings.TrimSpace(n.Summary), "\n", "\n      "))
		}
	}
	return sb.String()
}

// Axe runs axe-core's WCAG 2.1 A and AA rules (AxeTags) on the page as it
// is now, fails the test (without stopping it) on every serious or
// critical violation, logs the moderate and minor ones, and returns them
// all. label names the screen and state in the messages, e.g.
// "kiosk start (en)".
func (b *Browser) Axe(label string) []AxeViolation {
	b.T.Helper()
	vs := b.AxeViolations()
	var blocking, other []string
	for _, v := range vs {
		if v.Blocking() {
			blocking = append(blocking, "\n  "+v.String())
		} else {
			other = append(other, "\n  "+v.String())
		}
	}
	if len(other) > 0 {
		b.T.Logf("axe: %s: %d moderate or minor violations:%s", label, len(other), strings.Join(other, ""))
	}
	if len(blocking) > 0 {
		b.T.Errorf("axe: %s: %d serious or critical violations:%s", label, len(blocking), strings.Join(blocking, ""))
	}
	return vs
}

// AxeViolations runs axe-core's WCAG 2.1 A and AA rules on the page and
// returns every violation, whatever its impact, without judging them.
//
// The screens forbid scripts from elsewhere (Content-Security-Policy
// default-src 'self'), so axe is not loaded with a <script src>: its
// source is evaluated through the DevTools protocol, which the page's
// policy does not govern. It stays in the page until the next navigation.
// Frames are not entered (each page, the print page included, is checked
// on its own).
func (b *Browser) AxeViolations() []AxeViolation {
	b.T.Helper()
	// Whole-page checks of a busy admin table under -race take a while.
	ctx, cancel := context.WithTimeout(b.ctx, 90*time.Second)
	defer cancel()
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === "object" && typeof window.axe.run === "function"`))
	if err != nil {
		b.T.Fatalf("browsertest: axe: %v%s", err, b.consoleTail())
	}
	if !loaded {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](axeSource+"\n;true")); err != nil {
			b.T.Fatalf("browsertest: injecting axe: %v%s", err, b.consoleTail())
		}
	}
	tags, _ := json.Marshal(AxeTags)
	expr := fmt.Sprintf(`axe.run(document, {
		runOnly: {type: "tag", values: %s},
		resultTypes: ["violations"],
		iframes: false,
	}).then((r) => r.violations.map((v) => ({
		id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
		nodes: v.nodes.map((n) => ({
			target: n.target.map((t) => Array.isArray(t) ? t.join(" >>> ") : String(t)),
			html: n.html,
			summary: n.failureSummary || "",
		})),
	})))`, tags)
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.T.Fatalf("browsertest: running axe: %v%s", err, b.consoleTail())
	}
	var vs []AxeViolation
	if err := json.Unmarshal(raw, &vs); err != nil {
		b.T.Fatalf("browsertest: axe's answer: %v", err)
	}
	return vs
}
