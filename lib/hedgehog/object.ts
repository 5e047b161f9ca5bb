// Safe access to untyped documents. Everything a user writes arrives as `unknown`; these helpers
// return a typed value or undefined, never throw, and never write through a user-controlled key
// with plain assignment (a key named "__proto__" must stay data).

export type JsonRecord = Record<string, unknown>;
export type Path = readonly (string | number)[];

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function getIn(value: unknown, path: Path): unknown {
  let current: unknown = value;
  for (const key of path) {
    if (typeof key === "number") {
      if (!Array.isArray(current)) return undefined;
      current = current[key];
    } else {
      if (!isRecord(current) || !Object.hasOwn(current, key)) return undefined;
      current = current[key];
    }
  }
  return current;
}

export function stringAt(value: unknown, path: Path): string | undefined {
  const found = getIn(value, path);
  return typeof found === "string" ? found : undefined;
}

/** A string field, with absent and non-string read as "" — the Go zero value the rules compare against. */
export function text(value: unknown, path: Path): string {
  return stringAt(value, path) ?? "";
}

export function numberAt(value: unknown, path: Path): number | undefined {
  const found = getIn(value, path);
  return typeof found === "number" ? found : undefined;
}

/** A number field, absent read as 0 (the Go zero value). */
export function int(value: unknown, path: Path): number {
  return numberAt(value, path) ?? 0;
}

export function flag(value: unknown, path: Path): boolean {
  return getIn(value, path) === true;
}

export function recordAt(value: unknown, path: Path): JsonRecord | undefined {
  const found = getIn(value, path);
  return isRecord(found) ? found : undefined;
}

export function arrayAt(value: unknown, path: Path): readonly unknown[] | undefined {
  const found = getIn(value, path);
  return Array.isArray(found) ? found : undefined;
}

export function stringsAt(value: unknown, path: Path): string[] {
  return (arrayAt(value, path) ?? []).filter((item): item is string => typeof item === "string");
}

/** Entries of a map field, in the order written (callers sort when order matters). */
export function entriesAt(value: unknown, path: Path): [string, unknown][] {
  return Object.entries(recordAt(value, path) ?? {});
}

export function setOwn(target: JsonRecord, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * The record at path, created where a level is absent or null. Undefined when a level holds
 * something else: a wrongly typed field is left for the schema to report, never overwritten.
 */
export function ensureRecord(target: JsonRecord, path: readonly string[]): JsonRecord | undefined {
  let current = target;
  for (const key of path) {
    const next = Object.hasOwn(current, key) ? current[key] : undefined;
    if (isRecord(next)) {
      current = next;
    } else if (next === undefined || next === null) {
      const created: JsonRecord = {};
      setOwn(current, key, created);
      current = created;
    } else {
      return undefined;
    }
  }
  return current;
}

/** Deep copy of JSON-shaped data (what the YAML parser produces). */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => cloneJson(item)) as T;
  if (isRecord(value)) {
    const copy: JsonRecord = {};
    for (const [key, item] of Object.entries(value)) setOwn(copy, key, cloneJson(item));
    return copy as T;
  }
  return value;
}

/** Code-unit order; Go's sort.Strings uses byte order, which agrees on the ASCII the fabric uses. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** RFC 6901 JSON pointer of a path. */
export function toPointer(path: Path): string {
  return path.map((key) => "/" + String(key).replaceAll("~", "~0").replaceAll("/", "~1")).join("");
}
