// A JSON value kept in one attribute of an item, within a byte budget: as text when small, gzip-compressed
// when larger, and left out (its size recorded) when even compressed it would not fit. DynamoDB items
// stop at 400 KB (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items);
// a resource record carries two such values (the desired and the live object) next to its own fields.
import { gunzipSync, gzipSync } from "node:zlib";

/** Below this a value is stored as text: compressing a few hundred bytes saves nothing worth the CPU. */
const COMPRESS_ABOVE_BYTES = 16 * 1024;
/** The most one value may take in an item, compressed. Two of them and a record stay well under 400 KB. */
export const STORED_JSON_BUDGET_BYTES = 120 * 1024;

export type StoredJson = { readonly json: string } | { readonly gzip: Uint8Array } | { readonly omittedBytes: number };

/** What a reader gets back: the value, or why it is not there. */
export type JsonValueOrOmission = { readonly value: unknown } | { readonly omittedBytes: number };

export function encodeStoredJson(value: unknown, budget = STORED_JSON_BUDGET_BYTES): StoredJson {
  const json = JSON.stringify(value);
  const bytes = Buffer.byteLength(json);
  if (bytes <= Math.min(COMPRESS_ABOVE_BYTES, budget)) return { json };
  const gzip = gzipSync(json);
  return gzip.byteLength <= budget ? { gzip: new Uint8Array(gzip) } : { omittedBytes: bytes };
}

export function decodeStoredJson(stored: unknown): JsonValueOrOmission | null {
  if (typeof stored !== "object" || stored === null) return null;
  const s = stored as { json?: unknown; gzip?: unknown; omittedBytes?: unknown };
  if (typeof s.json === "string") return { value: JSON.parse(s.json) as unknown };
  if (s.gzip instanceof Uint8Array) return { value: JSON.parse(gunzipSync(s.gzip).toString("utf8")) as unknown };
  if (typeof s.omittedBytes === "number") return { omittedBytes: s.omittedBytes };
  return null;
}
