// What the write-back of drafts and cluster-only objects does with Git (DESIGN §15), for the API (which
// judges a draft when it is made, and checks for conflicts before it starts a publish) and for the
// publish and adopt stages (which commit): the fabric directory at the head, the drafts as documents
// of a write-back plan, and the one commit — on the branch, or on a new branch with a pull request.
import { writeBackOf, type Fabric } from "../fabrics/schema.js";
import type { BranchHead, CommitSummary, GitProvider, PullRequestRef, TreeEntry } from "../git/provider.js";
import { gitBlobSha } from "../git/blob-sha.js";
import { roleOf, type SnapshotEntry } from "../gitops/snapshot.js";
import { draftStanding, planWriteBack, type WriteBackDocument, type WriteBackMessage, type WriteBackPlan, type WriteBackRemoval } from "../gitops/write-back.js";
import type { FileChange } from "../gitops/types.js";
import { serializeResource } from "../hedgehog/index.js";
import type { Draft } from "./draft-model.js";
import { DraftConflictError, type DraftConflict } from "./errors.js";
import type { Run } from "./run-model.js";
import type { ValidationSource } from "./validation-source.js";

/** The fabric directory at the head, as a write-back reads it. */
export interface WriteBackContext {
  readonly head: BranchHead;
  readonly tree: readonly TreeEntry[];
  /** Directory-relative, for the planner. */
  readonly entries: readonly SnapshotEntry[];
  /** The managed files' contents by blob sha. */
  readonly blobs: ReadonlyMap<string, Uint8Array>;
  readonly validation: ValidationSource;
  /** The blob at a repository-relative path, or null. */
  blobAt(path: string): string | null;
}

export async function readWriteBackContext(git: GitProvider, fabric: Fabric, head: BranchHead, validation: ValidationSource): Promise<WriteBackContext> {
  const directory = fabric.git.directory;
  const tree = await git.readTree(head.sha, directory);
  const entries: SnapshotEntry[] = tree.map((e) => ({ path: e.path.slice(directory.length + 1), sha: e.sha, mode: e.mode, ...(e.unsafe ? { unsafe: e.unsafe } : {}) }));
  const blobs = await git.readBlobs([...new Set(entries.filter((e) => roleOf(e) === "managed").map((e) => e.sha))]);
  const byPath = new Map(tree.map((e) => [e.path, e.sha]));
  return { head, tree, entries, blobs, validation, blobAt: (path) => byPath.get(path) ?? null };
}

/** Findings' name for a draft's document. */
export function draftLabel(draft: Pick<Draft, "kind" | "namespace" | "name">): string {
  return `drafts/${draft.kind}/${draft.namespace}/${draft.name}`;
}

/** Drafts as a write-back plan's documents (puts) and removals (deletes). */
export function draftInputs(fabric: Fabric, drafts: readonly Draft[]): { documents: WriteBackDocument[]; removals: WriteBackRemoval[] } {
  const directory = fabric.git.directory;
  const documents: WriteBackDocument[] = [];
  const removals: WriteBackRemoval[] = [];
  for (const draft of drafts) {
    // A put whose resource lives in another file of managed/ replaces it there, as ingest does.
    if (draft.operation === "put" && draft.object) documents.push({ label: draftLabel(draft), text: serializeResource(draft.object) });
    if (draft.operation === "delete" && draft.basePath !== null) removals.push({ id: draft.id, path: draft.basePath.slice(directory.length + 1) });
  }
  return { documents, removals };
}

/** The plan of `documents` and `removals` on the context, judged as ingest judges. */
export function planOn(context: WriteBackContext, fabric: Fabric, documents: readonly WriteBackDocument[], removals: readonly WriteBackRemoval[]): WriteBackPlan {
  return planWriteBack({
    directory: fabric.git.directory,
    entries: context.entries,
    blobs: context.blobs,
    documents,
    removals,
    settings: fabric.hedgehog,
    catalog: context.validation.catalog,
    ...(context.validation.cluster ? { cluster: context.validation.cluster } : {}),
  });
}

/** The drafts whose base changed in Git, each with the commit that changed its file; none: nothing in the way. */
export async function draftConflicts(git: GitProvider, context: WriteBackContext, drafts: readonly Draft[]): Promise<DraftConflict[]> {
  const conflicts: DraftConflict[] = [];
  for (const draft of drafts) {
    if (draftStanding(draft, context.blobAt) !== "conflict") continue;
    const path = draft.basePath ?? draft.path;
    const commit: CommitSummary | null = await git.lastCommitTouching(context.head.sha, path);
    conflicts.push({ id: draft.id, kind: draft.kind, namespace: draft.namespace, name: draft.name, path, baseBlobSha: draft.baseBlobSha, currentBlobSha: context.blobAt(path), commit });
  }
  return conflicts;
}

export function assertNoConflicts(fabricId: string, conflicts: readonly DraftConflict[]): void {
  if (conflicts.length > 0) throw new DraftConflictError(fabricId, conflicts);
}

/** The branch a pull-request write-back of `run` goes on: one per run, so a retry finds its own. */
export function writeBackBranch(what: "publish" | "adopt", runId: string): string {
  return `hedgehog-gitops/${what === "publish" ? "drafts" : "adopt"}-${runId}`;
}

export interface WriteBackOutcome {
  readonly mode: "direct" | "pull-request";
  /** The commit made (or found made by an earlier attempt); null when nothing had to change. */
  readonly commit: string | null;
  /** The branch the commit is on. */
  readonly branch: string;
  /** pull-request mode on GitHub; null on a plain Git remote (the branch is the answer). */
  readonly pullRequest: PullRequestRef | null;
}

function treeHolds(tree: readonly TreeEntry[], changes: readonly FileChange[]): boolean {
  const byPath = new Map(tree.map((e) => [e.path, e.sha]));
  const encoder = new TextEncoder();
  return changes.every((c) =>
    c.content === null ? !byPath.has(c.path) : byPath.get(c.path) === gitBlobSha(typeof c.content === "string" ? encoder.encode(c.content) : c.content),
  );
}

/**
 * One commit of `changes`, as the fabric's git.writeBack says: on its branch (parent: the head the
 * changes were planned on; a moved branch is a ConflictError for the caller to re-plan), or on a branch
 * of its own made from that head, with a pull request where the remote has them. A retry of the same
 * run finds its branch, its commit and its pull request instead of making them again.
 */
export async function commitWriteBack(
  git: GitProvider,
  fabric: Fabric,
  run: Pick<Run, "runId">,
  what: "publish" | "adopt",
  context: Pick<WriteBackContext, "head">,
  changes: readonly FileChange[],
  text: WriteBackMessage,
  now: Date,
): Promise<WriteBackOutcome> {
  const mode = writeBackOf(fabric.git);
  const base = fabric.git.branch;
  if (mode === "direct") {
    if (changes.length === 0) return { mode, commit: null, branch: base, pullRequest: null };
    const commit = await git.commit({ parent: context.head.sha, branch: base, changes, message: text.message, now });
    return { mode, commit, branch: base, pullRequest: null };
  }
  const branch = writeBackBranch(what, run.runId);
  let tip = (await git.head(branch))?.sha ?? null;
  if (tip === null) {
    if (changes.length === 0) return { mode, commit: null, branch, pullRequest: null };
    await git.createBranch(branch, context.head.sha);
    tip = context.head.sha;
  }
  const holds = tip !== context.head.sha && treeHolds(await git.readTree(tip, fabric.git.directory), changes);
  const commit = holds ? tip : await git.commit({ parent: tip, branch, changes, message: text.message, now });
  const pullRequest = await git.openPullRequest({ head: branch, base, title: text.title, body: text.body });
  return { mode, commit, branch, pullRequest };
}
