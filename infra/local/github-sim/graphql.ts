// POST /graphql for exactly the query the github provider sends to read blobs in batches, and
// nothing else: any other document is answered as GitHub answers a query it cannot run (200 with
// `errors`), so a provider change that the simulator does not know fails its tests instead of
// passing against an invented answer. The accepted shape (checked against GitHub's schema by
// test/integration/git/github-graphql.test.ts):
//
//   query($owner: String!, $name: String!) {
//     repository(owner: $owner, name: $name) {
//       b0: object(oid: "<40 hex>") { ... on Blob { <fields> } }
//       ...
//     }
//   }
//
// with <fields> any of oid, byteSize, isBinary, isTruncated, text.
import type { SimRepository } from "./sim-repository.js";

/**
 * GitHub cuts `Blob.text` at 512,000 bytes and says so in `isTruncated`; the limit is not
 * documented (https://docs.github.com/en/graphql/reference/objects#blob) but reported exactly
 * (https://github.com/sveltia/sveltia-cms/issues/950).
 */
export const BLOB_TEXT_LIMIT = 512_000;

const BLOB_FIELDS = new Set(["oid", "byteSize", "isBinary", "isTruncated", "text"]);
const HEAD =
  /^\s*query\s*\w*\s*\(\s*\$owner\s*:\s*String!\s*,?\s*\$name\s*:\s*String!\s*\)\s*\{\s*repository\s*\(\s*owner\s*:\s*\$owner\s*,?\s*name\s*:\s*\$name\s*\)\s*\{/y;
const ALIAS = /\s*([A-Za-z_]\w*)\s*:\s*object\s*\(\s*oid\s*:\s*"([0-9a-f]{40})"\s*\)\s*\{\s*\.\.\.\s*on\s+Blob\s*\{([\sA-Za-z]*)\}\s*\}/y;
const TAIL = /\s*\}\s*\}\s*$/y;

export interface BlobQuery {
  readonly owner: string;
  readonly name: string;
  readonly objects: readonly { readonly alias: string; readonly oid: string; readonly fields: readonly string[] }[];
}

/** The blob batch query in `body`, or the reason it is not one. */
export function parseBlobQuery(body: unknown): BlobQuery | string {
  if (typeof body !== "object" || body === null) return "A query attribute must be specified and must be a string.";
  const { query, variables } = body as { query?: unknown; variables?: unknown };
  if (typeof query !== "string") return "A query attribute must be specified and must be a string.";
  const vars = (variables ?? {}) as { owner?: unknown; name?: unknown };
  if (typeof vars.owner !== "string" || typeof vars.name !== "string") return "Variable $owner and $name of type String! were not provided.";
  HEAD.lastIndex = 0;
  if (!HEAD.test(query)) return "the simulated GitHub serves only the github provider's blob batch query";
  const objects: { alias: string; oid: string; fields: string[] }[] = [];
  const aliases = new Set<string>();
  let at = HEAD.lastIndex;
  for (;;) {
    ALIAS.lastIndex = at;
    const found = ALIAS.exec(query);
    if (!found) break;
    const [, alias, oid, fieldText] = found as unknown as [string, string, string, string];
    const fields = fieldText.split(/\s+/).filter(Boolean);
    if (fields.length === 0 || fields.some((field) => !BLOB_FIELDS.has(field))) return `unsupported Blob selection in ${alias}`;
    if (aliases.has(alias)) return `Field '${alias}' has an argument conflict`;
    aliases.add(alias);
    objects.push({ alias, oid, fields });
    at = ALIAS.lastIndex;
  }
  TAIL.lastIndex = at;
  if (objects.length === 0 || !TAIL.test(query)) return "the simulated GitHub serves only the github provider's blob batch query";
  return { owner: vars.owner, name: vars.name, objects };
}

/** Git's own test for binary content: a NUL byte in the first 8,000 bytes (xdiff's buffer_is_binary). */
function isBinary(content: Uint8Array): boolean {
  return content.subarray(0, 8000).includes(0);
}

const lossyUtf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** The `data` of the answer: each alias → its Blob fields, `{}` for another object type, null when absent. */
export async function answerBlobQuery(query: BlobQuery, repository: SimRepository, textLimit = BLOB_TEXT_LIMIT): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = {};
  for (const { alias, oid, fields } of query.objects) {
    const type = await repository.objectType(oid);
    if (type === null) {
      result[alias] = null;
      continue;
    }
    if (type !== "blob") {
      result[alias] = {};
      continue;
    }
    const content = (await repository.readBlob(oid)) as Uint8Array;
    const binary = isBinary(content);
    const values: Record<string, unknown> = {
      oid,
      byteSize: content.byteLength,
      isBinary: binary,
      isTruncated: content.byteLength > textLimit,
      // Not valid UTF-8 is still text to GitHub; what it sends then is not the blob's bytes.
      text: binary ? null : lossyUtf8.decode(content.subarray(0, textLimit)),
    };
    result[alias] = Object.fromEntries(fields.map((field) => [field, values[field]]));
  }
  return result;
}
