// Splitting a file into documents, safely. YAML 1.2 core schema (JSON is a subset), multi-document,
// with js-yaml 5 (issue #18: the hot path of every ingest; ~6× faster than `yaml` 2's CST + AST on
// Hedgehog documents, see docs/PERFORMANCE.md).
//
// js-yaml's event parser gives a flat list of events that point into the text by offset. Before any
// document becomes data, one pass over those events checks every limit: documents per file, nesting
// (the parser's own maxDepth stops a deep input before it is read further), duplicate keys (as the
// property names they become, with both lines), aliases (counted as they resolve, nested ones
// included) and the size of each document with every alias written out — a small file whose aliases
// expand to gigabytes never becomes data. Only then are the values built from the same events. Nothing
// but our typed errors leaves this module.
import { Buffer } from "node:buffer";
import { constructFromEvents, CORE_SCHEMA, EVENT_ID, getScalarValue, parseEvents, SCALAR_STYLE, YAMLException, type Event, type ScalarEvent } from "js-yaml";
import { DocumentParseError, LimitExceededError } from "./errors.js";
import type { Path } from "./object.js";

export interface ParseLimits {
  /** Bytes of UTF-8 input. */
  readonly maxBytes: number;
  /** Documents in one file, empty ones included. */
  readonly maxDocuments: number;
  /** Alias resolutions per document while building the data; an alias inside an anchor counts each time that anchor is used. */
  readonly maxAliasCount: number;
  /** Open collections at any point. */
  readonly maxDepth: number;
  /**
   * Size of one document with every alias replaced by what it refers to (see measureDocuments), checked
   * before the document becomes data: a small file whose aliases expand to gigabytes never does
   * (issue #12: one anchor and 99 aliases made a 0.9 MB file a 90 MB managed file).
   */
  readonly maxExpandedBytes: number;
}

export const defaultParseLimits: ParseLimits = Object.freeze({
  maxBytes: 1024 * 1024,
  maxDocuments: 1000,
  maxAliasCount: 100,
  maxDepth: 64,
  // As much as a file may hold: what ingestion writes from a document must be readable next time.
  maxExpandedBytes: 1024 * 1024,
});

export interface ParsedDocument {
  /** Position of the document in the file, from 0; skipped empty documents keep their number. */
  readonly index: number;
  /** Line (from 1) where the document's content starts. */
  readonly line: number;
  readonly value: unknown;
  /** Line of the node at path, or of its nearest existing ancestor. */
  readonly lineOf?: (path: Path) => number;
}

function resolveLimits(overrides: Partial<ParseLimits>): ParseLimits {
  const limits = { ...defaultParseLimits, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`parse limit ${name} must be a non-negative integer`);
  }
  return limits;
}

function decode(content: string | Uint8Array, limits: ParseLimits): string {
  if (typeof content === "string") {
    // UTF-8 never takes fewer bytes than UTF-16 code units, so the cheap test runs first.
    if (content.length > limits.maxBytes || Buffer.byteLength(content, "utf8") > limits.maxBytes) {
      throw new LimitExceededError(`file is larger than ${limits.maxBytes} bytes`, "maxBytes");
    }
    return content.startsWith("\uFEFF") ? content.slice(1) : content;
  }
  if (content.byteLength > limits.maxBytes) {
    throw new LimitExceededError(`file is larger than ${limits.maxBytes} bytes`, "maxBytes");
  }
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(content);
    // TextDecoder drops a UTF-8 byte order mark itself.
    return text;
  } catch (cause) {
    throw new DocumentParseError("file is not valid UTF-8 text", undefined, { cause });
  }
}

/** Line (from 1) and column (from 1) of offsets into one text. */
class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) this.starts.push(at + 1);
  }

  line(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  }

  column(offset: number): number {
    return offset - this.starts[this.line(offset) - 1]! + 1;
  }

  get count(): number {
    return this.starts.length;
  }
}

const NONE = -1;

/** Where a node's text starts: its anchor or tag when it has one, else its content. */
function nodeOffset(event: Event): number {
  const candidates: number[] = [];
  if (event.type === EVENT_ID.SCALAR) candidates.push(event.valueStart, event.anchorStart, event.tagStart);
  else if (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE) candidates.push(event.start, event.anchorStart, event.tagStart);
  else if (event.type === EVENT_ID.ALIAS) candidates.push(event.anchorStart - 1);
  const known = candidates.filter((c) => c !== NONE && c >= 0);
  return known.length > 0 ? Math.min(...known) : 0;
}

/** The index just past the node that starts at `i` (a collection ends with its POP). */
function skipNode(events: readonly Event[], i: number): number {
  const type = events[i]!.type;
  if (type !== EVENT_ID.MAPPING && type !== EVENT_ID.SEQUENCE) return i + 1;
  let depth = 0;
  for (let j = i; j < events.length; j++) {
    const t = events[j]!.type;
    if (t === EVENT_ID.MAPPING || t === EVENT_ID.SEQUENCE) depth++;
    else if (t === EVENT_ID.POP && --depth === 0) return j + 1;
  }
  return events.length;
}

/** The property name a scalar key becomes: plain scalars are resolved first (`1` and `"1"` are the same key). */
function keyName(text: string, event: ScalarEvent): string {
  const source = event.valueStart === NONE ? "" : getScalarValue(text, event);
  if (event.style !== SCALAR_STYLE.PLAIN || event.tagStart !== NONE) return source;
  return String(CORE_SCHEMA.resolveImplicitScalarTag(source).value);
}

/** One document of a file, located in the event list. */
interface DocumentSpan {
  readonly index: number;
  /** Index of its content node's first event. */
  readonly content: number;
  readonly empty: boolean;
}

function documentSpans(events: readonly Event[]): DocumentSpan[] {
  const spans: DocumentSpan[] = [];
  for (let i = 0; i < events.length; i++) {
    if (events[i]!.type !== EVENT_ID.DOCUMENT) continue;
    const content = events[i + 1];
    const empty = content === undefined || (content.type === EVENT_ID.SCALAR && content.valueStart === NONE && content.tagStart === NONE && content.anchorStart === NONE);
    spans.push({ index: spans.length, content: i + 1, empty });
    i = skipNode(events, i + 1);
  }
  return spans;
}

export interface DocumentMeasure {
  /** Alias resolutions building the data takes: each alias counts once plus the aliases its anchor holds. */
  readonly aliasCount: number;
  /**
   * The document's size with every alias written out: a scalar its text plus one, a collection two per
   * entry plus its entries, an alias the size of the node it refers to (computed once per anchor, so a
   * chain of anchors costs linear time however far it expands). An alias inside its own anchor is
   * Infinity.
   */
  readonly expandedSize: number;
  /** The first key that repeats within one mapping, as the property name it becomes. */
  readonly duplicate?: { readonly key: string; readonly offset: number; readonly firstOffset: number };
}

interface Frame {
  readonly kind: "mapping" | "sequence";
  readonly anchor: string | null;
  size: number;
  aliases: number;
  /** Mapping: the next node is a key. */
  atKey: boolean;
  keys?: Map<string, number>;
}

/** Measures the document whose content starts at events[start], in one pass over its events. */
function measure(events: readonly Event[], start: number, text: string): DocumentMeasure {
  const anchors = new Map<string, { size: number; aliases: number } | "open">();
  const frames: Frame[] = [];
  let duplicate: DocumentMeasure["duplicate"];
  let result: { size: number; aliases: number } | undefined;
  const anchorOf = (event: Event): string | null =>
    "anchorStart" in event && event.type !== EVENT_ID.ALIAS && event.anchorStart !== NONE ? text.slice(event.anchorStart, event.anchorEnd) : null;
  // A finished node goes to its parent (a mapping's key or value, a sequence's item) or is the document.
  const finish = (size: number, aliases: number, anchor: string | null): void => {
    if (anchor !== null) anchors.set(anchor, { size, aliases });
    const parent = frames[frames.length - 1];
    if (!parent) {
      result = { size, aliases };
      return;
    }
    parent.aliases += aliases;
    if (parent.kind === "sequence") parent.size += size + 2;
    else {
      parent.size += size + (parent.atKey ? 2 : 0);
      parent.atKey = !parent.atKey;
    }
  };
  for (let i = start; i < events.length && result === undefined; i++) {
    const event = events[i]!;
    const parent = frames[frames.length - 1];
    switch (event.type) {
      case EVENT_ID.SCALAR: {
        if (parent?.kind === "mapping" && parent.atKey && duplicate === undefined) {
          const name = keyName(text, event);
          const first = parent.keys!.get(name);
          if (first !== undefined) duplicate = { key: name, offset: nodeOffset(event), firstOffset: first };
          else parent.keys!.set(name, nodeOffset(event));
        }
        finish(event.valueStart === NONE ? 1 : event.valueEnd - event.valueStart + 1, 0, anchorOf(event));
        break;
      }
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE: {
        const anchor = anchorOf(event);
        if (anchor !== null) anchors.set(anchor, "open");
        frames.push({ kind: event.type === EVENT_ID.MAPPING ? "mapping" : "sequence", anchor, size: 0, aliases: 0, atKey: true, ...(event.type === EVENT_ID.MAPPING ? { keys: new Map<string, number>() } : {}) });
        break;
      }
      case EVENT_ID.ALIAS: {
        const target = anchors.get(text.slice(event.anchorStart, event.anchorEnd));
        // An alias inside its own anchor is endless when written out; an unknown one fails when built.
        if (target === "open") finish(Infinity, 1, null);
        else finish(target?.size ?? 1, 1 + (target?.aliases ?? 0), null);
        break;
      }
      case EVENT_ID.POP: {
        const frame = frames.pop();
        if (frame) finish(frame.size, frame.aliases, frame.anchor);
        break;
      }
    }
  }
  return { aliasCount: result?.aliases ?? 0, expandedSize: result?.size ?? 0, ...(duplicate ? { duplicate } : {}) };
}

/** The measures of every document of a text (also its empty ones): what the limits are checked against. */
export function measureDocuments(text: string): DocumentMeasure[] {
  const events = parseEvents(text, {});
  return documentSpans(events).map((span) => measure(events, span.content, text));
}

/** Splits a file into its non-empty documents. Throws DocumentParseError or LimitExceededError only. */
export function parseDocuments(content: string | Uint8Array, limits: Partial<ParseLimits> = {}): ParsedDocument[] {
  const resolved = resolveLimits(limits);
  const text = decode(content, resolved);
  try {
    return parseText(text, resolved);
  } catch (error) {
    if (error instanceof DocumentParseError || error instanceof LimitExceededError) throw error;
    throw new DocumentParseError(`file could not be parsed: ${error instanceof Error ? error.message : String(error)}`, undefined, {
      cause: error,
    });
  }
}

/** js-yaml's error, as ours: line and column from its mark, its reason without the source snippet. */
function syntaxError(error: YAMLException, lines: LineIndex, limits: ParseLimits): DocumentParseError | LimitExceededError {
  const line = error.mark ? error.mark.line + 1 : undefined;
  if (/^nesting exceeded maxDepth/.test(error.reason)) {
    const at = line ?? lines.count;
    return new LimitExceededError(`line ${at}: nesting is deeper than ${limits.maxDepth} levels`, "maxDepth", at);
  }
  if (line === undefined) return new DocumentParseError(error.reason, undefined, { cause: error });
  return new DocumentParseError(`line ${line}, column ${error.mark!.column + 1}: ${error.reason}`, line, { cause: error });
}

function parseText(text: string, limits: ParseLimits): ParsedDocument[] {
  const lines = new LineIndex(text);
  let events: Event[];
  try {
    events = parseEvents(text, { maxDepth: limits.maxDepth });
  } catch (error) {
    if (error instanceof YAMLException) throw syntaxError(error, lines, limits);
    throw error;
  }
  const spans = documentSpans(events);
  if (spans.length > limits.maxDocuments) {
    const beyond = spans[limits.maxDocuments]!;
    const line = events[beyond.content] ? lines.line(nodeOffset(events[beyond.content]!)) : lines.count;
    throw new LimitExceededError(`file has more than ${limits.maxDocuments} documents`, "maxDocuments", line);
  }
  const documents = spans.filter((span) => !span.empty);
  for (const span of documents) {
    const start = lines.line(nodeOffset(events[span.content]!));
    const measured = measure(events, span.content, text);
    if (measured.duplicate) {
      const { key, offset, firstOffset } = measured.duplicate;
      const line = lines.line(offset);
      throw new DocumentParseError(`line ${line}, column ${lines.column(offset)}: duplicate key "${key}" (first at line ${lines.line(firstOffset)})`, line);
    }
    if (measured.aliasCount > limits.maxAliasCount) {
      throw new LimitExceededError(`document at line ${start} expands aliases more than ${limits.maxAliasCount} times`, "maxAliasCount", start);
    }
    // Aliases share one object in the data, but normalization writes each out in full: bounded here,
    // before anything is built, normalized or written.
    if (measured.expandedSize > limits.maxExpandedBytes) {
      throw new LimitExceededError(
        `document at line ${start} expands to ${Number.isFinite(measured.expandedSize) ? `more than ${limits.maxExpandedBytes} bytes` : "an endless structure (an alias inside its own anchor)"} when its aliases are written out; the limit is ${limits.maxExpandedBytes} bytes`,
        "maxExpandedBytes",
        start,
      );
    }
  }
  let values: unknown[];
  try {
    values = constructFromEvents(events, { source: text, schema: CORE_SCHEMA });
  } catch (error) {
    if (error instanceof YAMLException) throw syntaxError(error, lines, limits);
    throw error;
  }
  return documents.map((span) => {
    const offset = nodeOffset(events[span.content]!);
    return { index: span.index, line: lines.line(offset), value: values[span.index], lineOf: (path: Path) => lineOf(events, span.content, path, text, lines) };
  });
}

/** The line of the key (or list item) at path; for a missing field, of its deepest existing ancestor. */
function lineOf(events: readonly Event[], content: number, path: Path, text: string, lines: LineIndex): number {
  let node = content;
  let offset = nodeOffset(events[content]!);
  for (const segment of path) {
    const event = events[node]!;
    let found: { node: number; at: number } | undefined;
    if (event.type === EVENT_ID.MAPPING) {
      for (let i = node + 1; events[i] && events[i]!.type !== EVENT_ID.POP; ) {
        const key = events[i]!;
        const value = skipNode(events, i);
        if (key.type === EVENT_ID.SCALAR && keyName(text, key) === String(segment)) {
          found = { node: value, at: nodeOffset(key) };
          break;
        }
        i = skipNode(events, value);
      }
    } else if (event.type === EVENT_ID.SEQUENCE && typeof segment === "number") {
      let i = node + 1;
      for (let n = 0; n < segment && events[i] && events[i]!.type !== EVENT_ID.POP; n++) i = skipNode(events, i);
      if (events[i] && events[i]!.type !== EVENT_ID.POP) found = { node: i, at: nodeOffset(events[i]!) };
    }
    if (!found) break;
    node = found.node;
    offset = found.at;
  }
  return lines.line(offset);
}
