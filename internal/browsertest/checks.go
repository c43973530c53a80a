package browsertest

import "fmt"

// Checks of what a screen shows, for any page: touch targets, contrast
// and sideways overflow.

// SmallTargets lists the visible controls (buttons, links, inputs)
// smaller than min×min CSS pixels. Links inside a sentence (display
// inline) are left out, as WCAG 2.5.8 does.
func (b *Browser) SmallTargets(min int) []string {
	b.T.Helper()
	var out []string
	b.Eval(fmt.Sprintf(`(() => {
		const bad = [];
		for (const el of document.querySelectorAll("button, a[href], input, [role=button]")) {
			const r = el.getBoundingClientRect();
			if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === "hidden") continue;
			if (el.tagName === "A" && getComputedStyle(el).display === "inline") continue;
			if (r.width < %d || r.height < %d) bad.push((el.id || el.className || el.tagName) + " " + Math.round(r.width) + "×" + Math.round(r.height) + " " + el.textContent.trim().slice(0, 30));
		}
		return bad;
	})()`, min, min), &out)
	return out
}

// LowContrast lists visible text whose colour on its background is below
// WCAG AA: 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold).
func (b *Browser) LowContrast() []string {
	b.T.Helper()
	var out []string
	b.Eval(`(() => {
		const parse = (c) => {
			const m = /rgba?\(([^)]+)\)/.exec(c);
			if (!m) return null;
			const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
			return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
		};
		const lum = ({ r, g, b }) => {
			const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
			return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
		};
		const background = (el) => {
			for (let e = el; e; e = e.parentElement) {
				const c = parse(getComputedStyle(e).backgroundColor);
				if (c && c.a > 0.5) return c;
			}
			return { r: 255, g: 255, b: 255, a: 1 };
		};
		const bad = [], seen = new Set();
		const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
		while (walk.nextNode()) {
			const el = walk.currentNode.parentElement;
			if (!walk.currentNode.textContent.trim() || seen.has(el)) continue;
			seen.add(el);
			const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
			if (r.width <= 1 || r.height <= 1 || cs.visibility === "hidden") continue;
			const l1 = lum(parse(cs.color)), l2 = lum(background(el));
			const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
			const size = parseFloat(cs.fontSize), large = size >= 24 || (parseInt(cs.fontWeight) >= 700 && size >= 18.66);
			if (ratio < (large ? 3 : 4.5)) bad.push(el.textContent.trim().slice(0, 40) + " " + ratio.toFixed(2));
		}
		return bad;
	})()`, &out)
	return out
}

// Overflows reports whether the page scrolls sideways.
func (b *Browser) Overflows() bool {
	b.T.Helper()
	var wide bool
	b.Eval(`document.documentElement.scrollWidth > window.innerWidth + 1`, &wide)
	return wide
}

// ForeignRequests lists the resources the page loaded from another
// origin than its own (a screen must work on a LAN without internet).
func (b *Browser) ForeignRequests() []string {
	b.T.Helper()
	var out []string
	b.Eval(`performance.getEntriesByType("resource").map((e) => e.name).filter((u) => new URL(u, location.href).origin !== location.origin)`, &out)
	return out
}
