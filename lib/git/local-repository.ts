// Where a fabric's local repository may be (DESIGN §14): a bare repository under the operator's
// repository root (HH_GITOPS_REPO_ROOT), after every symbolic link is followed. Anything else — a path
// elsewhere on the server, the .git folder of a working repository (whose checked-out branch a commit
// would move under its user's feet), a folder that is not a repository — is refused. Only node:fs, so
// the API function can check registrations without carrying isomorphic-git.
import { open, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, normalize, sep } from "node:path";

/** The setting that says where local repositories may lie; named in refusals. */
export const REPO_ROOT_SETTING = "HH_GITOPS_REPO_ROOT";

/** A repository's config file is small; more than this is not one we read. */
const MAX_CONFIG_BYTES = 64 * 1024;

export type LocalRepositoryCheck = { readonly ok: true; readonly realPath: string } | { readonly ok: false; readonly problem: string };

function inside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** Whether `path` is a bare repository under `root` (null: this deployment allows none). Problems name the rule, not the file system beyond the root. */
export async function checkLocalRepository(path: string, configuredRoot: string | null): Promise<LocalRepositoryCheck> {
  if (configuredRoot === null) return { ok: false, problem: "is a local path, which this deployment does not allow (HH_GITOPS_DEPLOYMENT=cloud); use an https URL" };
  if (!isAbsolute(path)) return { ok: false, problem: "must be an absolute path" };
  const root = normalize(configuredRoot).replace(/(.)\/+$/, "$1");
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    return { ok: false, problem: `cannot be checked: the repository root ${root} (${REPO_ROOT_SETTING}) does not exist` };
  }
  // Lexically first, so that nothing outside the root is even looked at (not even whether it exists).
  const lexical = normalize(path).replace(/\/+$/, "");
  if (!inside(lexical, root) && !inside(lexical, realRoot)) {
    return { ok: false, problem: `must be a bare repository under ${root} (${REPO_ROOT_SETTING})` };
  }
  let real: string;
  try {
    real = await realpath(lexical);
  } catch {
    return { ok: false, problem: `does not exist under ${root}` };
  }
  if (!inside(real, realRoot) || real === realRoot) {
    return { ok: false, problem: `leads outside ${root} (${REPO_ROOT_SETTING}) through a symbolic link` };
  }
  const bare = await isBareRepository(real);
  if (bare !== true) return { ok: false, problem: bare === false ? "is not a bare repository (a working repository's .git is refused: a commit would move its checked-out branch); create one with git init --bare" : "is not a Git repository" };
  return { ok: true, realPath: real };
}

/** true: bare; false: a repository that is not bare; null: not a repository. */
async function isBareRepository(gitdir: string): Promise<boolean | null> {
  try {
    if (!(await stat(join(gitdir, "objects"))).isDirectory() || !(await stat(join(gitdir, "HEAD"))).isFile()) return null;
  } catch {
    return null;
  }
  const config = await readSmallFile(join(gitdir, "config"));
  if (config === null) return null;
  return coreBare(config);
}

async function readSmallFile(path: string): Promise<string | null> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch {
    return null;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile() || stats.size > MAX_CONFIG_BYTES) return null;
    const buffer = Buffer.alloc(stats.size);
    await handle.read(buffer, 0, stats.size, 0);
    return buffer.toString("utf8");
  } finally {
    await handle.close();
  }
}

/** core.bare of a git config file (git's boolean spellings); false when absent, as git reads it. */
export function coreBare(config: string): boolean {
  let section = "";
  let bare = false;
  for (const raw of config.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)[#;].*$/, "").trim();
    const header = /^\[\s*([A-Za-z0-9.-]+)(\s+"[^"]*")?\s*\]$/.exec(line);
    if (header) {
      section = header[2] ? "" : header[1]!.toLowerCase();
      continue;
    }
    const entry = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$/.exec(line);
    if (section === "core" && entry && entry[1]!.toLowerCase() === "bare") {
      const value = (entry[2] ?? "true").trim().toLowerCase();
      bare = ["true", "yes", "on", "1"].includes(value);
    }
  }
  return bare;
}
