// Splitting a file into documents, safely. YAML 1.2 (JSON is a subset), multi-document. Every
// limit is enforced while the input streams through the lexer, so oversized, over-deep or
// over-long input fails before the work it would cause; alias expansion is bounded when the
// documents are turned into data. Nothing but our typed errors leaves this module.
import { Buffer } from "node:buffer";
import { Composer, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Lexer, Parser, type Document } from "yaml";
import { DocumentParseError, LimitExceededError } from "./errors.js";
import type { Path } from "./object.js";

export interface ParseLimits {
  /** Bytes of UTF-8 input. */
  readonly maxBytes: number;
  /** Documents in one file, empty ones included. */
  readonly maxDocuments: number;
  /** Alias resolutions while building the data (the yaml package's maxAliasCount). */
  readonly maxAliasCount: number;
  /** Open collections at any point (a scalar being read counts as one more). */
  readonly maxDepth: number;
  /**
   * Size of one document with every alias replaced by what it refers to (see expandedSize), checked
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
    return new TextDecoder("utf-8", { fatal: true }).decode(content);
  } catch (cause) {
    throw new DocumentParseError("file is not valid UTF-8 text", undefined, { cause });
  }
}

/**
 * The size of the document's content as if every alias were written out: a scalar counts its text,
 * a collection its entries plus a little per entry, an alias the size of the node it refers to
 * (computed once per node, so a chain of anchors costs linear time however far it expands). Stops
 * early once past `limit`. A cycle (an alias inside its own anchor) counts as unbounded.
 */
export function expandedSize(doc: Document.Parsed, limit: number): number {
  const sizes = new Map<unknown, number>();
  const open = new Set<unknown>();
  const size = (node: unknown): number => {
    if (node === null || node === undefined) return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    if (open.has(node)) return Infinity;
    open.add(node);
    let total = 0;
    if (isAlias(node)) {
      total = size(node.resolve(doc));
    } else if (isScalar(node)) {
      total = String(node.value ?? "").length + 1;
    } else if (isMap(node) || isSeq(node)) {
      for (const item of node.items as unknown[]) {
        total += isPair(item) ? size(item.key) + size(item.value) + 2 : size(item) + 2;
        if (total > limit) break;
      }
    }
    open.delete(node);
    sizes.set(node, total);
    return total;
  };
  return size(doc.contents);
}

function isEmptyDocument(doc: Document.Parsed): boolean {
  const contents = doc.contents;
  return contents === null || (isScalar(contents) && contents.value === null && contents.range[0] === contents.range[1]);
}

/**
 * The first key that repeats within one mapping, compared as the property name it becomes (so
 * `1:` and `"1":` collide too). Walks the document without recursion.
 */
function firstDuplicateKey(doc: Document.Parsed): { key: string; offset: number; firstOffset: number } | undefined {
  const pending: unknown[] = [doc.contents];
  while (pending.length > 0) {
    const node = pending.pop();
    if (isMap(node)) {
      const seen = new Map<string, number>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          const key = String(pair.key.value);
          const offset = pair.key.range?.[0] ?? 0;
          const first = seen.get(key);
          if (first !== undefined) return { key, offset, firstOffset: first };
          seen.set(key, offset);
        }
        pending.push(pair.value);
      }
    } else if (isSeq(node)) {
      pending.push(...node.items);
    }
  }
  return undefined;
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

function parseText(text: string, limits: ParseLimits): ParsedDocument[] {
  const lines = new LineCounter();
  const lineAt = (offset: number): number => Math.max(1, lines.linePos(offset).line);
  const parser = new Parser(lines.addNewLine);
  // The yaml package's own duplicate-key check is quadratic in the keys of a mapping; ours is linear.
  const composer = new Composer({ version: "1.2", uniqueKeys: false, strict: true });
  const documents: ParsedDocument[] = [];
  let seen = 0;
  let composed = 0;

  const accept = (doc: Document.Parsed): void => {
    const index = composed++;
    const error = doc.errors[0];
    if (error) {
      const { line, col } = lines.linePos(error.pos[0]);
      throw new DocumentParseError(`line ${Math.max(1, line)}, column ${col}: ${error.message}`, Math.max(1, line));
    }
    if (isEmptyDocument(doc)) return;
    const duplicate = firstDuplicateKey(doc);
    if (duplicate) {
      const line = lineAt(duplicate.offset);
      throw new DocumentParseError(
        `line ${line}, column ${lines.linePos(duplicate.offset).col}: duplicate key "${duplicate.key}" (first at line ${lineAt(duplicate.firstOffset)})`,
        line,
      );
    }
    const start = doc.contents?.range[0] ?? 0;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
    } catch (cause) {
      if (cause instanceof ReferenceError && /alias/i.test(cause.message)) {
        throw new LimitExceededError(
          `document at line ${lineAt(start)} expands aliases more than ${limits.maxAliasCount} times`,
          "maxAliasCount",
          lineAt(start),
        );
      }
      throw new DocumentParseError(`document at line ${lineAt(start)} could not be read: ${String(cause)}`, lineAt(start), { cause });
    }
    // Aliases share one object in the data (and the alias count above bounds the work to build it),
    // but normalization writes each out in full: bounded here, before anything is normalized or written.
    const expanded = expandedSize(doc, limits.maxExpandedBytes);
    if (expanded > limits.maxExpandedBytes) {
      throw new LimitExceededError(
        `document at line ${lineAt(start)} expands to ${Number.isFinite(expanded) ? `more than ${limits.maxExpandedBytes} bytes` : "an endless structure (an alias inside its own anchor)"} when its aliases are written out; the limit is ${limits.maxExpandedBytes} bytes`,
        "maxExpandedBytes",
        lineAt(start),
      );
    }
    const lineOf = (path: Path): number => {
      // The line of the key (or list item) at path; for a missing field, of its deepest existing ancestor.
      let node: unknown = doc.contents;
      let offset = start;
      for (const segment of path) {
        let next: { node: unknown; at: number | undefined } | undefined;
        if (isMap(node)) {
          const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
          if (pair) next = { node: pair.value, at: (pair.key as { range?: [number, number, number] }).range?.[0] };
        } else if (isSeq(node) && typeof segment === "number") {
          const item: unknown = node.items[segment];
          if (item !== undefined) next = { node: item, at: (item as { range?: [number, number, number] }).range?.[0] };
        }
        if (!next) break;
        node = next.node;
        if (next.at !== undefined) offset = next.at;
      }
      return lineAt(offset);
    };
    documents.push({ index, line: lineAt(start), value, lineOf });
  };

  const feed = (token: Parameters<Composer["next"]>[0]): void => {
    if (token.type === "document" && ++seen > limits.maxDocuments) {
      throw new LimitExceededError(`file has more than ${limits.maxDocuments} documents`, "maxDocuments", lines.lineStarts.length);
    }
    for (const doc of composer.next(token)) accept(doc);
  };

  lines.addNewLine(0); // Parser.parse() seeds the first line; driving next() ourselves, we must too.
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) feed(token);
    // The parser's stack holds the document and every open collection: depth is known as it grows.
    if (parser.stack.length - 1 > limits.maxDepth) {
      const line = lines.lineStarts.length;
      throw new LimitExceededError(`line ${line}: nesting is deeper than ${limits.maxDepth} levels`, "maxDepth", line);
    }
  }
  for (const token of parser.end()) feed(token);
  for (const doc of composer.end()) accept(doc);
  return documents;
}
