// Picks the wanted blobs out of a commit's tarball (GET /repos/{owner}/{repo}/tarball/{ref}). The
// archive holds files by path, not by blob sha, so each wanted path's bytes are hashed and kept only
// when the sha matches: git archive applies export-ignore and export-subst from .gitattributes, and
// such files simply do not match and are fetched one by one instead.
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { gitBlobSha } from "../blob-sha.js";
import { ArchiveTooLargeError, CorruptArchiveError } from "../errors.js";
import { readTar } from "../tar-reader.js";

const gunzipAsync = promisify(gunzip);

/**
 * Upper bound of an expanded tarball. The provider downloads one only when the commit's files add up to
 * at most 64 MiB (GitHubProviderLimits.tarballMaxBytes); tar adds up to 1 KiB per file on top (header
 * and padding), and a listing that is not truncated has at most 100,000 entries: 64 MiB + ~100 MiB.
 * A gzip of 1 MB can expand to 1 GB; past this bound decompression stops.
 */
export const MAX_TARBALL_BYTES = 192 * 1024 * 1024;

/** `wanted` maps repository paths to the blob sha expected there; returns the contents found, by sha. */
export async function blobsFromTarball(
  gzipped: Uint8Array,
  wanted: ReadonlyMap<string, string>,
  maxBytes: number = MAX_TARBALL_BYTES,
): Promise<Map<string, Uint8Array>> {
  let archive: Uint8Array;
  try {
    archive = await gunzipAsync(gzipped, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      throw new ArchiveTooLargeError(`the tarball expands to more than ${maxBytes} bytes; it is not read`, { cause: error });
    }
    throw new CorruptArchiveError("the tarball is not valid gzip", { cause: error });
  }
  const found = new Map<string, Uint8Array>();
  for (const entry of readTar(archive)) {
    if (entry.type !== "file" && entry.type !== "symlink") continue;
    // Every entry sits under one top folder ("<owner>-<repo>-<short sha>/").
    const slash = entry.path.indexOf("/");
    if (slash === -1) continue;
    const expected = wanted.get(entry.path.slice(slash + 1));
    if (expected === undefined || found.has(expected)) continue;
    if (gitBlobSha(entry.content) === expected) found.set(expected, entry.content.slice());
  }
  return found;
}
