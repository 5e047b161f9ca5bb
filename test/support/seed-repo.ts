// Real Git repositories for tests, made and inspected with the git CLI.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "Operator",
  GIT_AUTHOR_EMAIL: "operator@example.com",
  GIT_COMMITTER_NAME: "Operator",
  GIT_COMMITTER_EMAIL: "operator@example.com",
  GIT_CONFIG_NOSYSTEM: "1",
  // Fixed dates: the same files make the same commits, so two repositories can be compared by sha.
  GIT_AUTHOR_DATE: "2026-11-01T00:00:00Z",
  GIT_COMMITTER_DATE: "2026-11-01T00:00:00Z",
  HOME: tmpdir(),
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

export interface SeededRepository {
  /** The bare repository (what the fabric's git.url points at). */
  readonly bare: string;
  /** Files under `directory` on `branch` at the tip. */
  files(directory: string, branch?: string): string[];
  show(path: string, branch?: string): string;
  /** Commit subjects, newest first. */
  log(branch?: string): string[];
  /** `git ls-tree -r` of the branch tip: mode, sha and path of every file. */
  tree(branch?: string): string;
  head(branch?: string): string;
  /** Commits a change as an operator would, from a scratch clone. */
  push(files: Record<string, string | null>, message: string, branch?: string): void;
  cleanup(): void;
}

/** A bare repository whose first commit holds `files` (repository-relative paths); none: empty repository. */
export function seedRepository(files: Record<string, string> = {}, branch = "main"): SeededRepository {
  const root = mkdtempSync(join(tmpdir(), "hh-repo-"));
  const bare = join(root, "fabric.git");
  git(root, "init", "--quiet", "--bare", `--initial-branch=${branch}`, bare);
  const repo: SeededRepository = {
    bare,
    files: (directory, b = branch) =>
      git(bare, "ls-tree", "-r", "--name-only", b, "--", directory)
        .split("\n")
        .filter(Boolean),
    show: (path, b = branch) => git(bare, "show", `${b}:${path}`),
    log: (b = branch) =>
      git(bare, "log", "--format=%s", b)
        .split("\n")
        .filter(Boolean),
    tree: (b = branch) => git(bare, "ls-tree", "-r", b),
    head: (b = branch) => git(bare, "rev-parse", b).trim(),
    push: (changes, message, b = branch) => {
      const work = mkdtempSync(join(root, "work-"));
      const hasCommits = git(bare, "for-each-ref", `refs/heads/${b}`).trim() !== "";
      if (hasCommits) git(root, "clone", "--quiet", "--branch", b, bare, work);
      else {
        git(work, "init", "--quiet", `--initial-branch=${b}`);
        git(work, "remote", "add", "origin", bare);
      }
      const removed: string[] = [];
      for (const [path, content] of Object.entries(changes)) {
        if (content === null) removed.push(path);
        else {
          mkdirSync(dirname(join(work, path)), { recursive: true });
          writeFileSync(join(work, path), content);
        }
      }
      // One git call for all of them: thousands of files take a second, not a minute.
      if (removed.length > 0) git(work, "rm", "--quiet", ...removed);
      git(work, "add", "-A", ".");
      git(work, "commit", "--quiet", "-m", message);
      git(work, "push", "--quiet", "origin", `HEAD:refs/heads/${b}`);
      rmSync(work, { recursive: true, force: true });
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
  if (Object.keys(files).length > 0) repo.push(files, "seed");
  return repo;
}
