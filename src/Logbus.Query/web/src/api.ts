// The shapes the Query service answers with (camelCase JSON), and thin fetch helpers over them.
import { KeyedEventSource, keyedFetch } from "./api-key";

export const LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"] as const;
export type Level = (typeof LEVELS)[number];

export interface LogEvent {
  id: string;
  timestamp: string;
  level: string;
  message: string;
  source: string;
  metadata: unknown;
  traceId: string | null;
  spanId: string | null;
  exception: string | null;
  importId: string | null;
  receivedAt: string;
  storedAt: string;
}

export interface SearchPage {
  items: LogEvent[];
  nextCursor: string | null;
  from: string;
  to: string;
  order: string;
}

export interface LogStats {
  from: string;
  to: string;
  total: number;
  byLevel: Record<string, number>;
  bySource: { source: string; count: number }[];
  bucketMinutes: number;
  timeline: { start: string; counts: Record<string, number> }[];
}

export interface LogHistogram {
  from: string;
  to: string;
  bucketSeconds: number;
  total: number;
  byLevel: Record<string, number>;
  buckets: { start: string; total: number; counts: Record<string, number> }[];
}

export interface SourceSummary {
  source: string;
  lastSeen: string;
}

export type ImportState = "Receiving" | "Persisting" | "Completed" | "CompletedWithErrors" | "Failed" | "Cancelled";

export interface ImportStatus {
  id: string;
  fileName: string | null;
  format: "ndjson" | "clef" | "csv";
  state: ImportState;
  linesRead: number;
  accepted: number;
  rejected: number;
  stored: number;
  duplicates: number;
  skipped: number;
  chunksExpected: number | null;
  chunksStored: number;
  errors: { line: number; reason: string }[];
  failureReason: string | null;
  startedAt: string;
  receivedAt: string | null;
  finishedAt: string | null;
}

/** An answer that was not 2xx, with the ProblemDetails text when there is one. */
export class ApiError extends Error {
  /** @param errors A ValidationProblem's problems by parameter name (e.g. filter: "At column 12: …"). */
  constructor(readonly status: number, message: string, readonly errors: Record<string, string[]> = {}) {
    super(message);
  }
}

async function problem(response: Response): Promise<ApiError> {
  let text = `${response.status} ${response.statusText}`;
  let errors: Record<string, string[]> = {};
  try {
    const body = await response.json();
    errors = body.errors ?? {};
    const details = body.errors ? Object.values(body.errors as Record<string, string[]>).flat().join(" ") : body.detail;
    text = [body.title, details].filter(Boolean).join(" ") || text;
  } catch {
    // Not JSON: the status line says enough.
  }
  return new ApiError(response.status, text, errors);
}

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const response = await keyedFetch(url, { headers: { Accept: "application/json" }, signal });
  if (!response.ok) throw await problem(response);
  return (await response.json()) as T;
}

export const searchLogs = (query: URLSearchParams, signal?: AbortSignal) => getJson<SearchPage>(`/api/query/logs?${query}`, signal);
export const getStats = (hoursBack: number, signal?: AbortSignal) => getJson<LogStats>(`/api/query/stats?hoursBack=${hoursBack}`, signal);
export const getHistogram = (query: URLSearchParams, signal?: AbortSignal) =>
  getJson<LogHistogram>(`/api/query/histogram?${query}`, signal);
/** The export file of a search, whole (GET /api/query/export streams it; the browser keeps it until saved). */
export async function getExport(query: URLSearchParams): Promise<Blob> {
  const response = await keyedFetch(`/api/query/export?${query}`);
  if (!response.ok) throw await problem(response);
  return response.blob();
}
export const getSources = () => getJson<SourceSummary[]>("/api/query/sources");
export const listImports = (limit: number) => getJson<ImportStatus[]>(`/api/imports?limit=${limit}`);

/** The live tail's event stream, sent with the explorer's API key. */
export const openTail = (query: URLSearchParams) => new KeyedEventSource(`/api/query/tail?${query}`);
