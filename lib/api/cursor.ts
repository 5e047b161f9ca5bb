// Opaque page cursors: base64url of what the store needs to go on (the sort key after which the next
// page starts) and what it was issued for (the fabric, the filters). A cursor is validated before
// anything is read: it must decode, name this fabric and the same filters, and its key must lie within
// the key range the request may read (this registration's items of the asked kind). Anything else is a
// 400, never a read elsewhere.
import * as z from "zod";
import { MalformedRequestError } from "./errors.js";

const cursorSchema = z.strictObject({
  v: z.literal(1),
  /** The fabric the cursor was issued for. */
  f: z.string().max(128),
  /** The filters it was issued for, canonical. */
  q: z.string().max(1024),
  /** The sort key the next page starts after. */
  k: z.string().min(1).max(1536),
});

export interface CursorScope {
  readonly fabricId: string;
  /** The filters, canonical (same filters, same text). */
  readonly query: string;
  /** Every key the walk may reach starts with this. */
  readonly keyPrefix: string;
  /** The parameter's name in the answer's problem (cursor, historyCursor). */
  readonly parameter: string;
}

export function encodeCursor(scope: Pick<CursorScope, "fabricId" | "query">, key: string): string {
  return Buffer.from(JSON.stringify({ v: 1, f: scope.fabricId, q: scope.query, k: key })).toString("base64url");
}

/** The key a cursor goes on after; MalformedRequestError (400, naming the parameter) when it is not one this scope issued. */
export function decodeCursor(raw: string, scope: CursorScope): string {
  const refuse = (why: string) => new MalformedRequestError(`${scope.parameter} is not a cursor of this list: ${why}; start again without it`, "query", [{ pointer: `query:/${scope.parameter}`, message: why }]);
  if (!/^[A-Za-z0-9_-]+$/.test(raw)) throw refuse("not base64url");
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    throw refuse("it does not decode");
  }
  const parsed = cursorSchema.safeParse(decoded);
  if (!parsed.success) throw refuse("it does not decode");
  const cursor = parsed.data;
  if (cursor.f !== scope.fabricId) throw refuse("it was issued for another fabric");
  if (cursor.q !== scope.query) throw refuse("it was issued for other filters");
  if (!cursor.k.startsWith(scope.keyPrefix) || cursor.k.length === scope.keyPrefix.length) throw refuse("it points outside this list");
  return cursor.k;
}

/** Filters as one canonical text: the same filters give the same text in any order. */
export function canonicalQuery(filters: Readonly<Record<string, string | number | boolean | undefined>>): string {
  return Object.entries(filters)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${String(v)}`)
    .join("&");
}
