// Which repository a fabric's Git settings name, as one comparable key: what the store indexes fabrics
// by (lib/store/table.ts, index byRepository) so that a push webhook finds the fabrics of the pushed
// repository with one query instead of listing every fabric. Pure.
import type { GitSettings } from "./schema.js";

/**
 * `host/path` of a Git URL, lowercased, without scheme, user, port, trailing slash or `.git`, so that
 * the https, ssh (scp-like or ssh://) and git:// spellings of one GitHub repository compare equal.
 * Lowercased because GitHub's owner and repository names are case-insensitive. Null for what is not a
 * remote URL (a local path).
 */
export function normalizeRepositoryUrl(url: string): string | null {
  let host: string;
  let path: string;
  // scp-like syntax, git@github.com:owner/repo.git; the lookahead keeps scheme://... out.
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/)(\S+)$/.exec(url);
  if (scp) {
    host = scp[1]!;
    path = scp[2]!;
  } else {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return null;
    }
    if (!["http:", "https:", "ssh:", "git:", "git+ssh:"].includes(parsed.protocol) || parsed.hostname === "") return null;
    host = parsed.hostname;
    path = parsed.pathname;
  }
  const cleaned = path
    .split("/")
    .filter((segment) => segment !== "")
    .join("/")
    .replace(/\.git$/i, "");
  return cleaned === "" ? null : `${host}/${cleaned}`.toLowerCase();
}

/**
 * The key of the repository a fabric's git block names: `github:<owner>/<repo>` for the github provider
 * (any GitHub host, as push payloads name the repository by full_name), `git:<host>/<path>` for a remote
 * of the git provider; null for a local repository (no webhook can push to it).
 */
export function repositoryKey(git: Pick<GitSettings, "provider"> & Partial<{ owner: string; repo: string; url: string }>): string | null {
  if (git.provider === "github") return git.owner && git.repo ? `github:${git.owner}/${git.repo}`.toLowerCase() : null;
  const normalized = git.url === undefined ? null : normalizeRepositoryUrl(git.url);
  return normalized === null ? null : `git:${normalized}`;
}

/** What a push payload says about its repository (GitHub's `repository` object). */
export interface PushedRepository {
  readonly name: string;
  readonly full_name: string;
  readonly owner?: { readonly login?: string | null; readonly name?: string | null } | null;
  readonly clone_url?: string | null;
  readonly html_url?: string | null;
  readonly ssh_url?: string | null;
  readonly git_url?: string | null;
}

/** Every key under which a fabric tracking the pushed repository may be indexed. */
export function pushedRepositoryKeys(repository: PushedRepository): string[] {
  const owner = repository.owner?.login ?? repository.owner?.name;
  const keys = [`github:${repository.full_name}`.toLowerCase(), ...(owner ? [`github:${owner}/${repository.name}`.toLowerCase()] : [])];
  for (const url of [repository.clone_url, repository.html_url, repository.ssh_url, repository.git_url]) {
    const normalized = url ? normalizeRepositoryUrl(url) : null;
    if (normalized !== null) keys.push(`git:${normalized}`);
  }
  return [...new Set(keys)];
}
