// A search lives in the page's URL, in the API's own parameter names, so a link to the page is a link to the search.

import { clauses, writeShortcuts } from "./filter-shortcuts";
import { timeZoneChoice } from "./time-format";

export const RANGES = [
  { value: "15m", label: "Last 15 minutes", minutes: 15 },
  { value: "1h", label: "Last hour", minutes: 60 },
  { value: "6h", label: "Last 6 hours", minutes: 360 },
  { value: "24h", label: "Last 24 hours", minutes: 1440 },
  { value: "7d", label: "Last 7 days", minutes: 10080 },
] as const;

export const DEFAULT_RANGE = "24h";

export interface Search {
  /** A preset from RANGES, or "custom" for from/to. */
  range: string;
  from: string | null;
  to: string | null;
  /** An expression of the filter language (the API's filter=); empty for every event of the window. */
  filter: string;
}

export function readSearch(params: URLSearchParams): Search {
  const from = params.get("from");
  const to = params.get("to");
  const range = params.get("range") ?? (from || to ? "custom" : DEFAULT_RANGE);
  const metadata: [string, string][] = [];
  params.forEach((value, key) => {
    if (key.startsWith("meta.") && key.length > 5) metadata.push([key.slice(5), value]);
  });
  // Links from before the filter language (level=, source=, meta.key=, q=) still open their search, as an expression.
  const legacy = { levels: params.getAll("level"), sources: params.getAll("source"), metadata, text: params.get("q") ?? "" };
  const hasLegacy = legacy.levels.length + legacy.sources.length + metadata.length > 0 || legacy.text.trim() !== "";
  return {
    range: range === "custom" || RANGES.some((r) => r.value === range) ? range : DEFAULT_RANGE,
    from,
    to,
    filter: hasLegacy ? writeShortcuts(clauses(params.get("filter") ?? ""), legacy) : (params.get("filter") ?? "").trim(),
  };
}

/** The page's query string for a search: defaults left out, so plain searches make short links. */
export function writeSearch(search: Search): URLSearchParams {
  const params = new URLSearchParams();
  if (search.range === "custom") {
    params.set("range", "custom");
    if (search.from) params.set("from", search.from);
    if (search.to) params.set("to", search.to);
  } else if (search.range !== DEFAULT_RANGE) {
    params.set("range", search.range);
  }
  appendFilters(params, search);
  return params;
}

/** The filter that search, histogram, export and live tail share. */
function appendFilters(params: URLSearchParams, search: Search): void {
  if (search.filter.trim()) params.set("filter", search.filter.trim());
}

/** GET /api/query/logs parameters. A preset window stays open-ended, so the newest events keep showing up. */
export function searchQuery(search: Search, limit: number, now: Date = new Date()): URLSearchParams {
  const params = new URLSearchParams();
  if (search.range === "custom") {
    if (search.from) params.set("from", search.from);
    if (search.to) params.set("to", search.to);
  } else {
    params.set("from", new Date(now.getTime() - rangeMinutes(search.range) * 60_000).toISOString());
  }
  appendFilters(params, search);
  params.set("limit", String(limit));
  return params;
}

/** GET /api/query/histogram parameters: the search's window and filters. */
export function histogramQuery(search: Search, buckets: number, now: Date = new Date()): URLSearchParams {
  const params = searchQuery(search, 1, now);
  params.delete("limit");
  params.set("buckets", String(buckets));
  return params;
}

/**
 * GET /api/query/export parameters: the filter and the exact window the table's search ran over (its answer's from and
 * to), so the file holds what the table holds rather than what arrived since.
 */
export function exportQuery(search: Search, format: "ndjson" | "csv", window: { from: string; to: string }): URLSearchParams {
  const params = new URLSearchParams({ from: window.from, to: window.to });
  appendFilters(params, search);
  params.set("format", format);
  return params;
}

export function tailQuery(search: Search): URLSearchParams {
  const params = new URLSearchParams();
  appendFilters(params, search);
  return params;
}

/** The stats window that covers the search's window, in whole hours (the stats API takes 1-168). */
export function statsHours(search: Search, now: Date = new Date()): number {
  const minutes = search.range === "custom" && search.from
    ? (now.getTime() - new Date(search.from).getTime()) / 60_000
    : rangeMinutes(search.range);
  return Math.min(168, Math.max(1, Math.ceil(minutes / 60)));
}

function rangeMinutes(range: string): number {
  return RANGES.find((r) => r.value === range)?.minutes ?? 1440;
}

/** "userId=abc region=eu" as pairs; a word without "=" is not a condition and is reported. */
export function parseMetadata(text: string): { pairs: [string, string][]; invalid: string[] } {
  const pairs: [string, string][] = [];
  const invalid: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const at = word.indexOf("=");
    if (at > 0 && !word.slice(0, at).split(".").some((part) => part === "")) pairs.push([word.slice(0, at), word.slice(at + 1)]);
    else invalid.push(word);
  }
  return { pairs, invalid };
}

export const formatMetadata = (pairs: [string, string][]): string => pairs.map(([k, v]) => `${k}=${v}`).join(" ");

/** ISO time to the value of a datetime-local input, in the zone times are shown in (local or UTC), and back. */
export function toLocalInput(iso: string | null): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const offset = timeZoneChoice() === "utc" ? 0 : date.getTimezoneOffset();
  return new Date(date.getTime() - offset * 60_000).toISOString().slice(0, 19);
}

export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const date = new Date(timeZoneChoice() === "utc" ? `${value}Z` : value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
