import { LEVELS, type LogStats } from "./api";
import { formatCount, h, svg } from "./dom";

const MAX_BARS = 120;
const WIDTH = 600;
const HEIGHT = 160;

/** The stats panel: totals by level, events over time by level as stacked bars, and the busiest sources. */
export function renderStats(stats: LogStats, hours: number, onSource: (source: string) => void): HTMLElement {
  const levels = LEVELS.filter((level) => (stats.byLevel[level] ?? 0) > 0);
  const bars = rebucket(stats);
  return h("div", { class: "stats-body" },
    h("p", { class: "stats-total" },
      h("strong", { "data-testid": "stats-total" }, formatCount(stats.total)), ` events in the last ${hours === 1 ? "hour" : `${hours} hours`}`),
    h("ul", { class: "legend", "aria-label": "Events by level" },
      ...levels.map((level) => h("li", {},
        h("span", { class: `swatch level-${level}`, "aria-hidden": "true" }), `${level} ${formatCount(stats.byLevel[level] ?? 0)}`))),
    chart(bars, levels),
    h("h3", {}, "Top sources"),
    stats.bySource.length === 0
      ? h("p", { class: "muted" }, "No events in this window.")
      : h("ol", { class: "top-sources" },
        ...stats.bySource.slice(0, 8).map((s) =>
          h("li", {},
            h("button", { type: "button", class: "link", title: `Show only ${s.source}`, onclick: () => onSource(s.source) }, s.source),
            h("span", { class: "count" }, formatCount(s.count))))));
}

interface Bar {
  start: Date;
  counts: Record<string, number>;
  total: number;
}

/**
 * The timeline has up to 1,440 points and leaves out empty buckets; the chart draws at most MAX_BARS bars, each
 * covering a whole number of buckets, with empty bars where nothing happened.
 */
function rebucket(stats: LogStats): { bars: Bar[]; minutes: number } {
  const from = new Date(stats.from).getTime();
  const to = new Date(stats.to).getTime();
  const buckets = Math.max(1, Math.ceil((to - from) / (stats.bucketMinutes * 60_000)));
  const perBar = Math.ceil(buckets / MAX_BARS);
  const minutes = perBar * stats.bucketMinutes;
  const count = Math.ceil(buckets / perBar);
  const bars: Bar[] = Array.from({ length: count }, (_, i) => ({ start: new Date(from + i * minutes * 60_000), counts: {}, total: 0 }));
  for (const point of stats.timeline) {
    const index = Math.floor((new Date(point.start).getTime() - from) / (minutes * 60_000));
    const bar = bars[Math.min(Math.max(index, 0), count - 1)];
    for (const [level, n] of Object.entries(point.counts)) {
      bar.counts[level] = (bar.counts[level] ?? 0) + n;
      bar.total += n;
    }
  }
  return { bars, minutes };
}

function chart({ bars, minutes }: { bars: Bar[]; minutes: number }, levels: readonly string[]): HTMLElement {
  const peak = Math.max(1, ...bars.map((b) => b.total));
  const width = WIDTH / bars.length;
  const busiest = bars.reduce((a, b) => (b.total > a.total ? b : a), bars[0]);
  const unit = minutes === 1 ? "minute" : `${minutes} minutes`;
  const label = `Events per ${unit} by level. Busiest: ${formatCount(busiest?.total ?? 0)} events `
    + `from ${busiest?.start.toLocaleTimeString() ?? "-"}.`;
  const groups = bars.map((bar, i) => {
    let y = HEIGHT;
    const rects = levels.map((level) => {
      const n = bar.counts[level] ?? 0;
      const height = (n / peak) * HEIGHT;
      y -= height;
      return n === 0 ? null : svg("rect", { x: i * width + 0.5, y, width: Math.max(width - 1, 0.5), height, class: `level-${level}` });
    });
    const title = `${bar.start.toLocaleString()}: ${formatCount(bar.total)} events`
      + levels.filter((l) => bar.counts[l]).map((l) => `, ${l} ${formatCount(bar.counts[l])}`).join("");
    return svg("g", {}, svg("title", {}, title), ...rects);
  });
  return h("figure", { class: "chart" },
    (() => {
      const root = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, preserveAspectRatio: "none", role: "img", "aria-label": label },
        svg("line", { x1: 0, x2: WIDTH, y1: HEIGHT - 0.5, y2: HEIGHT - 0.5, class: "axis" }), ...groups);
      return root;
    })(),
    h("figcaption", {}, `Events per ${unit}, peak ${formatCount(peak)}; ${bars[0]?.start.toLocaleString() ?? ""} to now`));
}
