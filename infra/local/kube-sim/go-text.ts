// Text helpers that reproduce how kube-apiserver (Go) renders values inside messages, so that
// clients which show those messages to people see what a real cluster would say.

const SIMPLE_ESCAPES: Record<number, string> = {
  0x07: "\\a",
  0x08: "\\b",
  0x0c: "\\f",
  0x0a: "\\n",
  0x0d: "\\r",
  0x09: "\\t",
  0x0b: "\\v",
};

/** Go's unicode.IsPrint for the ranges that occur in practice (Latin-1 and general text). */
function isGoPrintable(codePoint: number): boolean {
  if (codePoint < 0x20 || codePoint === 0x7f) return false;
  if (codePoint >= 0x80 && codePoint <= 0xa0) return false;
  if (codePoint === 0xad) return false;
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return false;
  if (codePoint === 0xfeff || (codePoint >= 0x2028 && codePoint <= 0x2029)) return false;
  return true;
}

function escapeCodePoint(codePoint: number, quote: string): string {
  const ch = String.fromCodePoint(codePoint);
  if (ch === quote || ch === "\\") return `\\${ch}`;
  if (isGoPrintable(codePoint)) return ch;
  const simple = SIMPLE_ESCAPES[codePoint];
  if (simple !== undefined) return simple;
  if (codePoint < 0x80) return `\\x${codePoint.toString(16).padStart(2, "0")}`;
  if (codePoint <= 0xffff) return `\\u${codePoint.toString(16).padStart(4, "0")}`;
  return `\\U${codePoint.toString(16).padStart(8, "0")}`;
}

/** strconv.Quote: what `%q` prints for a string. */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) out += escapeCodePoint(ch.codePointAt(0) as number, '"');
  return `${out}"`;
}

/** encoding/json's quoteChar: how a JSON syntax error names the offending byte. */
export function goQuoteByte(byte: number): string {
  if (byte === 0x27) return "'\\''";
  if (byte === 0x22) return "'\"'";
  return `'${escapeCodePoint(byte, "'")}'`;
}

/** `%v` of a Go value decoded from JSON (maps print as map[k:v], slices as [a b]). */
export function goValue(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(goValue).join(" ")}]`;
  const entries = Object.keys(value as object)
    .sort()
    .map((key) => `${key}:${goValue((value as Record<string, unknown>)[key])}`);
  return `map[${entries.join(" ")}]`;
}

/** The Go type name `%T` prints for a value decoded from JSON. */
export function goTypeName(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int64" : "float64";
  if (Array.isArray(value)) return "[]interface {}";
  return "map[string]interface {}";
}

/** How encoding/json names a JSON value's kind in "cannot unmarshal <kind> into Go value" errors. */
export function goJsonKind(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (typeof value === "boolean") return "bool";
  return typeof value; // number, string, object
}

/** RFC 3339 with one-second resolution, as metav1.Time marshals. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
