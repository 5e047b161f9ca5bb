// A small reader for the tar archives git produces (`git archive`, GitHub's tarball endpoint):
// ustar headers, pax extended headers (long paths, long link targets) and GNU long names.
// It only reads; entries are yielded in archive order. Global pax headers (git puts the commit id
// there) describe the archive, not the entries, and are skipped.
import { CorruptArchiveError } from "./errors.js";

export interface TarEntry {
  readonly path: string;
  readonly type: "file" | "symlink" | "directory" | "other";
  /** File contents; for a symlink the link target, as git stores it in the blob. */
  readonly content: Uint8Array;
  readonly mode: number;
}

const BLOCK = 512;
const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder("utf-8");

function field(header: Uint8Array, offset: number, length: number): Uint8Array {
  const raw = header.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return end === -1 ? raw : raw.subarray(0, end);
}

function text(header: Uint8Array, offset: number, length: number): string {
  return utf8.decode(field(header, offset, length));
}

function numeric(header: Uint8Array, offset: number, length: number): number {
  const raw = header.subarray(offset, offset + length);
  // GNU base-256 encoding for values that do not fit in octal (files over 8 GiB).
  if (((raw[0] ?? 0) & 0x80) !== 0) {
    let value = (raw[0] ?? 0) & 0x7f;
    for (let i = 1; i < raw.length; i++) value = value * 256 + (raw[i] ?? 0);
    return value;
  }
  const digits = latin1.decode(field(header, offset, length)).trim();
  return digits === "" ? 0 : parseInt(digits, 8);
}

/** pax records: "<length> <key>=<value>\n", length counting the whole record. */
function paxRecords(data: Uint8Array): Map<string, string> {
  const records = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) break;
    const length = parseInt(latin1.decode(data.subarray(pos, space)), 10);
    if (!Number.isFinite(length) || length <= 0) throw new CorruptArchiveError("malformed pax record");
    const record = utf8.decode(data.subarray(space + 1, pos + length - 1));
    const eq = record.indexOf("=");
    if (eq > 0) records.set(record.slice(0, eq), record.slice(eq + 1));
    pos += length;
  }
  return records;
}

function isZeroBlock(block: Uint8Array): boolean {
  for (const byte of block) if (byte !== 0) return false;
  return true;
}

export function* readTar(archive: Uint8Array): Generator<TarEntry> {
  let pos = 0;
  let pending: { path?: string; linkpath?: string } = {};
  while (pos + BLOCK <= archive.length) {
    const header = archive.subarray(pos, pos + BLOCK);
    if (isZeroBlock(header)) break;
    const size = numeric(header, 124, 12);
    const typeflag = String.fromCharCode(header[156] ?? 0);
    const dataStart = pos + BLOCK;
    const dataEnd = dataStart + size;
    if (dataEnd > archive.length) throw new CorruptArchiveError("archive ends inside an entry");
    const data = archive.subarray(dataStart, dataEnd);
    pos = dataStart + Math.ceil(size / BLOCK) * BLOCK;

    if (typeflag === "g") continue;
    if (typeflag === "x") {
      const records = paxRecords(data);
      const paxPath = records.get("path");
      const paxLinkpath = records.get("linkpath");
      if (paxPath !== undefined) pending.path = paxPath;
      if (paxLinkpath !== undefined) pending.linkpath = paxLinkpath;
      continue;
    }
    if (typeflag === "L" || typeflag === "K") {
      const value = utf8.decode(field(data, 0, data.length));
      if (typeflag === "L") pending.path = value;
      else pending.linkpath = value;
      continue;
    }

    const magic = latin1.decode(header.subarray(257, 263));
    const prefix = magic.startsWith("ustar") ? text(header, 345, 155) : "";
    const name = text(header, 0, 100);
    const path = pending.path ?? (prefix ? `${prefix}/${name}` : name);
    const linkpath = pending.linkpath ?? text(header, 157, 100);
    pending = {};
    const mode = numeric(header, 100, 8);
    if (typeflag === "0" || typeflag === "\0" || typeflag === "7") {
      yield { path, type: "file", content: data, mode };
    } else if (typeflag === "2") {
      yield { path, type: "symlink", content: new TextEncoder().encode(linkpath), mode };
    } else if (typeflag === "5") {
      yield { path: path.replace(/\/$/, ""), type: "directory", content: new Uint8Array(0), mode };
    } else {
      yield { path, type: "other", content: data, mode };
    }
  }
}
