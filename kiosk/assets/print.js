// print.js — fits the printed page to the ticket. A number too long for
// the roll at its usual size (a busy service's "ABC1000" on 58 mm) gets
// smaller type rather than running off the paper; and, as a thermal roll
// has no fixed page length, @page gets the slip's own height (the width
// comes from print-58.css or print-80.css). CSSOM, not inline styles, so
// the Content-Security-Policy needs no exception.
function fitNumber() {
  const n = document.querySelector(".number");
  if (!n) return;
  n.style.removeProperty("font-size");
  let size = parseFloat(getComputedStyle(n).fontSize);
  for (let i = 0; i < 40 && n.scrollWidth > n.clientWidth && size > 8; i++) {
    size = Math.max(8, Math.floor(size * Math.min(0.97, n.clientWidth / n.scrollWidth)));
    n.style.setProperty("font-size", `${size}px`);
  }
}

function fit() {
  fitNumber();
  const slip = document.querySelector(".slip");
  if (!slip) return;
  const mm = Math.ceil((slip.getBoundingClientRect().height * 25.4) / 96) + 2;
  const width = document.documentElement.classList.contains("paper-58") ? 58 : 80;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(`@page { size: ${width}mm ${mm}mm; margin: 0; }`);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  document.documentElement.dataset.pageMm = String(mm);
}
fit();
window.addEventListener("load", fit, { once: true });
