import { LEVELS, type LogHistogram } from "./api";
import { formatCount, h, svg } from "./dom";
import { formatTick, formatTime, zoneLabel } from "./time-format";

const LEFT = 48;
const BOTTOM = 20;
const TOP = 6;
const SCALE_KEY = "logbus-histogram-scale";

export type HistogramScale = "linear" | "log";

/**
 * A spike (one import of a million events) flattens every other bar on a linear axis; on the log axis each bar's
 * height is log(1 + count), so a bucket of 10 still shows beside one of 1,000,000. The reader picks; it is remembered.
 */
export function histogramScale(): HistogramScale {
  return localStorage.getItem(SCALE_KEY) === "log" ? "log" : "linear";
}

export function setHistogramScale(scale: HistogramScale): void {
  localStorage.setItem(SCALE_KEY, scale);
}

/** How many buckets to ask for, so bars stay a few pixels wide at this width. */
export function bucketsFor(width: number): number {
  return Math.min(120, Math.max(12, Math.floor((width - LEFT) / 9)));
}

/**
 * Stacked bars of the matching events per bucket and level, with a count axis and a time axis. Dragging across the
 * plot (or clicking a bar) calls <c>onRange</c> with the times under the pointer.
 */
export function renderHistogram(histogram: LogHistogram, width: number, onRange: (from: Date, to: Date) => void): HTMLElement {
  const scale = histogramScale();
  // Shorter on a phone, so the first results still show on the first screen.
  const HEIGHT = width < 500 ? 100 : 150;
  const buckets = histogram.buckets;
  const levels = LEVELS.filter((level) => (histogram.byLevel[level] ?? 0) > 0);
  const plotWidth = Math.max(60, width - LEFT - 4);
  const plotHeight = HEIGHT - BOTTOM - TOP;
  const bucketMs = histogram.bucketSeconds * 1000;
  const start = buckets.length > 0 ? new Date(buckets[0].start).getTime() : new Date(histogram.from).getTime();
  const end = start + buckets.length * bucketMs;
  const peak = Math.max(1, ...buckets.map((b) => b.total));
  const ticks = countTicks(peak, scale);
  const top = ticks[ticks.length - 1];
  const y = (n: number) => TOP + plotHeight - (scale === "log" ? Math.log10(1 + n) / Math.log10(1 + top) : n / top) * plotHeight;
  const barWidth = plotWidth / Math.max(1, buckets.length);
  const xOf = (time: number) => LEFT + ((time - start) / (end - start)) * plotWidth;

  const bars = buckets.map((bucket, i) => {
    const x = LEFT + i * barWidth;
    // Each level's share of the bar's height is its share of the bar's events, on either scale.
    const height = TOP + plotHeight - y(bucket.total);
    let bottom = TOP + plotHeight;
    const rects = levels.map((level) => {
      const n = bucket.counts[level] ?? 0;
      if (n === 0) return null;
      const part = (n / bucket.total) * height;
      bottom -= part;
      return svg("rect", { x: x + 0.5, y: bottom, width: Math.max(barWidth - 1, 0.5), height: part, class: `level-${level}` });
    });
    const title = `${formatTime(bucket.start)}: ${formatCount(bucket.total)} event${bucket.total === 1 ? "" : "s"}`
      + levels.filter((l) => bucket.counts[l]).map((l) => `, ${l} ${formatCount(bucket.counts[l])}`).join("");
    return svg("g", { class: "bucket", "data-start": bucket.start, "data-total": bucket.total },
      svg("title", {}, title),
      svg("rect", { x, y: TOP, width: barWidth, height: plotHeight, class: "hit" }),
      ...rects);
  });

  const yAxis = ticks.map((n) => svg("g", { class: "tick" },
    svg("line", { x1: LEFT - 3, x2: LEFT + plotWidth, y1: y(n), y2: y(n), class: n === 0 ? "axis" : "grid" }),
    svg("text", { x: LEFT - 6, y: y(n) + 4, "text-anchor": "end" }, compact(n))));
  const xAxis = timeTicks(start, end, bucketMs, plotWidth).map((t) => svg("g", { class: "tick" },
    svg("line", { x1: xOf(t.time), x2: xOf(t.time), y1: TOP + plotHeight, y2: TOP + plotHeight + 4, class: "axis" }),
    svg("text", { x: xOf(t.time), y: HEIGHT - 4, "text-anchor": "middle" }, t.label)));

  const selection = svg("rect", { class: "selection", x: 0, y: TOP, width: 0, height: plotHeight, visibility: "hidden" });
  const busiest = buckets.reduce((a, b) => (b.total > a.total ? b : a), buckets[0]);
  const label = `Matching events per ${duration(histogram.bucketSeconds)} by level, ${scale === "log" ? "logarithmic" : "linear"} count axis. `
    + `Busiest: ${formatCount(busiest?.total ?? 0)} events from ${busiest ? formatTime(busiest.start) : "-"}.`;
  const plot = svg("svg",
    { class: "histogram-plot", width, height: HEIGHT, viewBox: `0 0 ${width} ${HEIGHT}`, role: "img", "aria-label": label },
    ...yAxis, ...bars, ...xAxis, selection) as SVGSVGElement;

  // Dragging selects a span of time; a click without moving zooms into the bucket under the pointer.
  let anchor: number | null = null;
  const xIn = (e: PointerEvent) => {
    const box = plot.getBoundingClientRect();
    return Math.min(Math.max(e.clientX - box.left, LEFT), LEFT + plotWidth);
  };
  const timeAt = (x: number) => start + ((x - LEFT) / plotWidth) * (end - start);
  plot.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    anchor = xIn(e);
    plot.setPointerCapture(e.pointerId);
    e.preventDefault();
  });
  plot.addEventListener("pointermove", (e) => {
    if (anchor === null) return;
    const x = xIn(e);
    selection.setAttribute("x", String(Math.min(anchor, x)));
    selection.setAttribute("width", String(Math.abs(x - anchor)));
    selection.setAttribute("visibility", "visible");
  });
  plot.addEventListener("pointerup", (e) => {
    if (anchor === null) return;
    const x = xIn(e);
    const from = anchor;
    anchor = null;
    selection.setAttribute("visibility", "hidden");
    if (Math.abs(x - from) < 4) {
      const i = Math.min(buckets.length - 1, Math.floor((x - LEFT) / barWidth));
      if (i < 0) return;
      const bucketStart = start + i * bucketMs;
      onRange(new Date(bucketStart), new Date(bucketStart + bucketMs));
      return;
    }
    // Whole seconds: the range goes into the address, and a shorter one reads better there.
    const lo = Math.floor(timeAt(Math.min(from, x)) / 1000) * 1000;
    const hi = Math.ceil(timeAt(Math.max(from, x)) / 1000) * 1000;
    onRange(new Date(lo), new Date(hi));
  });
  plot.addEventListener("pointercancel", () => {
    anchor = null;
    selection.setAttribute("visibility", "hidden");
  });

  return h("figure", { class: "histogram-chart" },
    plot,
    h("figcaption", {},
      `Per ${duration(histogram.bucketSeconds)}, times in ${zoneLabel()}. Drag across the bars (or click one) to narrow the time range.`));
}

/** Count-axis ticks from 0 to a round value at or above the peak: 1-2-5 steps, or powers of ten on the log scale. */
function countTicks(peak: number, scale: HistogramScale): number[] {
  if (scale === "log") {
    const ticks = [0];
    for (let n = 1; ; n *= 10) {
      ticks.push(n);
      if (n >= peak) return ticks;
    }
  }
  const rough = peak / 3;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
  const ticks = [];
  for (let n = 0; ; n += step) {
    ticks.push(n);
    if (n >= peak) return ticks;
  }
}

/** Time-axis labels at round times, about one per 90 px. */
function timeTicks(start: number, end: number, bucketMs: number, plotWidth: number): { time: number; label: string }[] {
  const wanted = Math.max(2, Math.floor(plotWidth / 90));
  const steps = [1, 5, 10, 15, 30, 60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800]
    .map((s) => s * 1000);
  const step = steps.find((s) => s >= Math.max(bucketMs, (end - start) / wanted)) ?? Math.ceil((end - start) / wanted / 86_400_000) * 86_400_000;
  const withSeconds = step < 60_000;
  const withDate = end - start > 86_400_000 || new Date(start).toDateString() !== new Date(end - 1).toDateString();
  // Round times in the zone shown: align on the zone's offset when the step is a whole hour or more.
  const offset = zoneLabel() === "UTC" || step < 3_600_000 ? 0 : -new Date(start).getTimezoneOffset() * 60_000;
  const ticks = [];
  for (let t = Math.ceil((start + offset) / step) * step - offset; t <= end; t += step) {
    ticks.push({ time: t, label: formatTick(new Date(t), withDate, withSeconds) });
  }
  return ticks;
}

function compact(n: number): string {
  if (n >= 1_000_000) return `${+(n / 1_000_000).toFixed(1)}M`;
  if (n >= 1_000) return `${+(n / 1_000).toFixed(1)}k`;
  return String(n);
}

function duration(seconds: number): string {
  const units: [number, string][] = [[86400, "day"], [3600, "hour"], [60, "minute"], [1, "second"]];
  const [size, name] = units.find(([size]) => seconds % size === 0 && seconds >= size) ?? [1, "second"];
  const n = seconds / size;
  return n === 1 ? name : `${n} ${name}s`;
}
