// Which files of the fabric directory ingestion reads, by their place in the layout (DESIGN §3).
import { MANAGED, RAW, RAW_PENDING } from "./layout.js";

/** A file of the fabric directory at one commit; `path` is relative to the directory. */
export interface SnapshotEntry {
  readonly path: string;
  readonly sha: string;
  /** Git mode: 100644/100755 regular, 120000 symlink, 160000 submodule. */
  readonly mode: string;
  /** Why the path cannot be used (a backslash, ...): never read, never written, only reported. */
  readonly unsafe?: string;
}

export type EntryRole = "raw-input" | "raw-irregular" | "raw-unsafe" | "managed" | "managed-irregular" | "managed-unsafe" | "unsafe" | "other";

const INPUT_EXTENSION = /\.(ya?ml|json)$/i;
const REGULAR = new Set(["100644", "100755"]);

/** Top level of raw/ or raw/pending/ only: raw/processed/ and raw/errors/ are ours. */
function inInbox(path: string): boolean {
  for (const folder of [RAW, RAW_PENDING]) {
    if (path.startsWith(`${folder}/`) && !path.slice(folder.length + 1).includes("/")) return true;
  }
  return false;
}

function inManaged(path: string): boolean {
  return path.startsWith(`${MANAGED}/`) && !path.startsWith(`${MANAGED}/metadata/`);
}

export function roleOf(entry: SnapshotEntry): EntryRole {
  if (entry.unsafe !== undefined) return inInbox(entry.path) ? "raw-unsafe" : inManaged(entry.path) ? "managed-unsafe" : "unsafe";
  const regular = REGULAR.has(entry.mode);
  if (inInbox(entry.path)) {
    if (!regular) return "raw-irregular";
    return INPUT_EXTENSION.test(entry.path) ? "raw-input" : "other";
  }
  if (inManaged(entry.path) && INPUT_EXTENSION.test(entry.path)) return regular ? "managed" : "managed-irregular";
  return "other";
}

/** The blobs ingestion needs to read: raw inputs and managed resources, never symlinks or submodules. */
export function blobsToRead(entries: readonly SnapshotEntry[]): string[] {
  return [...new Set(entries.filter((e) => roleOf(e) === "raw-input" || roleOf(e) === "managed").map((e) => e.sha))].sort();
}
