// The tar reader against archives made by `git archive` (what GitHub's tarball endpoint serves):
// long paths (pax headers), symlinks, empty and binary files, folders.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { gitBlobSha } from "../../../lib/git/blob-sha.js";
import { CorruptArchiveError } from "../../../lib/git/errors.js";
import { readTar } from "../../../lib/git/tar-reader.js";
import { GIT_ENV, TempRepos } from "../../support/git-repos.js";

const execFileAsync = promisify(execFile);
const repos = new TempRepos();
afterAll(() => repos.removeAll());

const LONG = `gitops/${"very-long-folder-name/".repeat(8)}and a file name with spaces.yaml`;
const BINARY = Uint8Array.from([0, 1, 2, 255, 254, 0, 10]);

async function archive(files: Parameters<TempRepos["seed"]>[2]): Promise<{ tar: Buffer; commit: string; gitdir: string }> {
  const gitdir = await repos.bare("main");
  const commit = await repos.seed(gitdir, "main", files);
  const { stdout } = await execFileAsync("git", ["--git-dir", gitdir, "archive", "--format=tar.gz", "--prefix=acme-net-abc1234/", commit], {
    env: GIT_ENV,
    encoding: "buffer",
  });
  return { tar: gunzipSync(stdout), commit, gitdir };
}

describe("readTar", () => {
  it("reads every file of a git archive with the blob sha git has for it", async () => {
    const { tar, gitdir, commit } = await archive({
      "short.yaml": "kind: VPC\n",
      [LONG]: "long path\n",
      "empty.txt": "",
      "bin/data.bin": BINARY,
      "link.yaml": { symlink: "short.yaml" },
      "tools/run.sh": { executable: "#!/bin/sh\n" },
    });
    const entries = [...readTar(tar)];
    const files = entries.filter((entry) => entry.type === "file" || entry.type === "symlink");
    const byPath = new Map(files.map((entry) => [entry.path.replace(/^acme-net-abc1234\//, ""), entry]));
    expect([...byPath.keys()].sort()).toEqual(["bin/data.bin", "empty.txt", LONG, "link.yaml", "short.yaml", "tools/run.sh"].sort());

    const { stdout } = await execFileAsync("git", ["--git-dir", gitdir, "ls-tree", "-r", commit], { env: GIT_ENV });
    for (const line of stdout.trim().split("\n")) {
      const [meta, path] = line.split("\t") as [string, string];
      const sha = meta.split(" ")[2];
      expect(gitBlobSha((byPath.get(path) as { content: Uint8Array }).content)).toBe(sha);
    }
    expect(byPath.get("link.yaml")?.type).toBe("symlink");
    expect((byPath.get("tools/run.sh")?.mode ?? 0) & 0o100).toBe(0o100);
    expect(entries.some((entry) => entry.type === "directory" && entry.path === "acme-net-abc1234/bin")).toBe(true);
  });

  it("refuses an archive that ends inside an entry", async () => {
    const { tar } = await archive({ "big.txt": "x".repeat(5000) });
    expect(() => [...readTar(tar.subarray(0, 2048))]).toThrow(CorruptArchiveError);
  });
});
