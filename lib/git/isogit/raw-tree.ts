// Git tree objects read and written byte for byte. isomorphic-git's own tree parser refuses a whole
// tree when one entry's name is unsafe to check out (a backslash, "..", ".git"), which made one odd file
// anywhere on the walked path fail every run of every fabric on the repository (issue #12). Reading
// the raw object instead lets us list such an entry as unsafe (never read, never written) and keep it,
// unchanged, in every tree we rewrite around it.
import { Buffer } from "node:buffer";

export type RawEntryType = "blob" | "tree" | "commit";

export interface RawTreeEntry {
  /** As stored: "40000" for a tree, "100644", "100755", "120000", "160000". */
  readonly mode: string;
  /** The name's bytes exactly as stored (names need not be UTF-8). */
  readonly nameBytes: Uint8Array;
  /** The name decoded as UTF-8 (for paths and comparisons). */
  readonly name: string;
  readonly oid: string;
  readonly type: RawEntryType;
}

function typeOf(mode: string): RawEntryType {
  if (mode === "40000" || mode === "040000") return "tree";
  if (mode === "160000") return "commit";
  return "blob";
}

/** Entries of a tree object's content (`<mode> <name>\0<20-byte sha>` repeated). */
export function parseTree(content: Uint8Array): RawTreeEntry[] {
  const buffer = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  const entries: RawTreeEntry[] = [];
  let cursor = 0;
  while (cursor < buffer.length) {
    const space = buffer.indexOf(0x20, cursor);
    const nul = buffer.indexOf(0x00, space + 1);
    if (space < 0 || nul < 0 || nul + 21 > buffer.length) throw new Error("malformed tree object");
    const mode = buffer.toString("latin1", cursor, space);
    const nameBytes = Uint8Array.from(buffer.subarray(space + 1, nul));
    const oid = buffer.toString("hex", nul + 1, nul + 21);
    entries.push({ mode, nameBytes, name: Buffer.from(nameBytes).toString("utf8"), oid, type: typeOf(mode) });
    cursor = nul + 21;
  }
  return entries;
}

/** A key that tells names apart byte for byte. */
export function nameKey(nameBytes: Uint8Array): string {
  return Buffer.from(nameBytes).toString("latin1");
}

/** Git's order: by name bytes, a tree compared as if its name ended in "/". */
function sortKey(entry: RawTreeEntry): Buffer {
  return entry.type === "tree" ? Buffer.concat([Buffer.from(entry.nameBytes), Buffer.from("/")]) : Buffer.from(entry.nameBytes);
}

/** The content of a tree object holding `entries`. */
export function serializeTree(entries: readonly RawTreeEntry[]): Uint8Array {
  const sorted = [...entries].sort((a, b) => Buffer.compare(sortKey(a), sortKey(b)));
  const parts: Buffer[] = [];
  for (const entry of sorted) {
    const mode = entry.type === "tree" ? "40000" : entry.mode;
    parts.push(Buffer.from(`${mode} `, "latin1"), Buffer.from(entry.nameBytes), Buffer.from([0]), Buffer.from(entry.oid, "hex"));
  }
  return Buffer.concat(parts);
}
