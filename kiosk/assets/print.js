// print.js — fits the printed page to the ticket: a thermal roll has no
// fixed page length, so @page gets the slip's own height (the width comes
// from print-58.css or print-80.css). CSSOM, not an inline style, so the
// Content-Security-Policy needs no exception.
function fit() {
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
