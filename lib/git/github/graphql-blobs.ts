// Blob contents in batches through GitHub's GraphQL API: one query names up to ~100 blobs by oid as
// aliases of `repository.object(oid:)` and asks for their text. Such a query has no connection, so it
// costs 1 point of the GraphQL rate limit whatever the number of aliases
// (https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api#calculating-a-rate-limit-score-for-a-query).
// GraphQL only carries text: a binary blob (`text: null`), a cut one (`isTruncated`, past 512,000
// bytes) or one whose text is not its bytes (not UTF-8) is left to the REST blob endpoint, which
// returns base64. Every content is checked against its oid before it is kept.
import { Buffer } from "node:buffer";
import { gitBlobSha } from "../blob-sha.js";

/** What a batch may hold. */
export interface BlobBatchLimits {
  /** Aliases in one query. */
  readonly maxBlobs: number;
  /** Known blob bytes in one query (the answer is about this size, as JSON text). */
  readonly maxBytes: number;
  /** Blobs larger than this come cut (`isTruncated`) and go straight to REST. */
  readonly maxBlobBytes: number;
}

/** GitHub's cut of `Blob.text`: https://github.com/sveltia/sveltia-cms/issues/950 (512,000 bytes, exactly). */
export const GRAPHQL_BLOB_TEXT_BYTES = 512_000;

const OID = /^[0-9a-f]{40}$/;

/** The query for `oids` (with variables `$owner` and `$name`); aliases b0, b1, ... in order. */
export function blobBatchQuery(oids: readonly string[]): string {
  const objects = oids.map((oid, i) => {
    if (!OID.test(oid)) throw new Error(`not a blob oid: ${JSON.stringify(oid)}`);
    return `    b${i}: object(oid: "${oid}") { ... on Blob { byteSize isBinary isTruncated text } }`;
  });
  return `query blobs($owner: String!, $name: String!) {\n  repository(owner: $owner, name: $name) {\n${objects.join("\n")}\n  }\n}`;
}

export interface BlobBatchAnswer {
  readonly repository: Readonly<Record<string, { byteSize?: number; isBinary?: boolean | null; isTruncated?: boolean; text?: string | null } | null>> | null;
}

/**
 * Splits `oids` into query batches by count and known size; `direct` are the ones GraphQL cannot
 * carry whole (known to be over the text cut, or not an oid at all).
 */
export function planBlobBatches(oids: readonly string[], sizeOf: (oid: string) => number | undefined, limits: BlobBatchLimits): { batches: string[][]; direct: string[] } {
  const batches: string[][] = [];
  const direct: string[] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const oid of oids) {
    const size = sizeOf(oid);
    if (!OID.test(oid) || (size !== undefined && size > limits.maxBlobBytes)) {
      direct.push(oid);
      continue;
    }
    const weight = size ?? 0;
    if (current.length > 0 && (current.length >= limits.maxBlobs || bytes + weight > limits.maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(oid);
    bytes += weight;
  }
  if (current.length > 0) batches.push(current);
  return { batches, direct };
}

/** The exact contents found in `answer` to `blobBatchQuery(oids)`, and the oids left for REST. */
export function blobsFromAnswer(oids: readonly string[], answer: BlobBatchAnswer): { found: Map<string, Uint8Array>; leftOver: string[] } {
  const found = new Map<string, Uint8Array>();
  const leftOver: string[] = [];
  oids.forEach((oid, i) => {
    const blob = answer.repository?.[`b${i}`];
    if (blob && typeof blob.text === "string" && blob.isBinary !== true && blob.isTruncated !== true) {
      const content = new Uint8Array(Buffer.from(blob.text, "utf8"));
      if (gitBlobSha(content) === oid) {
        found.set(oid, content);
        return;
      }
    }
    leftOver.push(oid);
  });
  return { found, leftOver };
}
