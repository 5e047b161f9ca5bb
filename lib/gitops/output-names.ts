// Names of the files ingestion writes for a raw file (raw/errors/, raw/processed/, unmanaged/): the
// raw file's own name when it is safe and short, otherwise a safe, shortened form with a short hash of
// the original, so that two long names that share a prefix still get different files.
//
// Why 200 bytes: most file systems cap one name at 255 bytes, and `git clone` fails to check out a
// longer one (issue #12: a 245-character raw name made `<name>.errors.txt` unusable). 200 leaves
// room for the longest suffix we append (".errors.txt") and for what a user's tools add.
import { createHash } from "node:crypto";

export const MAX_OUTPUT_NAME_BYTES = 200;
/** Appended to a rejected file's name for its reasons. */
export const ERRORS_SUFFIX = ".errors.txt";

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text).byteLength;

// Characters that git, GitHub or a checkout on some platform refuses or misreads in a name (isomorphic-git
// rewrites "\" to "/"; Windows refuses the rest), and control characters.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARACTERS = /[\\\x00-\x1f\x7f:*?"<>|]/g;
const EXTENSION = /\.[A-Za-z0-9]{1,8}$/;

/** The longest prefix of `text` that fits `limit` UTF-8 bytes, never splitting a character. */
function cutToBytes(text: string, limit: number): string {
  let out = "";
  let used = 0;
  for (const char of text) {
    const size = bytes(char);
    if (used + size > limit) break;
    out += char;
    used += size;
  }
  return out;
}

/**
 * The output name for one raw file name (the last path segment): unchanged when it is safe and
 * `<name>.errors.txt` fits MAX_OUTPUT_NAME_BYTES; otherwise `<safe prefix>~<8 hex>.<ext>`.
 * Deterministic, and the same for the copy and its `.errors.txt`, which therefore stay side by side.
 */
export function outputFileName(name: string): string {
  const safe = name.replace(UNSAFE_CHARACTERS, "_");
  if (safe === name && bytes(name) + bytes(ERRORS_SUFFIX) <= MAX_OUTPUT_NAME_BYTES) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  const extension = EXTENSION.exec(safe)?.[0] ?? "";
  const stem = safe.slice(0, safe.length - extension.length);
  const room = MAX_OUTPUT_NAME_BYTES - bytes(ERRORS_SUFFIX) - bytes(extension) - 1 - hash.length;
  return `${cutToBytes(stem, room)}~${hash}${extension}`;
}

/** `relative` (e.g. "pending/a.yaml", relative to raw/) with its last segment made an output name. */
export function outputPath(relative: string): string {
  const slash = relative.lastIndexOf("/");
  return slash < 0 ? outputFileName(relative) : `${relative.slice(0, slash)}/${outputFileName(relative.slice(slash + 1))}`;
}
