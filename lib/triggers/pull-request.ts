// Which fabrics a pull_request delivery concerns, and whether each gets a check run (DESIGN §17). Pure:
// the payload, the fabrics, and (second step) the pull request's changed files in; decisions out.
import type { GitSettings } from "../fabrics/schema.js";
import type { PullRequestEvent } from "./github-payload.js";
import { tracksRepository, type PushTarget } from "./push.js";

/** The actions after which the pull request's head may judge differently; the others change no file. */
export const CHECKED_ACTIONS: ReadonlySet<string> = new Set(["opened", "synchronize", "reopened", "ready_for_review"]);

/** Why a fabric's check was not started. */
export type PullRequestIgnoreReason = "action" | "branch" | "provider" | "closed" | "stale" | "directory" | "unreadable";

export type PullRequestDecision =
  | { readonly fabricId: string; readonly target: PushTarget; readonly candidate: true }
  | { readonly fabricId: string; readonly candidate: false; readonly reason: PullRequestIgnoreReason; readonly detail: string };

/**
 * First step, from the payload alone: one decision per fabric that tracks the repository, in fabric id
 * order. A candidate still needs its changed files (decideChangedFiles) and a fresh look at the pull
 * request (stale, closed), which only the Git host can give.
 */
export function decidePullRequest(event: PullRequestEvent, fabrics: readonly PushTarget[]): PullRequestDecision[] {
  const pr = event.pull_request;
  return fabrics
    .filter((f) => tracksRepository(f.git, event.repository))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((target): PullRequestDecision => {
      const fabricId = target.id;
      if (!CHECKED_ACTIONS.has(event.action)) return { fabricId, candidate: false, reason: "action", detail: `"${event.action}" changes no file of the pull request` };
      if (pr.base.ref !== target.git.branch) return { fabricId, candidate: false, reason: "branch", detail: `the pull request targets ${pr.base.ref}, not the fabric's branch ${target.git.branch}` };
      if (target.git.provider !== "github") return { fabricId, candidate: false, reason: "provider", detail: "pull-request checks need the github provider (it reads the pull request and publishes on it)" };
      if (pr.state === "closed") return { fabricId, candidate: false, reason: "closed", detail: `pull request #${pr.number} is closed` };
      return { fabricId, target, candidate: true };
    });
}

export type FilesDecision = { readonly run: true; readonly detail: string } | { readonly run: false; readonly reason: "directory"; readonly detail: string };

/** Second step: whether the pull request touches the fabric's directory. An incomplete list counts as touching it. */
export function decideChangedFiles(git: Pick<GitSettings, "directory">, files: { readonly paths: readonly string[]; readonly complete: boolean }): FilesDecision {
  const prefix = `${git.directory}/`;
  const inside = files.paths.filter((path) => path.startsWith(prefix));
  if (inside.length > 0) return { run: true, detail: `${inside.length} changed ${inside.length === 1 ? "file is" : "files are"} under ${prefix}` };
  if (!files.complete) return { run: true, detail: `GitHub lists only the first ${files.paths.length} changed files; the rest may be under ${prefix}` };
  return { run: false, reason: "directory", detail: `no changed file is under ${prefix}` };
}
