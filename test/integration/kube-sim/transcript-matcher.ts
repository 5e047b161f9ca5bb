// Compares a live answer with a recorded one from test/fixtures/kube-transcripts.
//
// Volatile values are the transcripts' placeholders, matched wherever they occur (whole values or
// inside messages, e.g. the object a strict merge patch quotes):
//   <rv:N>           a resourceVersion: bound to the simulator's value on first sight; the same N
//                    must always be the same value, different Ns different values, and their
//                    numeric order must follow N (the recording ranked them ascending).
//   <uid:N>          a uid, bound the same way (without order).
//   <continue:N>     a list continue token, bound the same way.
//   <timestamp>      any RFC 3339 time (creationTimestamp, deletionTimestamp, managedFields time).
//   <rv:cache-start> any number (where the real watch cache's window starts).
// Orders that are Go map order on the real server, and so differ from run to run, are compared
// as sets:
//   APIResourceList.resources                   (CRD discovery lists types in map order)
//   details.causes of a Status with several causes, and the bracketed list in its message.
// Everything else must match exactly: status, content-type, cache-control, x-content-type-options,
// each Warning header line, and every key and value of the body (key order aside).

export type PlaceholderKind = "rv" | "uid" | "continue";

const PLACEHOLDER = /<(rv|uid|continue):(\d+)>|<timestamp>|<rv:cache-start>/g;
const HAS_PLACEHOLDER = new RegExp(PLACEHOLDER.source);

const CAPTURE: Record<string, string> = {
  rv: "(\\d+)",
  uid: "([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})",
  continue: "([A-Za-z0-9_-]+)",
  timestamp: "(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z)",
  cacheStart: "(\\d+)",
};

export class Bindings {
  private readonly values = new Map<string, string>();
  private readonly owners = new Map<string, string>();

  constructor(readonly timestamp: string) {}

  /** Binds `<kind:n>` to `value`; returns a complaint when that contradicts earlier bindings. */
  bind(kind: PlaceholderKind, n: number, value: string): string | undefined {
    const key = `${kind}:${n}`;
    const bound = this.values.get(key);
    if (bound !== undefined) return bound === value ? undefined : `<${key}> was ${bound}, now ${value}`;
    const owner = this.owners.get(`${kind}=${value}`);
    if (owner !== undefined) return `<${key}> and <${owner}> are both ${value}`;
    if (kind === "rv") {
      for (const [otherKey, otherValue] of this.values) {
        if (!otherKey.startsWith("rv:")) continue;
        const otherN = Number(otherKey.slice(3));
        if (Math.sign(n - otherN) !== Math.sign(Number(value) - Number(otherValue))) {
          return `<rv:${n}>=${value} breaks the recorded order against <rv:${otherN}>=${otherValue}`;
        }
      }
    }
    this.values.set(key, value);
    this.owners.set(`${kind}=${value}`, key);
    return undefined;
  }

  lookup(kind: PlaceholderKind, n: number): string | undefined {
    return this.values.get(`${kind}:${n}`);
  }

  snapshot(): Bindings {
    const copy = new Bindings(this.timestamp);
    for (const [k, v] of this.values) copy.values.set(k, v);
    for (const [k, v] of this.owners) copy.owners.set(k, v);
    return copy;
  }

  restore(from: Bindings): void {
    this.values.clear();
    this.owners.clear();
    for (const [k, v] of from.values) this.values.set(k, v);
    for (const [k, v] of from.owners) this.owners.set(k, v);
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Matches an actual string against a recorded one that may contain placeholders. */
function matchString(expected: string, actual: string, bindings: Bindings): string | undefined {
  if (!HAS_PLACEHOLDER.test(expected)) return expected === actual ? undefined : "differs";
  const slots: { kind: PlaceholderKind | "timestamp" | "cacheStart"; n: number }[] = [];
  let pattern = "";
  let last = 0;
  for (const m of expected.matchAll(PLACEHOLDER)) {
    pattern += escapeRegex(expected.slice(last, m.index));
    if (m[0] === "<timestamp>") slots.push({ kind: "timestamp", n: 0 });
    else if (m[0] === "<rv:cache-start>") slots.push({ kind: "cacheStart", n: 0 });
    else slots.push({ kind: m[1] as PlaceholderKind, n: Number(m[2]) });
    pattern += CAPTURE[(slots[slots.length - 1] as { kind: string }).kind];
    last = (m.index as number) + m[0].length;
  }
  pattern += escapeRegex(expected.slice(last));
  const found = new RegExp(`^${pattern}$`, "s").exec(actual);
  if (found === null) return "differs";
  for (let i = 0; i < slots.length; i += 1) {
    const slot = slots[i] as { kind: string; n: number };
    if (slot.kind === "timestamp" || slot.kind === "cacheStart") continue;
    const complaint = bindings.bind(slot.kind as PlaceholderKind, slot.n, found[i + 1] as string);
    if (complaint !== undefined) return complaint;
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Paths (dotted, from the body root) whose arrays are compared as sets. */
function unordered(path: string, expected: unknown[]): boolean {
  return path === "$.resources" || (path.endsWith(".details.causes") && expected.length > 1);
}

/**
 * Puts a Status with several causes in one canonical order: causes sorted, and the bracketed
 * list of its message rebuilt in that order (when the message is exactly that list).
 */
export function canonicalStatus(body: unknown): unknown {
  if (!isObject(body) || body["kind"] !== "Status" || !isObject(body["details"])) return body;
  const causes = body["details"]["causes"];
  if (!Array.isArray(causes) || causes.length < 2) return body;
  const render = (c: Record<string, unknown>): string => `${String(c["field"])}: ${String(c["message"])}`;
  const sorted = [...causes].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  const message = String(body["message"] ?? "");
  const list = `[${(causes as Record<string, unknown>[]).map(render).join(", ")}]`;
  const canonicalMessage = message.endsWith(list)
    ? message.slice(0, message.length - list.length) + `[${(sorted as Record<string, unknown>[]).map(render).join(", ")}]`
    : message;
  return { ...body, message: canonicalMessage, details: { ...body["details"], causes: sorted } };
}

/** Differences between a recorded value and a live one, as "path: what" lines. */
export function compare(expected: unknown, actual: unknown, bindings: Bindings, path = "$"): string[] {
  if (typeof expected === "string") {
    if (typeof actual !== "string") return [`${path}: expected string ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
    const complaint = matchString(expected, actual, bindings);
    return complaint === undefined ? [] : [`${path}: ${complaint}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array, got ${JSON.stringify(actual)}`];
    if (expected.length !== actual.length) return [`${path}: expected ${expected.length} items, got ${actual.length}: ${JSON.stringify(actual)}`];
    if (unordered(path, expected)) {
      const used = new Set<number>();
      for (const [i, item] of expected.entries()) {
        const before = bindings.snapshot();
        const at = actual.findIndex((candidate, j) => {
          if (used.has(j)) return false;
          if (compare(item, candidate, bindings, `${path}[${i}]`).length === 0) return true;
          bindings.restore(before);
          return false;
        });
        if (at < 0) return [`${path}[${i}]: no item matches ${JSON.stringify(item)} among ${JSON.stringify(actual)}`];
        used.add(at);
      }
      return [];
    }
    return expected.flatMap((item, i) => compare(item, actual[i], bindings, `${path}[${i}]`));
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return [`${path}: expected an object, got ${JSON.stringify(actual)}`];
    const problems: string[] = [];
    for (const key of Object.keys(actual)) if (!(key in expected)) problems.push(`${path}.${key}: unexpected, got ${JSON.stringify(actual[key])}`);
    for (const key of Object.keys(expected)) {
      if (!(key in actual)) problems.push(`${path}.${key}: missing, expected ${JSON.stringify(expected[key])}`);
      else problems.push(...compare(expected[key], actual[key], bindings, `${path}.${key}`));
    }
    return problems;
  }
  return Object.is(expected, actual) ? [] : [`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

/** Replaces placeholders in something recorded as sent, with the values bound so far. */
export function substitute<T>(value: T, bindings: Bindings): T {
  if (typeof value === "string") {
    return value.replace(PLACEHOLDER, (whole, kind: string | undefined, n: string | undefined) => {
      if (whole === "<timestamp>") return bindings.timestamp;
      const bound = kind && n ? bindings.lookup(kind as PlaceholderKind, Number(n)) : undefined;
      if (bound === undefined) throw new Error(`request uses ${whole} before any response showed it`);
      return bound;
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, bindings)) as T;
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, bindings)])) as T;
  return value;
}
