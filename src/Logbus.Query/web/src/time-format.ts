// One way to write a time everywhere in the explorer (2026-12-03 07:36:46.300), in the reader's zone or in UTC, the
// zone always named beside it. The choice is remembered, like the theme.

const KEY = "logbus-time-zone";
const CHANGED = "logbus:time-zone";

export type TimeZoneChoice = "local" | "utc";

export function timeZoneChoice(): TimeZoneChoice {
  return localStorage.getItem(KEY) === "utc" ? "utc" : "local";
}

const two = (n: number) => String(n).padStart(2, "0");

interface Parts { date: string; clock: string; millis: string }

function parts(iso: string | Date): Parts {
  const d = iso instanceof Date ? iso : new Date(iso);
  const utc = timeZoneChoice() === "utc";
  const [y, mo, da, h, mi, s] = utc
    ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
  return {
    date: `${String(y).padStart(4, "0")}-${two(mo)}-${two(da)}`,
    clock: `${two(h)}:${two(mi)}:${two(s)}`,
    millis: String(utc ? d.getUTCMilliseconds() : d.getMilliseconds()).padStart(3, "0"),
  };
}

/** "2026-12-03 07:36:46.300" in the chosen zone. */
export function formatTime(iso: string | Date): string {
  const p = parts(iso);
  return `${p.date} ${p.clock}.${p.millis}`;
}

/** The date and the time of day separately, for layouts that stack them. */
export function formatTimeParts(iso: string | Date): { date: string; time: string } {
  const p = parts(iso);
  return { date: p.date, time: `${p.clock}.${p.millis}` };
}

/** A shorter form for axis labels: seconds only when the scale needs them, the date only when it changes. */
export function formatTick(time: Date, withDate: boolean, withSeconds: boolean): string {
  const p = parts(time);
  const clock = withSeconds ? p.clock : p.clock.slice(0, 5);
  return withDate ? `${p.date.slice(5)} ${clock}` : clock;
}

/** The zone times are shown in: "UTC", or the reader's zone with its offset now (e.g. "Europe/Paris, UTC+01:00"). */
export function zoneLabel(): string {
  if (timeZoneChoice() === "utc") return "UTC";
  const minutes = -new Date().getTimezoneOffset();
  const sign = minutes < 0 ? "-" : "+";
  const offset = `UTC${sign}${two(Math.floor(Math.abs(minutes) / 60))}:${two(Math.abs(minutes) % 60)}`;
  const name = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return name && name !== "UTC" ? `${name}, ${offset}` : offset;
}

/** Calls back whenever the reader switches between local time and UTC. */
export function onTimeZoneChange(listener: () => void): void {
  window.addEventListener(CHANGED, listener);
}

/** The header's switch between local time and UTC. */
export function initTimeZone(button: HTMLButtonElement): void {
  const apply = () => {
    const utc = timeZoneChoice() === "utc";
    button.setAttribute("aria-pressed", String(utc));
    button.title = `Times are shown in ${zoneLabel()}`;
  };
  button.addEventListener("click", () => {
    localStorage.setItem(KEY, timeZoneChoice() === "utc" ? "local" : "utc");
    apply();
    window.dispatchEvent(new Event(CHANGED));
  });
  apply();
}
