// The search box holds one filter expression (the filter language of GET /api/query/logs?filter=). The form's fields
// (levels, sources, metadata, words of the message) are shortcuts: each writes its own clause into the expression, ANDed
// with whatever else the reader typed, and reads its state back from the expression, so box and fields never disagree.

export interface Shortcuts {
  levels: string[];
  sources: string[];
  metadata: [string, string][];
  text: string;
}

export const NO_SHORTCUTS: Shortcuts = { levels: [], sources: [], metadata: [], text: "" };

/** A string literal of the filter language: quoted, its quote doubled inside. */
export const quote = (value: string, mark = "'"): string => `${mark}${value.split(mark).join(mark + mark)}${mark}`;

/** Splits an expression into its top-level "and" clauses; one clause when it has a top-level "or" (which binds looser). */
export function clauses(expression: string): string[] {
  const text = expression.trim();
  if (!text) return [];
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  let hasOr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'" || c === '"') {
      i = endOfString(text, i);
    } else if (c === "(" || c === "[") {
      depth++;
    } else if (c === ")" || c === "]") {
      depth--;
    } else if (depth === 0 && /\s/.test(c)) {
      const word = /^\s+(and|or)\s+/i.exec(text.slice(i));
      if (word) {
        if (word[1].toLowerCase() === "or") hasOr = true;
        else parts.push(text.slice(start, i).trim());
        i += word[0].length - 1;
        if (word[1].toLowerCase() === "and") start = i + 1;
      }
    }
  }
  parts.push(text.slice(start).trim());
  return hasOr ? [text] : parts.filter(Boolean);
}

function endOfString(text: string, at: number): number {
  const mark = text[at];
  for (let i = at + 1; i < text.length; i++) {
    if (text[i] !== mark) continue;
    if (text[i + 1] === mark) i++;
    else return i;
  }
  return text.length;
}

const LITERAL = String.raw`'(?:[^']|'')*'`;
const LIST = String.raw`\[\s*${LITERAL}(?:\s*,\s*${LITERAL})*\s*\]`;
const builtIn = (name: string) => new RegExp(String.raw`^@${name}\s*(?:=\s*(${LITERAL})|in\s*(${LIST}))$`, "i");
const LEVEL = builtIn("Level");
const SOURCE = builtIn("Source");
const TEXT = /^"((?:[^"]|"")*)"$/;
const META = new RegExp(String.raw`^([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)\s*=\s*(${LITERAL}|-?\d+(?:\.\d+)?|true|false|null)$`);

const unquote = (literal: string): string => literal.slice(1, -1).split(literal[0] + literal[0]).join(literal[0]);
const literals = (list: string): string[] => [...list.matchAll(new RegExp(LITERAL, "g"))].map((m) => unquote(m[0]));

/** What the shortcuts show for an expression, and the clauses that are the reader's own. */
export function readShortcuts(expression: string): { shortcuts: Shortcuts; rest: string[] } {
  const shortcuts: Shortcuts = { levels: [], sources: [], metadata: [], text: "" };
  const rest: string[] = [];
  for (const clause of clauses(expression)) {
    const level = LEVEL.exec(clause);
    const source = SOURCE.exec(clause);
    const text = TEXT.exec(clause);
    const meta = META.exec(clause);
    if (level && shortcuts.levels.length === 0) shortcuts.levels = level[1] ? [unquote(level[1])] : literals(level[2]);
    else if (source && shortcuts.sources.length === 0) shortcuts.sources = source[1] ? [unquote(source[1])] : literals(source[2]);
    else if (text && !shortcuts.text) shortcuts.text = unquote(text[0]);
    else if (meta) shortcuts.metadata.push([meta[1], meta[2].startsWith("'") ? unquote(meta[2]) : meta[2]]);
    else rest.push(clause);
  }
  return { shortcuts, rest };
}

/** The expression for the reader's own clauses and the shortcuts' state. */
export function writeShortcuts(rest: string[], shortcuts: Shortcuts): string {
  const oneOf = (name: string, values: string[]) => values.length === 1
    ? `@${name} = ${quote(values[0])}`
    : `@${name} in [${values.map((v) => quote(v)).join(", ")}]`;
  const added: string[] = [];
  if (shortcuts.levels.length > 0) added.push(oneOf("Level", shortcuts.levels));
  if (shortcuts.sources.length > 0) added.push(oneOf("Source", shortcuts.sources));
  for (const [key, value] of shortcuts.metadata) added.push(`${key} = ${metaLiteral(value)}`);
  if (shortcuts.text.trim()) added.push(quote(shortcuts.text.trim(), '"'));
  // "or" binds looser than "and": a clause with a top-level "or" needs parentheses once anything is ANDed to it.
  const parts = rest.length + added.length > 1 ? rest.map((c) => (hasTopLevelOr(c) ? `(${c})` : c)) : rest;
  return [...parts, ...added].join(" and ");
}

function hasTopLevelOr(clause: string): boolean {
  let depth = 0;
  for (let i = 0; i < clause.length; i++) {
    const c = clause[i];
    if (c === "'" || c === '"') i = endOfString(clause, i);
    else if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") depth--;
    else if (depth === 0 && /\s/.test(c) && /^\s+or\s+/i.test(clause.slice(i))) return true;
  }
  return false;
}

/** A value that reads as a number, boolean or null compares as one; anything else as text. */
function metaLiteral(value: string): string {
  return /^-?\d+(\.\d+)?$/.test(value) || value === "true" || value === "false" || value === "null" ? value : quote(value);
}
