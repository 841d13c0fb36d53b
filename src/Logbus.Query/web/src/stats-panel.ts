import { LEVELS, type LogStats } from "./api";
import { formatCount, h } from "./dom";

/**
 * The overview beside the results: every event of the last hours by level and the busiest sources, whatever the
 * search (the histogram above the results is the one that follows the search).
 */
export function renderStats(stats: LogStats, hours: number, onSource: (source: string) => void): HTMLElement {
  const levels = LEVELS.filter((level) => (stats.byLevel[level] ?? 0) > 0);
  return h("div", { class: "stats-body" },
    h("p", { class: "stats-total" },
      h("strong", { "data-testid": "stats-total" }, formatCount(stats.total)),
      ` events from every source in the last ${hours === 1 ? "hour" : `${hours} hours`}, whatever the search`),
    h("ul", { class: "legend", "aria-label": "Events by level" },
      ...levels.map((level) => h("li", {},
        h("span", { class: `swatch level-${level}`, "aria-hidden": "true" }), `${level} ${formatCount(stats.byLevel[level] ?? 0)}`))),
    h("h3", {}, "Top sources"),
    stats.bySource.length === 0
      ? h("p", { class: "muted" }, "No events in this window.")
      : h("ol", { class: "top-sources" },
        ...stats.bySource.slice(0, 8).map((s) =>
          h("li", {},
            h("button", { type: "button", class: "link", title: `Show only ${s.source}`, onclick: () => onSource(s.source) }, s.source),
            h("span", { class: "count" }, formatCount(s.count))))));
}
