// i18n.js — translations and Indonesian date and time for every screen.
//
// The server renders the page's catalogue (the embedded JSON of the
// screen's language, id or en) into
//   <script type="application/json" id="i18n">{"key": "text", …}</script>
// which is data, not code, so the CSP needs no exception.
//
//   import { loadI18n, formatClock } from "/static/i18n.js";
//   const { t, lang } = loadI18n();
//   t("conn.offline")                       // "Terputus — menyambung kembali…"
//   t("waiting", { n: 14 })                 // "menunggu {n}" → "menunggu 14"
//   formatClock(new Date(), "Asia/Jakarta", t)
//     // {date: "Kamis, 26 November 2026", time: "10.41 WIB"}

export function loadI18n(id = "i18n") {
  let catalog = {};
  const el = document.getElementById(id);
  if (el) {
    try {
      catalog = JSON.parse(el.textContent);
    } catch (err) {
      console.error("i18n: bad catalogue", err);
    }
  }
  return { t: translator(catalog), lang: document.documentElement.lang || "id", catalog };
}

// translator returns t(key, vars): the key's text with {name} replaced by
// vars.name; a missing key is shown as itself so it is noticed.
export function translator(catalog) {
  return (key, vars) => {
    let s = Object.prototype.hasOwnProperty.call(catalog, key) ? catalog[key] : key;
    if (vars) {
      s = s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
    }
    return s;
  };
}

// Indonesia's three zones by their usual names; other zones show their
// UTC offset.
const zoneNames = {
  "Asia/Jakarta": "WIB",
  "Asia/Pontianak": "WIB",
  "Asia/Makassar": "WITA",
  "Asia/Ujung_Pandang": "WITA",
  "Asia/Jayapura": "WIT",
};

export function zoneAbbr(tz, date = new Date()) {
  if (zoneNames[tz]) return zoneNames[tz];
  try {
    const part = new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: "shortOffset" })
      .formatToParts(date)
      .find((p) => p.type === "timeZoneName");
    return part ? part.value.replace("GMT", "UTC") : "";
  } catch {
    return "";
  }
}

const weekdays = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

// wallClock reads date's calendar fields in time zone tz.
export function wallClock(date, tz) {
  let parts;
  try {
    parts = new Intl.DateTimeFormat("en-US", {
      timeZone: tz || "Asia/Jakarta",
      weekday: "short", year: "numeric", month: "numeric", day: "numeric",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).formatToParts(date);
  } catch {
    return wallClock(date, "Asia/Jakarta");
  }
  const get = (type) => parts.find((p) => p.type === type)?.value;
  return {
    weekday: weekdays[get("weekday")],
    year: Number(get("year")),
    month: Number(get("month")),
    day: Number(get("day")),
    hour: get("hour"),
    minute: get("minute"),
  };
}

// formatClock gives the date ("Kamis, 26 November 2026") and the time
// with its zone ("10.41 WIB"; in English "10:41 WIB").
export function formatClock(date, tz, t) {
  const w = wallClock(date, tz);
  const hour = w.hour === "24" ? "00" : w.hour;
  return {
    date: `${t("day." + w.weekday)}, ${w.day} ${t("month." + w.month)} ${w.year}`,
    time: `${hour}${t("time.sep")}${w.minute} ${zoneAbbr(tz, date)}`.trim(),
  };
}

// formatTime gives a time of day in the zone ("10.41").
export function formatTime(date, tz, t) {
  const w = wallClock(date, tz);
  const hour = w.hour === "24" ? "00" : w.hour;
  return `${hour}${t("time.sep")}${w.minute}`;
}
