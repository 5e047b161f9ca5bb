// How a change set becomes the `tree` array of POST /repos/{owner}/{repo}/git/trees, and how that
// array is split so that no single request is too large for GitHub to process in time.
import type { PreparedChange } from "../changes.js";

/** One element of the create-tree body (https://docs.github.com/en/rest/git/trees#create-a-tree). */
export type TreeRequestEntry =
  | { readonly path: string; readonly mode: "100644"; readonly type: "blob"; readonly content: string }
  | { readonly path: string; readonly mode: "100644"; readonly type: "blob"; readonly sha: string | null };

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The text to send as inline `content`, or null when the bytes must go through POST git/blobs as
 * base64: inline content is taken as UTF-8 text, so invalid UTF-8 would be altered, and we keep NUL
 * bytes (binary by git's own heuristic) off the JSON text path as well.
 */
export function inlineText(content: Uint8Array): string | null {
  if (content.includes(0)) return null;
  try {
    return strictUtf8.decode(content);
  } catch {
    return null;
  }
}

/** A write whose blob must be uploaded first (binary), so the tree can refer to it by sha. */
export interface BlobUpload {
  readonly path: string;
  readonly sha: string;
  readonly content: Uint8Array;
}

/**
 * Tree entries for `changes`: deletions as `sha: null`, blobs the repository already holds by sha
 * (a file moved verbatim costs no upload), text inline, binary by sha after an upload.
 */
export function treeEntries(
  changes: readonly PreparedChange[],
  repositoryHasBlob: (sha: string) => boolean,
): { entries: TreeRequestEntry[]; uploads: BlobUpload[] } {
  const entries: TreeRequestEntry[] = [];
  const uploads: BlobUpload[] = [];
  for (const change of changes) {
    if (change.content === null) {
      entries.push({ path: change.path, mode: "100644", type: "blob", sha: null });
      continue;
    }
    if (repositoryHasBlob(change.sha)) {
      entries.push({ path: change.path, mode: "100644", type: "blob", sha: change.sha });
      continue;
    }
    const text = inlineText(change.content);
    if (text === null) {
      uploads.push({ path: change.path, sha: change.sha, content: change.content });
      entries.push({ path: change.path, mode: "100644", type: "blob", sha: change.sha });
    } else {
      entries.push({ path: change.path, mode: "100644", type: "blob", content: text });
    }
  }
  return { entries, uploads };
}

export interface ChunkLimits {
  readonly maxBytes: number;
  readonly maxEntries: number;
}

/**
 * Consecutive chunks within the limits; each becomes one create-tree request whose `base_tree` is
 * the previous result ("building the tree incrementally", as GitHub's timeout message advises).
 * An entry larger than `maxBytes` gets a chunk of its own.
 */
export function chunkTreeEntries(entries: readonly TreeRequestEntry[], limits: ChunkLimits): TreeRequestEntry[][] {
  const chunks: TreeRequestEntry[][] = [];
  let current: TreeRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = Buffer.byteLength(JSON.stringify(entry)) + 1;
    if (current.length > 0 && (bytes + size > limits.maxBytes || current.length >= limits.maxEntries)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
