// Finding: a gzip of 815 KB from a (malicious) apiUrl expanded to 800 MB in blobsFromTarball. Now
// decompression stops at MAX_TARBALL_BYTES with a terminal error, which the provider does not paper over
// by falling back to other reads. The module is tested directly: a tarball bomb needs a GitHub API the
// attacker controls, which the allow-list now keeps out of a deployment — this is the second line.
import { createGzip } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArchiveTooLargeError, createGitProvider, type GitProvider } from "../../lib/git/index.js";
import { blobsFromTarball, MAX_TARBALL_BYTES } from "../../lib/git/github/tarball.js";
import { LOCAL_GIT_TRUST, localSecrets } from "../support/trust.js";
import { startCaptureServer, type CaptureServer } from "./support.js";

/** `expandedBytes` of zeros, gzipped: about a thousandth of that on the wire. */
async function gzipBomb(expandedBytes: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gzip.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve) => gzip.on("end", resolve));
  const zeros = Buffer.alloc(1 << 20);
  for (let written = 0; written < expandedBytes; written += zeros.length) {
    if (!gzip.write(zeros)) await new Promise((resolve) => gzip.once("drain", resolve));
  }
  gzip.end();
  await ended;
  return Buffer.concat(chunks);
}

const sha = (i: number) => i.toString(16).padStart(40, "0");

describe("decompressed archives are bounded", () => {
  let bomb: Buffer;
  let hostile: CaptureServer;

  beforeAll(async () => {
    bomb = await gzipBomb(MAX_TARBALL_BYTES + 64 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    // A "GitHub" whose tree lists small files and whose tarball is the bomb.
    hostile = await startCaptureServer("127.0.0.1", (req, res) => {
      const url = req.url ?? "";
      const json = (body: unknown) => {
        res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify(body));
      };
      if (url.includes("/git/ref/")) return json({ ref: "refs/heads/main", object: { sha: sha(1), type: "commit" } });
      if (url.includes("/git/trees/")) {
        return json({ sha: sha(2), truncated: false, tree: [1, 2, 3, 4, 5].map((i) => ({ path: `raw/f${i}.yaml`, mode: "100644", type: "blob", sha: sha(100 + i), size: 10 })) });
      }
      if (url.includes("/tarball/")) {
        res.writeHead(200, { "content-type": "application/x-gzip" });
        return res.end(bomb);
      }
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "Not Found" }));
    });
  });
  afterAll(() => hostile.close());

  it("stops expanding a gzip at the bound, with a terminal error", async () => {
    const read = blobsFromTarball(bomb, new Map([["raw/f1.yaml", sha(101)]]));
    await expect(read).rejects.toBeInstanceOf(ArchiveTooLargeError);
    await expect(read).rejects.toMatchObject({ retryable: false });
  });

  it("fails the provider's read with it, instead of falling back to reading blob by blob", async () => {
    const provider: GitProvider = await createGitProvider(
      { provider: "github", owner: "acme", repo: "bomb", apiUrl: hostile.url, credentials: "env:HH_GITOPS_SECRET_TOKEN", branch: "main" },
      { secrets: localSecrets({ HH_GITOPS_SECRET_TOKEN: "t" }), ...LOCAL_GIT_TRUST, github: { retryAfterBaseValue: 1, spaceWrites: false, retries: 0 } },
    );
    const head = (await provider.head("main"))!.sha;
    const entries = await provider.readTree(head, "raw");
    await expect(provider.readBlobs(entries.map((e) => e.sha))).rejects.toBeInstanceOf(ArchiveTooLargeError);
    expect(hostile.requests.filter((r) => r.url.includes("/git/blobs/"))).toEqual([]);
  });
});
