import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { EMPTY_TREE_SHA, gitBlobSha } from "../../../lib/git/blob-sha.js";
import { GIT_ENV } from "../../support/git-repos.js";

const execFileAsync = promisify(execFile);

async function hashObject(content: Uint8Array): Promise<string> {
  const child = execFileAsync("git", ["hash-object", "--stdin"], { env: GIT_ENV });
  child.child.stdin?.end(content);
  return (await child).stdout.trim();
}

describe("gitBlobSha", () => {
  it("names contents exactly as `git hash-object` does", async () => {
    for (const content of [new Uint8Array(0), new TextEncoder().encode("kind: VPC\n"), Uint8Array.from([0, 255, 128, 10, 0])]) {
      expect(gitBlobSha(content)).toBe(await hashObject(content));
    }
  });

  it("knows the empty tree", async () => {
    const { stdout } = await execFileAsync("git", ["hash-object", "-t", "tree", "/dev/null"], { env: GIT_ENV });
    expect(EMPTY_TREE_SHA).toBe(stdout.trim());
  });
});
