// Git names a blob by the SHA-1 of "blob <length>\0" followed by its bytes. Knowing this lets us
// recognise contents we already hold (a blob never changes) without asking the server.
import { createHash } from "node:crypto";

export function gitBlobSha(content: Uint8Array): string {
  return createHash("sha1").update(`blob ${content.byteLength}\0`).update(content).digest("hex");
}

/** The sha of the empty tree: a commit whose every file was deleted points at it. */
export const EMPTY_TREE_SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
