import { ApiError, getExport, getHistogram, getSources, getStats, LEVELS, searchLogs, type LogEvent, type LogHistogram } from "./api";
import { append, formatCount, formatTime, h, uid } from "./dom";
import { bucketsFor, histogramScale, renderHistogram, setHistogramScale } from "./histogram";
import { readShortcuts, writeShortcuts } from "./filter-shortcuts";
import {
  exportQuery, formatMetadata, fromLocalInput, histogramQuery, parseMetadata, RANGES, readSearch, searchQuery, statsHours, tailQuery, toLocalInput,
  writeSearch, type Search,
} from "./search-state";
import { renderStats } from "./stats-panel";
import { openTail } from "./api";
import { themeInUrl } from "./theme";
import { formatTimeParts, onTimeZoneChange, zoneLabel } from "./time-format";

const PAGE_SIZE = 50;

/** The search page: filters, results with expandable rows, paging on the cursor, live tail, and the stats panel. */
export function mountSearchPage(main: HTMLElement): void {
  let search = readSearch(new URLSearchParams(location.search));
  let tailing = new URLSearchParams(location.search).get("tail") === "on";
  let cursor: string | null = null;
  let shown = 0;
  let searching: AbortController | null = null;
  let charting: AbortController | null = null;
  let histogram: LogHistogram | null = null;
  /** The window the table's search ran over (the API's answer), which an export repeats. */
  let shownWindow: { from: string; to: string } | null = null;
  let tail: ReturnType<typeof openTail> | null = null;

  // --- the filter expression ---------------------------------------------------------------------------------------
  const filterId = uid("filter");
  const filterBox = h("input", {
    id: filterId, name: "filter", type: "search", autocomplete: "off", spellcheck: "false",
    placeholder: `@Level in ['ERROR', 'FATAL'] and "timeout" and not StartsWith(@Source, 'health')`,
    "aria-describedby": `${filterId}-hint ${filterId}-error`,
  });
  const filterError = h("div", { id: `${filterId}-error`, class: "filter-error", role: "alert", hidden: true });
  const searchBar = h("form", { class: "search-bar", role: "search", "aria-label": "Filter expression" },
    h("label", { for: filterId }, "Filter"),
    h("div", { class: "search-line" },
      filterBox,
      h("button", { type: "submit", class: "primary" }, "Search")),
    filterError,
    h("small", { id: `${filterId}-hint`, class: "muted" },
      "@Level, @Source, @Message, @Exception, @TraceId, metadata by name (userId, http.status); = <> < > like in [...] and or not; "
      + "\"words\" search the message. The fields beside write into it. Press / to get here."));

  // --- shortcuts: fields that write their clause into the expression -------------------------------------------------
  const textId = uid("q");
  const text = h("input",
    { id: textId, name: "q", type: "search", autocomplete: "off", placeholder: "words in the message", "aria-describedby": `${textId}-hint` });
  const rangeId = uid("range");
  const range = h("select", { id: rangeId, name: "range" },
    ...RANGES.map((r) => h("option", { value: r.value }, r.label)), h("option", { value: "custom" }, "Custom range"));
  const fromId = uid("from");
  const toId = uid("to");
  const from = h("input", { id: fromId, name: "from", type: "datetime-local", step: 1 });
  const to = h("input", { id: toId, name: "to", type: "datetime-local", step: 1 });
  const customZone = h("small", { class: "muted zone-note" }, `Times in ${zoneLabel()}`);
  const custom = h("div", { class: "custom-range" },
    h("label", { for: fromId }, "From"), from, h("label", { for: toId }, "To"), to, customZone);
  const levelBoxes = LEVELS.map((level) => h("input", { type: "checkbox", name: "level", value: level }));
  const sourcesList = h("div", { class: "checks scroll", role: "group", "aria-label": "Sources" });
  const metaId = uid("meta");
  const meta = h("input",
    { id: metaId, name: "meta", type: "text", autocomplete: "off", placeholder: "userId=student123", "aria-describedby": `${metaId}-hint` });
  const formError = h("p", { class: "error", role: "alert", hidden: true });

  const formId = uid("filters");
  const form = h("form", { id: formId, class: "filters folded", "aria-label": "Filters" },
    h("div", { class: "field" },
      h("label", { for: textId }, "Text"), text,
      h("small", { id: `${textId}-hint`, class: "muted" }, "Each word must start a word of the message.")),
    h("div", { class: "field" }, h("label", { for: rangeId }, "Time"), range, custom),
    h("fieldset", {}, h("legend", {}, "Levels"),
      h("div", { class: "checks levels" }, ...levelBoxes.map((box) => h("label", { class: `check level-${box.value}` }, box, box.value)))),
    h("fieldset", {}, h("legend", {}, "Sources"), sourcesList),
    h("div", { class: "field" },
      h("label", { for: metaId }, "Metadata"), meta,
      h("small", { id: `${metaId}-hint`, class: "muted" }, "key=value, several separated by spaces; nested keys with dots.")),
    formError,
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary" }, "Apply"),
      h("button", {
        type: "button",
        class: "ghost",
        onclick: () => { search = readSearch(new URLSearchParams()); fillForm(); showFilterError(null); go(true); },
      }, "Clear")));

  // On a phone the filters fold away behind this button, so the results start on the first screen.
  const filtersToggle = h("button", {
    type: "button", class: "filters-toggle", "aria-expanded": "false", "aria-controls": formId,
    onclick: () => {
      const folded = form.classList.toggle("folded");
      filtersToggle.setAttribute("aria-expanded", String(!folded));
    },
  }, "Filters");

  // --- histogram -----------------------------------------------------------------------------------------------------
  const histogramHeading = uid("histogram");
  const histogramTotal = h("span", { class: "muted", "data-testid": "histogram-total" });
  const logScaleId = uid("log-scale");
  const logScale = h("input", { id: logScaleId, type: "checkbox", checked: histogramScale() === "log" });
  const histogramSlot = h("div", { class: "histogram-slot" });
  const histogramPanel = h("section", { class: "histogram", "aria-labelledby": histogramHeading },
    h("div", { class: "histogram-head" },
      h("h2", { id: histogramHeading }, "Matching events"), histogramTotal,
      h("label", { class: "check", for: logScaleId, title: "Heights as log(1 + count), so a spike does not flatten the rest" },
        logScale, "Log scale")),
    histogramSlot);

  // --- results -------------------------------------------------------------------------------------------------------
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const tailButton = h("button",
    { type: "button", class: "toggle", "aria-pressed": "false", title: "Show new events as they are stored (t)" }, "Live tail");
  const tailState = h("span", { class: "tail-state muted", "aria-live": "polite" });
  const tbody = h("tbody");
  const timeZone = h("span", { class: "zone" }, `(${zoneLabel()})`);
  const timeHeader = h("th", { scope: "col", class: "col-time" }, "Time ", timeZone);
  const table = h("table", { class: "results" },
    h("caption", { class: "sr-only" }, "Matching events, newest first. Use the arrow keys to move between rows and Enter to expand one."),
    h("thead", {}, h("tr", {},
      timeHeader, h("th", { scope: "col", class: "col-level" }, "Level"),
      h("th", { scope: "col", class: "col-source" }, "Source"), h("th", { scope: "col" }, "Message"))),
    tbody);
  const more = h("button", { type: "button", class: "more", hidden: true }, "Load more");
  const exportFormat = h("select", { "aria-label": "Export format" },
    h("option", { value: "ndjson" }, "NDJSON"), h("option", { value: "csv" }, "CSV"));
  const exportButton = h("button", {
    type: "button", title: "Download every event of this search (same filter and time range), not only the rows shown",
  }, "Export");
  const resultError = h("p", { class: "error", role: "alert", hidden: true });

  const statsSlot = h("div", { class: "stats-slot" }, h("p", { class: "muted" }, "Loading…"));
  const statsHeading = uid("stats");

  append(main,
    searchBar,
    h("div", { class: "filters-bar" }, filtersToggle),
    h("div", { class: "search-layout" },
      form,
      h("section", { class: "results-pane", "aria-label": "Results" },
        histogramPanel,
        h("div", { class: "toolbar" }, status,
          h("div", { class: "tail" }, tailState, tailButton, h("span", { class: "export" }, exportFormat, exportButton))),
        resultError,
        h("div", { class: "table-wrap" }, table),
        more),
      h("aside", { class: "stats", "aria-labelledby": statsHeading }, h("h2", { id: statsHeading }, "All events"), statsSlot)));

  // --- behaviour -----------------------------------------------------------------------------------------------------
  function fillForm(): void {
    filterBox.value = search.filter;
    range.value = search.range;
    from.value = toLocalInput(search.from);
    to.value = toLocalInput(search.to);
    custom.hidden = search.range !== "custom";
    showShortcuts();
  }

  /** Sets the fields from the expression in the box: each shows its own clause of it. */
  function showShortcuts(): void {
    const { shortcuts } = readShortcuts(filterBox.value);
    text.value = shortcuts.text;
    for (const box of levelBoxes) box.checked = shortcuts.levels.includes(box.value);
    if (document.activeElement !== meta) meta.value = formatMetadata(shortcuts.metadata);
    ensureSourceBoxes(shortcuts.sources);
    for (const box of sourcesList.querySelectorAll<HTMLInputElement>("input")) box.checked = shortcuts.sources.includes(box.value);
  }

  /** Writes the fields' clauses into the expression, keeping the reader's own clauses. */
  function writeShortcutsToBox(): void {
    const { rest } = readShortcuts(filterBox.value);
    filterBox.value = writeShortcuts(rest, {
      levels: levelBoxes.filter((b) => b.checked).map((b) => b.value),
      sources: [...sourcesList.querySelectorAll<HTMLInputElement>("input:checked")].map((b) => b.value),
      metadata: parseMetadata(meta.value).pairs,
      text: text.value,
    });
    showFilterError(null);
  }

  function readForm(): Search | null {
    const parsed = parseMetadata(meta.value);
    if (parsed.invalid.length > 0) {
      showFormError(`Not a metadata condition: ${parsed.invalid.join(", ")}. Write key=value.`);
      return null;
    }
    const next: Search = {
      range: range.value,
      from: range.value === "custom" ? fromLocalInput(from.value) : null,
      to: range.value === "custom" ? fromLocalInput(to.value) : null,
      filter: filterBox.value.trim(),
    };
    if (next.range === "custom" && next.from && next.to && next.from >= next.to) {
      showFormError("The custom range must start before it ends.");
      return null;
    }
    showFormError(null);
    return next;
  }

  /** A malformed expression: the API's message, and a caret under the column it names. */
  function showFilterError(message: string | null): void {
    filterError.hidden = message === null;
    filterBox.toggleAttribute("aria-invalid", message !== null);
    if (message === null) {
      filterError.replaceChildren();
      return;
    }
    const column = Number(/column (\d+)/i.exec(message)?.[1] ?? 0);
    filterError.replaceChildren(h("p", { class: "error" }, `The filter is not valid: ${message}`),
      ...(column > 0 ? [h("pre", { class: "caret", "aria-hidden": "true", "data-column": column },
        `${search.filter}\n${" ".repeat(column - 1)}^`)] : []));
    if (column > 0 && document.activeElement !== filterBox) {
      filterBox.focus();
      filterBox.setSelectionRange(column - 1, Math.min(filterBox.value.length, column));
    }
  }

  function showFormError(message: string | null): void {
    formError.hidden = message === null;
    formError.textContent = message ?? "";
  }

  function ensureSourceBoxes(sources: string[]): void {
    const present = new Set([...sourcesList.querySelectorAll<HTMLInputElement>("input")].map((b) => b.value));
    const chosen = readShortcuts(filterBox.value).shortcuts.sources;
    for (const source of sources) {
      if (present.has(source)) continue;
      const box = h("input", { type: "checkbox", name: "source", value: source, checked: chosen.includes(source) });
      sourcesList.append(h("label", { class: "check" }, box, source));
      present.add(source);
    }
  }

  /** Shows the search in the URL (a new history entry when asked), then runs it. */
  function go(push: boolean): void {
    const params = writeSearch(search);
    if (tailing) params.set("tail", "on");
    const theme = themeInUrl();
    if (theme) params.set("theme", theme);
    const url = `${location.pathname}${params.size ? `?${params}` : ""}`;
    if (push) history.pushState(null, "", url);
    else history.replaceState(null, "", url);
    void runSearch();
    void loadStats();
    void loadHistogram();
    if (tailing) startTail();
  }

  async function runSearch(append = false): Promise<void> {
    searching?.abort();
    const controller = new AbortController();
    searching = controller;
    const query = searchQuery(search, PAGE_SIZE);
    if (append && cursor) query.set("cursor", cursor);
    main.setAttribute("aria-busy", "true");
    more.disabled = true;
    try {
      const page = await searchLogs(query, controller.signal);
      if (!append) {
        tbody.replaceChildren();
        shown = 0;
      }
      for (const event of page.items) tbody.append(...row(event, false));
      shownWindow = { from: page.from, to: page.to };
      showFilterError(null);
      shown += page.items.length;
      cursor = page.nextCursor;
      more.hidden = cursor === null;
      resultError.hidden = true;
      status.textContent = shown === 0
        ? "No events match. Widen the time range or remove a filter."
        : `${formatCount(shown)} event${shown === 1 ? "" : "s"} shown${cursor ? ", more available" : ""}`;
    } catch (error) {
      if (controller.signal.aborted) return;
      const filterProblem = error instanceof ApiError ? error.errors.filter?.join(" ") : undefined;
      if (filterProblem) {
        tbody.replaceChildren();
        shown = 0;
        more.hidden = true;
        status.textContent = "";
        showFilterError(filterProblem);
        return;
      }
      resultError.hidden = false;
      resultError.textContent = `Search failed: ${error instanceof ApiError ? error.message : String(error)}`;
    } finally {
      if (searching === controller) {
        main.removeAttribute("aria-busy");
        more.disabled = false;
      }
    }
  }

  /** Fetches the export of the table's search (through the API client, so its credentials apply) and saves it. */
  async function download(): Promise<void> {
    if (!shownWindow) return;
    const format = exportFormat.value === "csv" ? "csv" : "ndjson";
    exportButton.disabled = true;
    resultError.hidden = true;
    try {
      const file = await getExport(exportQuery(search, format, shownWindow));
      const link = h("a", { href: URL.createObjectURL(file), download: `logbus-${new Date().toISOString().replace(/[:.]/g, "-")}.${format}` });
      document.body.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
    } catch (error) {
      resultError.hidden = false;
      resultError.textContent = `Export failed: ${error instanceof ApiError ? error.message : String(error)}`;
    } finally {
      exportButton.disabled = false;
    }
  }

  async function loadHistogram(): Promise<void> {
    charting?.abort();
    const controller = new AbortController();
    charting = controller;
    try {
      histogram = await getHistogram(histogramQuery(search, bucketsFor(histogramSlot.clientWidth || 600)), controller.signal);
      drawHistogram();
    } catch (error) {
      if (controller.signal.aborted) return;
      histogram = null;
      histogramTotal.textContent = "";
      const reason = error instanceof ApiError ? error.message : String(error);
      histogramSlot.replaceChildren(h("p", { class: "error" }, `Histogram unavailable: ${reason}`));
    }
  }

  function drawHistogram(): void {
    if (!histogram) return;
    histogramTotal.textContent = `${formatCount(histogram.total)} event${histogram.total === 1 ? "" : "s"}`;
    histogramSlot.replaceChildren(renderHistogram(histogram, histogramSlot.clientWidth || 600, (rangeFrom, rangeTo) => {
      search = { ...search, range: "custom", from: rangeFrom.toISOString(), to: rangeTo.toISOString() };
      fillForm();
      go(true);
    }));
  }

  async function loadStats(): Promise<void> {
    const hours = statsHours(search);
    try {
      const stats = await getStats(hours);
      statsSlot.replaceChildren(renderStats(stats, hours, (source) => {
        ensureSourceBoxes([source]);
        for (const box of sourcesList.querySelectorAll<HTMLInputElement>("input")) box.checked = box.value === source;
        writeShortcutsToBox();
        submit();
      }));
    } catch (error) {
      statsSlot.replaceChildren(h("p", { class: "error" }, `Statistics unavailable: ${error instanceof ApiError ? error.message : String(error)}`));
    }
  }

  function row(event: LogEvent, fresh: boolean): HTMLTableRowElement[] {
    const detailId = uid("detail");
    const toggle = h("button", {
      type: "button",
      class: "expand",
      "aria-expanded": "false",
      "aria-controls": detailId,
      "aria-label": `Details of the event at ${formatTime(event.timestamp)}`,
    });
    const summary = h("tr", { class: `row lvl-${event.level}${fresh ? " fresh" : ""}`, "data-id": event.id },
      h("td", { class: "col-time" }, toggle, stackedTime(event.timestamp)),
      h("td", { class: "col-level" }, h("span", { class: `badge level-${event.level}` }, event.level)),
      h("td", { class: "col-source" }, event.source),
      h("td", { class: "col-message" }, event.message));
    const detail = h("tr", { class: "detail", id: detailId, hidden: true }, h("td", { colspan: 4 }));
    const open = (expanded: boolean) => {
      toggle.setAttribute("aria-expanded", String(expanded));
      summary.classList.toggle("open", expanded);
      detail.hidden = !expanded;
      if (expanded && !detail.firstElementChild!.hasChildNodes()) detail.firstElementChild!.append(details(event));
    };
    summary.addEventListener("click", (e) => {
      // Selecting text in a row is not a request to expand it.
      if (e.target instanceof HTMLElement && e.target !== toggle && getSelection()?.toString()) return;
      open(toggle.getAttribute("aria-expanded") !== "true");
      toggle.focus();
    });
    return [summary, detail];
  }

  // --- live tail -----------------------------------------------------------------------------------------------------
  function startTail(): void {
    tail?.close();
    tailing = true;
    tailButton.setAttribute("aria-pressed", "true");
    tailState.textContent = "Connecting…";
    tail = openTail(tailQuery(search));
    tail.onopen = () => { tailState.textContent = "Live: new events appear at the top"; };
    tail.onerror = () => { tailState.textContent = "Live tail interrupted; reconnecting…"; };
    tail.addEventListener("log", (message) => {
      const event = JSON.parse((message as MessageEvent<string>).data) as LogEvent;
      if (tbody.querySelector(`tr[data-id="${CSS.escape(event.id)}"]`)) return;
      tbody.prepend(...row(event, true));
      shown += 1;
      status.textContent = `${formatCount(shown)} event${shown === 1 ? "" : "s"} shown${cursor ? ", more available" : ""}`;
    });
    tail.addEventListener("overflow", (message) => {
      tailState.textContent = (JSON.parse((message as MessageEvent<string>).data) as { message: string }).message;
    });
  }

  function stopTail(): void {
    tail?.close();
    tail = null;
    tailing = false;
    tailButton.setAttribute("aria-pressed", "false");
    tailState.textContent = "";
  }

  function toggleTail(): void {
    if (tailing) stopTail();
    else startTail();
    const params = new URLSearchParams(location.search);
    if (tailing) params.set("tail", "on");
    else params.delete("tail");
    history.replaceState(null, "", `${location.pathname}${params.size ? `?${params}` : ""}`);
  }

  // --- wiring --------------------------------------------------------------------------------------------------------
  function submit(): void {
    const next = readForm();
    if (!next) return;
    search = next;
    go(true);
  }
  for (const f of [form, searchBar]) {
    f.addEventListener("submit", (e) => {
      e.preventDefault();
      submit();
    });
  }
  filterBox.addEventListener("input", showShortcuts);
  text.addEventListener("input", writeShortcutsToBox);
  meta.addEventListener("input", writeShortcutsToBox);
  range.addEventListener("change", () => {
    custom.hidden = range.value !== "custom";
    if (range.value === "custom") {
      // Start the custom range from the preset it replaces, so editing one end is enough.
      if (!from.value) from.value = toLocalInput(new Date(Date.now() - statsHours(search) * 3_600_000).toISOString());
      from.focus();
      return;
    }
    submit();
  });
  form.addEventListener("change", (e) => {
    if (e.target instanceof HTMLInputElement && e.target.type === "checkbox") {
      writeShortcutsToBox();
      submit();
    }
  });
  more.addEventListener("click", () => void runSearch(true));
  exportButton.addEventListener("click", () => void download());
  tailButton.addEventListener("click", toggleTail);
  window.addEventListener("popstate", () => {
    search = readSearch(new URLSearchParams(location.search));
    fillForm();
    void runSearch();
    void loadStats();
    void loadHistogram();
    if (tailing) startTail();
  });
  logScale.addEventListener("change", () => {
    setHistogramScale(logScale.checked ? "log" : "linear");
    drawHistogram();
  });
  let drawnWidth = 0;
  new ResizeObserver(() => {
    // Redraw at the new width; the buckets stay until the next search.
    if (Math.abs(histogramSlot.clientWidth - drawnWidth) < 8) return;
    drawnWidth = histogramSlot.clientWidth;
    drawHistogram();
  }).observe(histogramSlot);
  onTimeZoneChange(() => {
    timeZone.textContent = `(${zoneLabel()})`;
    customZone.textContent = `Times in ${zoneLabel()}`;
    from.value = toLocalInput(search.from);
    to.value = toLocalInput(search.to);
    for (const time of main.querySelectorAll<HTMLTimeElement>("time[datetime]")) {
      time.replaceWith(time.classList.contains("stacked") ? stackedTime(time.dateTime) : zonedTime(time.dateTime));
    }
    drawHistogram();
  });
  window.addEventListener("pagehide", () => tail?.close());
  main.addEventListener("keydown", (e) => moveFocus(e, tbody));
  document.addEventListener("keydown", (e) => {
    if (isTyping(e.target)) return;
    if (e.key === "/") { e.preventDefault(); filterBox.focus(); filterBox.select(); }
    if (e.key === "t") toggleTail();
  });

  fillForm();
  go(false);
  // New boxes come checked as the search says; the rest of the form is left alone, since the user may be typing in it.
  void getSources().then((sources) => {
    ensureSourceBoxes(sources.map((s) => s.source).sort((a, b) => a.localeCompare(b)));
  }).catch(() => sourcesList.append(h("p", { class: "muted" }, "Sources unavailable.")));
}

/** A row's time: the date and the time of day, which a phone stacks so the column stays narrow. */
function stackedTime(iso: string): HTMLTimeElement {
  const { date, time } = formatTimeParts(iso);
  return h("time", { datetime: iso, class: "stacked" }, h("span", { class: "date" }, date), " ", h("span", { class: "clock" }, time));
}

/** A time with its zone named, where no column header names it. */
function zonedTime(iso: string): HTMLTimeElement {
  return h("time", { datetime: iso }, `${formatTime(iso)} (${zoneLabel()})`);
}

function details(event: LogEvent): HTMLElement {
  const field = (name: string, value: string | Node | null) => value ? [h("dt", {}, name), h("dd", {}, value)] : [];
  return h("div", { class: "details" },
    h("dl", {},
      ...field("Id", event.id), ...field("Time", zonedTime(event.timestamp)), ...field("Source", event.source),
      ...field("Level", event.level), ...field("Trace", event.traceId), ...field("Span", event.spanId), ...field("Import", event.importId),
      ...field("Received", zonedTime(event.receivedAt)), ...field("Stored", zonedTime(event.storedAt))),
    h("h3", {}, "Message"), h("pre", { class: "message" }, event.message),
    event.exception ? h("h3", {}, "Exception") : null,
    event.exception ? h("pre", { class: "exception" }, event.exception) : null,
    h("h3", {}, "Metadata"),
    h("pre", { class: "metadata" }, event.metadata === null || event.metadata === undefined ? "none" : JSON.stringify(event.metadata, null, 2)));
}

/** Arrow keys (and j/k) move between the rows' expand buttons; Home/End jump to the first and last. */
function moveFocus(e: KeyboardEvent, tbody: HTMLElement): void {
  if (!(e.target instanceof HTMLButtonElement) || !e.target.classList.contains("expand")) return;
  const buttons = [...tbody.querySelectorAll<HTMLButtonElement>("button.expand")];
  const at = buttons.indexOf(e.target);
  const target = {
    ArrowDown: at + 1, j: at + 1, ArrowUp: at - 1, k: at - 1, Home: 0, End: buttons.length - 1,
  }[e.key];
  if (target === undefined) return;
  e.preventDefault();
  buttons[Math.min(Math.max(target, 0), buttons.length - 1)]?.focus();
}

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement
    || (target instanceof HTMLElement && target.isContentEditable);
}
