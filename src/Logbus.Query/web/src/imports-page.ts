import { ApiError, listImports, type ImportStatus } from "./api";
import { formatCount, formatTime, h } from "./dom";
import { zoneLabel } from "./time-format";

const REFRESH_MS = 1500;
const ACTIVE = new Set(["Receiving", "Persisting"]);

/**
 * The imports page: every recent import with its progress from the import saga. The Query service only reads, so the
 * page offers no cancel; it says where to cancel (DELETE on the Api, which needs no browser session of this service).
 */
export function mountImportsPage(main: HTMLElement): void {
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const list = h("ol", { class: "imports", "aria-label": "Imports, newest first" });
  const error = h("p", { class: "error", role: "alert", hidden: true });
  main.append(
    h("section", { class: "imports-page", "aria-labelledby": "imports-heading" },
      h("h1", { id: "imports-heading" }, "Imports"),
      h("p", { class: "muted" }, "Files posted to the Api's /api/imports, with what the Worker has stored of them so far. "
        + "To cancel a running import, send DELETE /api/imports/{id} to the Api."),
      status, error, list));

  let timer = 0;
  async function refresh(): Promise<void> {
    window.clearTimeout(timer);
    try {
      const imports = await listImports(50);
      error.hidden = true;
      render(imports);
      status.textContent = imports.length === 0
        ? "No imports yet."
        : `${imports.length} import${imports.length === 1 ? "" : "s"}, ${imports.filter((i) => ACTIVE.has(i.state)).length} running`;
    } catch (e) {
      error.hidden = false;
      error.textContent = e instanceof ApiError && e.status === 404
        ? "This Query service does not list imports (no /api/imports)."
        : `Imports unavailable: ${e instanceof Error ? e.message : String(e)}`;
    }
    // Poll while the page is visible; a hidden tab catches up when it is shown again.
    if (!document.hidden) timer = window.setTimeout(() => void refresh(), REFRESH_MS);
  }

  function render(imports: ImportStatus[]): void {
    // Keep unchanged cards (and so an open list of rejected lines) across refreshes: replace cards in place, by id.
    const existing = new Map([...list.children].map((li) => [(li as HTMLElement).dataset.id, li as HTMLElement]));
    const cards = imports.map((status) => {
      const card = importCard(status);
      const old = existing.get(status.id);
      if (old && old.dataset.version === card.dataset.version) return old;
      return card;
    });
    list.replaceChildren(...cards);
  }

  document.addEventListener("visibilitychange", () => { if (!document.hidden) void refresh(); });
  void refresh();
}

function importCard(status: ImportStatus): HTMLElement {
  const done = status.stored + status.duplicates + status.skipped;
  const finished = !ACTIVE.has(status.state);
  // Until the whole file is received the number of events to store is unknown, and so is the progress.
  const percent = status.state.startsWith("Completed") ? 100
    : status.state !== "Receiving" && status.accepted > 0 ? Math.min(100, Math.floor((done * 100) / status.accepted))
    : null;
  const name = status.fileName ?? `import ${status.id.slice(0, 8)}`;
  const progressLabel = percent !== null ? `${percent}%` : finished ? spaced(status.state).toLowerCase() : "receiving the file";
  const card = h("li", { class: `import is-${status.state}`, "data-id": status.id, "data-state": status.state },
    h("div", { class: "import-head" },
      h("h2", {}, name),
      h("span", { class: `state state-${status.state}` }, spaced(status.state))),
    h("div", {
      class: "bar", role: "progressbar", "aria-label": `Progress of ${name}`, "aria-valuemin": 0, "aria-valuemax": 100,
      "aria-valuenow": percent ?? false, "aria-valuetext": progressLabel,
    }, h("div", { class: `fill${percent === null && !finished ? " indeterminate" : ""}`, style: `width: ${percent ?? (finished ? 0 : 100)}%` })),
    h("p", { class: "counts" },
      `${progressLabel} · ${status.format} · ${formatCount(status.linesRead)} lines read, ${formatCount(status.accepted)} accepted, `
      + `${formatCount(status.rejected)} rejected, ${formatCount(status.stored)} stored, ${formatCount(status.duplicates)} duplicates`
      + (status.skipped ? `, ${formatCount(status.skipped)} skipped` : "")
      + (status.chunksExpected !== null ? ` · chunk ${status.chunksStored} of ${status.chunksExpected}` : "")),
    h("p", { class: "muted" },
      `Started ${formatTime(status.startedAt)}` + (status.finishedAt ? `, finished ${formatTime(status.finishedAt)}` : "")
      + ` (${zoneLabel()})`),
    status.failureReason ? h("p", { class: "error" }, status.failureReason) : null,
    status.errors.length > 0
      ? h("details", {}, h("summary", {}, `${status.errors.length} rejected line${status.errors.length === 1 ? "" : "s"}`),
        h("ul", {}, ...status.errors.slice(0, 100).map((e) => h("li", {}, `line ${e.line}: ${e.reason}`))))
      : null);
  card.dataset.version = JSON.stringify(status);
  return card;
}

const spaced = (state: string): string => state.replace(/([a-z])([A-Z])/g, "$1 $2");
