// The API key the explorer uses once Query requires keys: asked for on the first 401, kept for the browser session
// (sessionStorage), sent as X-Api-Key on every call (live tail included), and asked for again on any later 401.
import { h } from "./dom";

const STORAGE = "logbus.apiKey";
let prompting: Promise<string> | null = null;
const listeners: (() => void)[] = [];

export const currentKey = (): string | null => sessionStorage.getItem(STORAGE);

/** Called whenever the key changes, so the page can show which key it uses. */
export function onKeyChange(listener: () => void): void {
  listeners.push(listener);
}

function setKey(key: string | null): void {
  if (key) sessionStorage.setItem(STORAGE, key);
  else sessionStorage.removeItem(STORAGE);
  for (const listener of listeners) listener();
}

function withKey(init: RequestInit = {}): RequestInit {
  const key = currentKey();
  const headers = new Headers(init.headers);
  if (key) headers.set("X-Api-Key", key);
  return { ...init, headers };
}

/** fetch with the key; a 401 asks for a (new) key and tries again with it. */
export async function keyedFetch(url: string, init: RequestInit = {}): Promise<Response> {
  for (;;) {
    const response = await fetch(url, withKey(init));
    if (response.status !== 401) return response;
    const rejected = currentKey();
    await askForKey(rejected ? "Query did not accept that key. Enter a read key:" : "This Logbus requires an API key. Enter a read key:");
  }
}

/** One dialog at a time: every call that meets a 401 while it is open waits for the same answer. */
export function askForKey(message: string): Promise<string> {
  prompting ??= new Promise<string>((resolve) => {
    const input = h("input", { type: "password", name: "apiKey", autocomplete: "off", required: true, "aria-label": "API key" });
    const form = h("form", { method: "dialog" },
      h("p", {}, message),
      input,
      h("p", { class: "muted" }, "Kept for this browser tab only, and sent as the X-Api-Key header."),
      h("button", { type: "submit" }, "Use this key"));
    const dialog = h("dialog", { class: "api-key-dialog", "aria-label": "API key" }, form);
    form.addEventListener("submit", () => {
      const key = input.value.trim();
      if (!key) return;
      dialog.close();
      dialog.remove();
      prompting = null;
      setKey(key);
      resolve(key);
    });
    // Escape would leave every call waiting: the dialog stays until a key is given.
    dialog.addEventListener("cancel", (event) => event.preventDefault());
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
  return prompting;
}

/** Forgets the key and asks for another (the "Change key" button). */
export function changeKey(): Promise<string> {
  setKey(null);
  return askForKey("Enter a read key:");
}

type StreamListener = (message: MessageEvent<string>) => void;

/**
 * The part of EventSource the live tail uses, over fetch: EventSource cannot send headers, and a key in the URL would
 * end up in proxies' and browsers' histories. Reconnects after an interruption as EventSource does (asking for a key
 * again on a 401).
 */
export class KeyedEventSource {
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  private readonly listeners = new Map<string, StreamListener[]>();
  private readonly abort = new AbortController();

  constructor(private readonly url: string) {
    void this.run();
  }

  addEventListener(type: string, listener: StreamListener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  close(): void {
    this.abort.abort();
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        const response = await keyedFetch(this.url, { headers: { Accept: "text/event-stream" }, signal: this.abort.signal });
        if (!response.ok || !response.body) throw new Error(`${response.status}`);
        this.onopen?.();
        await this.read(response.body.pipeThrough(new TextDecoderStream()).getReader());
      } catch {
        if (this.abort.signal.aborted) return;
      }
      this.onerror?.();
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  }

  private async read(reader: ReadableStreamDefaultReader<string>): Promise<void> {
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        this.dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  }

  private dispatch(block: string): void {
    let type = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) type = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    if (data.length === 0) return;
    const message = new MessageEvent<string>(type, { data: data.join("\n") });
    for (const listener of this.listeners.get(type) ?? []) listener(message);
  }
}

interface WhoAmI {
  keysRequired: boolean;
  name: string | null;
  scopes: string[];
  sources: string[];
}

/** The key badge in the header: which key and sources the explorer uses, and a button to change it. */
export function mountKeyBadge(header: HTMLElement): void {
  const text = h("span", { class: "muted", "data-testid": "api-key-name" });
  const badge = h("span", { class: "api-key", hidden: true }, text, " ",
    h("button", { type: "button", class: "ghost", onclick: () => void changeKey() }, "Change key"));
  header.append(badge);
  const refresh = async () => {
    try {
      const response = await keyedFetch("/api/query/whoami", { headers: { Accept: "application/json" } });
      const who = (await response.json()) as WhoAmI;
      badge.hidden = !who.keysRequired;
      text.textContent = `Key: ${who.name} · sources: ${who.sources.length ? who.sources.join(", ") : "all"}`;
    } catch {
      badge.hidden = true;
    }
  };
  onKeyChange(() => void refresh());
  void refresh();
}
