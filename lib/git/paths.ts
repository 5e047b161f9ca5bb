// Repository paths, directories and branch names, checked before anything is read or written, so a
// bad value can never walk out of a repository (".."), write into git's own files (".git"), or name
// a ref git itself would refuse.
import { InvalidChangeError, InvalidGitSettingsError } from "./errors.js";

const MAX_PATH_LENGTH = 4096;

/** Why `path` is not a usable repository-relative file path, or null when it is. */
export function pathProblem(path: string): string | null {
  if (path.length === 0) return "is empty";
  if (path.length > MAX_PATH_LENGTH) return `is longer than ${MAX_PATH_LENGTH} characters`;
  if (path.startsWith("/")) return "is absolute";
  if (path.endsWith("/")) return "ends with a slash";
  if (path.includes("\0")) return "contains a NUL character";
  // isomorphic-git rewrites "\" to "/" in tree paths; GitHub does not. Refusing it keeps providers alike.
  if (path.includes("\\")) return "contains a backslash";
  for (const segment of path.split("/")) {
    if (segment === "") return "contains an empty segment (//)";
    if (segment === "." || segment === "..") return `contains a "${segment}" segment`;
    // git fsck rejects trees with a .git entry (any case), and checkouts would write into the repository.
    if (segment.toLowerCase() === ".git") return "contains a .git segment";
  }
  return null;
}

/** Throws InvalidChangeError unless `path` is a usable repository-relative file path. */
export function assertRepositoryPath(path: string): void {
  const problem = pathProblem(path);
  if (problem !== null) throw new InvalidChangeError(`path ${JSON.stringify(path)} ${problem}`);
}

/** A fabric directory is at most this long; it prefixes every path the engine writes. */
export const MAX_DIRECTORY_LENGTH = 255;

/**
 * Why `directory` (already normalized: no "./" prefix, no trailing slash) is not a usable fabric
 * directory, or null. The file path rules plus: no control characters, at most 255 characters. The API
 * checks a fabric's setting with this, and the providers check it again.
 */
export function directoryProblem(directory: string): string | null {
  if (directory === "") return null;
  if (directory.length > MAX_DIRECTORY_LENGTH) return `is longer than ${MAX_DIRECTORY_LENGTH} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(directory)) return "contains a control character";
  return pathProblem(directory);
}

/** "" for the repository root; otherwise the directory without "./" prefix or trailing slash. */
export function normalizeDirectory(directory: string): string {
  let d = directory.trim();
  while (d.startsWith("./")) d = d.slice(2);
  d = d.replace(/\/+$/, "");
  if (d === "" || d === ".") return "";
  const problem = directoryProblem(d);
  if (problem !== null) throw new InvalidChangeError(`directory ${JSON.stringify(directory)} ${problem}`);
  return d;
}

/** Whether repository path `path` lies inside normalized `directory` ("" contains everything). */
export function isInDirectory(path: string, directory: string): boolean {
  return directory === "" || path.startsWith(`${directory}/`);
}

/** Why `branch` is not a valid branch name (git check-ref-format rules), or null when it is. */
export function branchProblem(branch: string): string | null {
  if (branch.length === 0) return "is empty";
  if (branch.length > 255) return "is longer than 255 characters";
  if (branch.startsWith("-")) return "starts with '-'";
  if (branch === "@" || branch === "HEAD") return "is reserved";
  if (branch.endsWith("/") || branch.endsWith(".")) return "ends with '/' or '.'";
  if (branch.includes("..") || branch.includes("@{")) return "contains '..' or '@{'";
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(branch)) return "contains a space, control character or one of ~^:?*[\\";
  for (const component of branch.split("/")) {
    if (component === "") return "contains an empty component (//)";
    if (component.startsWith(".")) return "has a component starting with '.'";
    if (component.endsWith(".lock")) return "has a component ending with '.lock'";
  }
  return null;
}

/** Throws InvalidGitSettingsError unless `branch` is a valid branch name. */
export function assertBranchName(branch: string): void {
  const problem = branchProblem(branch);
  if (problem !== null) throw new InvalidGitSettingsError(`branch ${JSON.stringify(branch)} ${problem}`);
}
