// Real bare repositories for tests, made and inspected with the git CLI, isolated from the machine's
// git configuration. Everything lives under os.tmpdir() and is removed by `removeAll()`.
import { execFile } from "node:child_process";
import { mkdtemp, mkdir, rm, symlink, writeFile, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_TERMINAL_PROMPT: "0",
  GIT_AUTHOR_NAME: "Test Author",
  GIT_AUTHOR_EMAIL: "author@example.com",
  GIT_COMMITTER_NAME: "Test Committer",
  GIT_COMMITTER_EMAIL: "committer@example.com",
  GIT_AUTHOR_DATE: "2024-01-01T00:00:00Z",
  GIT_COMMITTER_DATE: "2024-01-01T00:00:00Z",
};

/** Runs git and returns stdout as text. */
export async function git(args: readonly string[], options: { cwd?: string; input?: string } = {}): Promise<string> {
  const child = execFileAsync("git", [...args], { env: GIT_ENV, cwd: options.cwd, maxBuffer: 1 << 28 });
  if (options.input !== undefined) child.child.stdin?.end(options.input);
  return (await child).stdout;
}

/** Runs git against a bare repository and returns stdout as bytes (for blob contents). */
export async function gitBytes(gitdir: string, args: readonly string[]): Promise<Buffer> {
  const { stdout } = await execFileAsync("git", ["--git-dir", gitdir, ...args], { env: GIT_ENV, encoding: "buffer", maxBuffer: 1 << 28 });
  return stdout;
}

export function gitIn(gitdir: string, args: readonly string[]): Promise<string> {
  return git(["--git-dir", gitdir, ...args]);
}

/** File content for seeding: text, bytes, or a symlink / executable. */
export type SeedFile = string | Uint8Array | { readonly symlink: string } | { readonly executable: string };

export class TempRepos {
  private readonly dirs: string[] = [];

  async dir(prefix = "hh-git-test-"): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  /** An empty bare repository whose HEAD names `initialBranch`. */
  async bare(initialBranch = "main", parent?: string, name = "repo.git"): Promise<string> {
    const gitdir = join(parent ?? (await this.dir()), name);
    await git(["init", "--quiet", "--bare", `--initial-branch=${initialBranch}`, gitdir]);
    return gitdir;
  }

  /**
   * One commit on `branch` of the bare repository, made by the git CLI from a scratch work tree:
   * it replaces the whole tree with `files`. Returns the commit sha.
   */
  async seed(gitdir: string, branch: string, files: Readonly<Record<string, SeedFile>>, message = "seed"): Promise<string> {
    const work = await this.dir("hh-git-work-");
    await git(["init", "--quiet", `--initial-branch=${branch}`, work]);
    const tip = (await git(["--git-dir", gitdir, "rev-parse", "--verify", "--quiet", `refs/heads/${branch}`]).catch(() => "")).trim();
    if (tip) {
      await git(["fetch", "--quiet", gitdir, `refs/heads/${branch}`], { cwd: work });
      await git(["reset", "--quiet", "--soft", "FETCH_HEAD"], { cwd: work });
      await git(["rm", "-r", "--quiet", "--cached", "--ignore-unmatch", "."], { cwd: work });
    }
    for (const [path, content] of Object.entries(files)) {
      const target = join(work, path);
      await mkdir(dirname(target), { recursive: true });
      if (typeof content === "string" || content instanceof Uint8Array) {
        await writeFile(target, content);
      } else if ("symlink" in content) {
        await symlink(content.symlink, target);
      } else {
        await writeFile(target, content.executable);
        await chmod(target, 0o755);
      }
    }
    await git(["add", "-A", "."], { cwd: work });
    await git(["commit", "--quiet", "--allow-empty", "-m", message], { cwd: work });
    await git(["push", "--quiet", gitdir, `HEAD:refs/heads/${branch}`], { cwd: work });
    return (await git(["rev-parse", "HEAD"], { cwd: work })).trim();
  }

  async removeAll(): Promise<void> {
    await Promise.all(this.dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

/** `git ls-tree -r` of a commit as path → {mode, sha}. */
export async function lsTree(gitdir: string, commit: string): Promise<Map<string, { mode: string; sha: string }>> {
  const out = await gitIn(gitdir, ["ls-tree", "-r", "-z", commit]);
  const files = new Map<string, { mode: string; sha: string }>();
  for (const record of out.split("\0")) {
    if (!record) continue;
    const tab = record.indexOf("\t");
    const [mode, , sha] = record.slice(0, tab).split(" ") as [string, string, string];
    files.set(record.slice(tab + 1), { mode, sha });
  }
  return files;
}

/** The branch's commit, or null when it does not exist. */
export async function branchSha(gitdir: string, branch: string): Promise<string | null> {
  const out = await gitIn(gitdir, ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`]).catch(() => "");
  return out.trim() || null;
}
