// ingest: snapshot raw/ and managed/ at the head, plan (pure), one commit, then the resource records.
//
// Idempotent under redelivery: the commit is planned from the head, so a redelivered message finds the
// inbox already empty. To keep what only the first attempt knew (which raw file a resource came from,
// which commit wrote it), the stage records the commit it planned on before committing; a retry that
// finds the branch moved re-plans on that base, and if the head's tree holds exactly that plan's
// result, takes the head as the commit that wrote it. The same holds across runs: the run after one that
// died (its lease expired) finishes the dead run's plan the same way.
//
// Resumable (stage-runner.ts): when the commit has used up the invocation's time budget, the stage
// records {plannedOn, commit} and continues in a new invocation, which finds the commit by that plan
// and writes the records. The commit is made once: a continuation never commits again.
import { createHash } from "node:crypto";
import type { GitProvider, TreeEntry } from "../git/provider.js";
import { gitBlobSha } from "../git/blob-sha.js";
import { planIngestion, type DesiredResource, type IngestPlan } from "../gitops/ingest-plan.js";
import { landedDrafts } from "../gitops/write-back.js";
import { blobsToRead, type SnapshotEntry } from "../gitops/snapshot.js";
import type { Fabric } from "../fabrics/schema.js";
import type { ResourceIdentity } from "../hedgehog/index.js";
import { FORGOTTEN, next, UNTRACKED, type Observation } from "../state/index.js";
import type { DraftRepository } from "../store/drafts.js";
import type { ResourceRepository, StoredResource } from "../store/resources.js";
import type { RunRepository } from "../store/runs.js";
import { boundedList } from "./bounded.js";
import type { ProgressUpdate } from "./progress.js";
import { writeRecords } from "./record-writer.js";
import type { ResourceRecord, ResourceState } from "./resource-model.js";
import { fixedCommit, isFinished, type Run } from "./run-model.js";
import { publishQuietly, type EventSink } from "../events/index.js";
import { ingestRejectionEvents } from "./stage-events.js";
import { checkFindings } from "./check-findings.js";
import type { StageImplementation, StageOutcome } from "./stage-runner.js";
import { offlineValidation, stageValidation, type ClusterValidationDeps, type ValidationSource } from "./validation-source.js";

interface Snapshot {
  readonly head: string;
  readonly tree: readonly TreeEntry[];
  readonly plan: IngestPlan;
}

/** What the store last recorded each managed file to define: how a file that turned unreadable is still known. */
export function recordedByPath(stored: Iterable<StoredResource>): Map<string, ResourceIdentity[]> {
  const byPath = new Map<string, ResourceIdentity[]>();
  for (const { record } of stored) {
    if (record.source !== "git" || record.gitFilePath === null || !record.inGit) continue;
    const { id, group, apiVersion, kind, namespace, name } = record;
    byPath.set(record.gitFilePath, [...(byPath.get(record.gitFilePath) ?? []), { id, group, apiVersion, kind, namespace, name }]);
  }
  return byPath;
}

/**
 * The fabric directory at `commit`, read and planned, judged by `validation` (the cluster's CRDs and
 * objects, or the offline catalog). Reconcile uses it for the desired set too.
 */
export async function snapshotAndPlan(
  git: GitProvider,
  fabric: Fabric,
  commit: string,
  validation: ValidationSource = offlineValidation(fabric),
  recorded?: ReadonlyMap<string, readonly ResourceIdentity[]>,
  progress: (update: ProgressUpdate) => void = () => undefined,
): Promise<Snapshot> {
  const directory = fabric.git.directory;
  const tree = await git.readTree(commit, directory);
  const entries: SnapshotEntry[] = tree.map((e) => ({ path: e.path.slice(directory.length + 1), sha: e.sha, mode: e.mode, ...(e.unsafe ? { unsafe: e.unsafe } : {}) }));
  const toRead = blobsToRead(entries);
  progress({ phase: "reading", done: 0, total: toRead.length });
  const blobs = await git.readBlobs(toRead);
  progress({ phase: "planning", done: 0, total: toRead.length });
  const plan = planIngestion({
    directory,
    entries,
    blobs,
    keepOriginals: fabric.sync.keepOriginals,
    settings: fabric.hedgehog,
    catalog: validation.catalog,
    ...(validation.cluster ? { cluster: validation.cluster } : {}),
    ...(recorded ? { recorded } : {}),
  });
  progress({ phase: "planning", done: toRead.length, total: toRead.length, counts: { ...plan.counts, resources: plan.resources.length } });
  return { head: commit, tree, plan };
}

/** True when `tree` already holds every change of `plan` (a previous attempt committed it). */
function treeHolds(tree: readonly TreeEntry[], plan: IngestPlan): boolean {
  const byPath = new Map(tree.map((e) => [e.path, e.sha]));
  return plan.changes.every((c) =>
    c.content === null ? !byPath.has(c.path) : byPath.get(c.path) === gitBlobSha(typeof c.content === "string" ? new TextEncoder().encode(c.content) : c.content),
  );
}

/** Records that take a few seconds to write (~40 BatchWriteItem requests): fewer fit the budget's reserve. */
const RECORDS_WORTH_A_CONTINUATION = 1000;

const plannedOnOf = (run: Pick<Run, "stages"> | null | undefined) => (run?.stages.ingest?.detail as { plannedOn?: string } | undefined)?.plannedOn;

/**
 * The base an earlier run planned its ingest on, when that run ended (failed, cancelled, lost) before
 * its ingest stage succeeded: its commit may have landed, and only its plan knows which raw file each
 * resource came in through. Only the run right before this one counts (a later success supersedes).
 */
async function unfinishedPlanOfPreviousRun(runs: RunRepository, run: Run): Promise<string | undefined> {
  const previous = (await runs.list(run.fabricId, 10)).find((r) => r.runId < run.runId && !r.dryRun);
  if (!previous || !isFinished(previous) || previous.status === "succeeded" || previous.stages.ingest?.status === "succeeded") return undefined;
  return plannedOnOf(previous);
}

function contentHash(resource: DesiredResource): string | null {
  return resource.object ? createHash("sha256").update(JSON.stringify(resource.object)).digest("hex") : null;
}

function transition(from: ResourceState | typeof UNTRACKED, observation: Observation): ResourceState | typeof FORGOTTEN {
  return next(from, observation);
}

/** What the drafts say about the records (DESIGN §15): which Git now holds, and which still wait for Git. */
export interface DraftsSeen {
  /** Git holds the draft's change: its resource leaves `draft` through `ingested`, and the draft is removed. */
  readonly landed: ReadonlySet<string>;
  /** Not in Git yet: the draft dominates, the record stays `draft` (attribution still follows Git). */
  readonly pending: ReadonlySet<string>;
}

const NO_DRAFTS: DraftsSeen = { landed: new Set(), pending: new Set() };

/** The state of a desired resource's record after this ingest, by the state table. */
function stateAfterIngest(previous: ResourceRecord | undefined, blobChanged: boolean, drafts: DraftsSeen, id: string): ResourceState {
  if (drafts.pending.has(id)) {
    // A draft is made before its record is marked: a record not marked yet is marked now.
    return previous?.state === "draft" ? "draft" : (transition(previous ? previous.state : UNTRACKED, "edited-via-api") as ResourceState);
  }
  if (previous?.state === "draft") {
    // Landed: Git holds the draft. Without a draft at all (withdrawn while this run read the store): the
    // draft's claim is forgotten and the resource enters again as Git has it.
    if (drafts.landed.has(id)) return transition("draft", "ingested") as ResourceState;
    if (transition("draft", "discarded") !== FORGOTTEN) throw new Error("a withdrawn draft must be forgotten");
    return transition(UNTRACKED, "ingested") as ResourceState;
  }
  if (!previous || blobChanged || !previous.inGit) {
    const after = transition(previous ? previous.state : UNTRACKED, "ingested");
    return after === "forgotten" ? "committed" : after;
  }
  return previous.state;
}

/**
 * The records the plan implies. `commit` is the commit this stage made (or found made), `head` the
 * commit the snapshot was taken at.
 */
export function recordsFor(
  plan: IngestPlan,
  stored: ReadonlyMap<string, StoredResource>,
  commit: string | null,
  head: string,
  hasCluster: boolean,
  drafts: DraftsSeen = NO_DRAFTS,
): { upserts: ResourceRecord[]; forgotten: string[] } {
  const upserts: ResourceRecord[] = [];
  const forgotten: string[] = [];
  const seen = new Set<string>();
  for (const r of plan.resources) {
    seen.add(r.id);
    const previous = stored.get(r.id)?.record;
    if (r.errors.length > 0 && previous) {
      // An invalid hand edit: the cluster keeps being compared with the last valid version (its state,
      // drift and objects stay); the attribution names the invalid version and `error` says why.
      const lastValid =
        previous.appliedCommitSha !== undefined
          ? { appliedCommitSha: previous.appliedCommitSha, appliedBlobSha: previous.appliedBlobSha ?? null }
          : { appliedCommitSha: previous.gitCommitSha, appliedBlobSha: previous.gitBlobSha };
      upserts.push({
        ...previous,
        inGit: true,
        gitFilePath: r.path,
        gitBlobSha: r.blobSha,
        gitCommitSha: previous.gitBlobSha === r.blobSha ? previous.gitCommitSha : head,
        ...lastValid,
        error: r.errors.join("; "),
        warnings: r.warnings,
      });
      continue;
    }
    const blobChanged = previous?.gitBlobSha !== r.blobSha;
    const changedByUs = r.written && commit !== null;
    let state = stateAfterIngest(previous, blobChanged, drafts, r.id);
    if (!hasCluster && state !== "committed") {
      const after = transition(state, "no-cluster");
      state = after === "forgotten" ? "committed" : after;
    }
    // The commit that last changed it: ours when we wrote it; otherwise unchanged since the record;
    // otherwise (changed by someone else) the first head at which we saw this content.
    const gitCommitSha = changedByUs ? commit : !blobChanged && previous ? previous.gitCommitSha : head;
    const valid = r.errors.length === 0;
    upserts.push({
      id: r.id,
      group: r.group,
      apiVersion: r.apiVersion,
      kind: r.kind,
      namespace: r.namespace,
      name: r.name,
      state,
      source: "git",
      inGit: true,
      gitFilePath: r.path,
      gitBlobSha: r.blobSha,
      gitCommitSha,
      appliedCommitSha: valid ? gitCommitSha : null,
      appliedBlobSha: valid ? r.blobSha : null,
      importedFrom: r.importedFrom ?? previous?.importedFrom ?? null,
      contentHash: contentHash(r),
      error: r.errors.length > 0 ? r.errors.join("; ") : null,
      warnings: r.warnings,
      drift: previous && !blobChanged ? previous.drift : [],
      ...(previous?.desiredHash !== undefined ? { desiredHash: previous.desiredHash } : {}),
      ...(previous?.liveHash !== undefined ? { liveHash: previous.liveHash } : {}),
      // Which live version's drift was announced stays known whatever Git does (stage-events.ts).
      ...(previous?.driftEventVersion ? { driftEventVersion: previous.driftEventVersion } : {}),
    });
  }
  for (const [id, { record }] of stored) {
    if (seen.has(id)) continue;
    if (record.state === "draft" && !drafts.pending.has(id) && !drafts.landed.has(id)) {
      // A draft withdrawn while this run read the store, of a resource Git does not hold: nothing to keep.
      if (record.source !== "git" || !record.inGit) {
        if (transition("draft", "discarded") === FORGOTTEN) forgotten.push(id);
        continue;
      }
    }
    if (record.source !== "git" || !record.inGit) continue;
    // A deletion Git now holds: the resource leaves `draft`, then goes the way of anything removed from Git.
    const current = record.state === "draft" && drafts.landed.has(id) ? { ...record, state: transition("draft", "ingested") as ResourceState } : record;
    if (hasCluster) {
      // Kept and marked: the reconcile stage decides whether it is orphaned in the cluster.
      upserts.push({ ...current, inGit: false });
    } else {
      const after = transition(current.state, "removed-from-git");
      if (after === "forgotten") forgotten.push(id);
      else upserts.push({ ...current, inGit: false, state: after });
    }
  }
  return { upserts, forgotten };
}

export function ingestStage(
  deps: {
    gitFor: (fabric: Fabric) => Promise<GitProvider>;
    resources: ResourceRepository;
    runs: RunRepository;
    /** Where "Resource Rejected" events go (none in dry runs). */
    events?: EventSink;
    /** Drafts that Git now holds are resolved here (DESIGN §15); without it drafts are not looked at. */
    drafts?: DraftRepository;
  } & Partial<ClusterValidationDeps>,
): StageImplementation {
  return async ({ fabric, run, now, checkpoint, retryInPlace, budget, resume, progress }): Promise<StageOutcome> => {
    const resumed = resume as { plannedOn?: string; commit?: string } | null;
    const git = await deps.gitFor(fabric);
    const { branch } = fabric.git;
    const dryRun = run.dryRun;
    const hasCluster = fabric.cluster !== null;
    // Judged as the reconcile stage will judge it: by the cluster's CRDs and objects when there is a cluster.
    const validation = await stageValidation(deps, fabric, "referenced");
    const storedList = await deps.resources.list(fabric);
    const stored = new Map(storedList.map((s) => [s.record.id, s]));
    const recorded = recordedByPath(storedList);
    let bases = dryRun ? [] : [resumed?.plannedOn, plannedOnOf(run), await unfinishedPlanOfPreviousRun(deps.runs, run)].filter((b): b is string => b !== undefined);

    // A moved branch or a held ref lock (another fabric of the same repository committing) is retried
    // right here, re-planning on the new head; what the store holds does not change meanwhile.
    for (;;) {
      // A check plans its pull request's head; everything else the branch's.
      const fixed = fixedCommit(run);
      const head = fixed ? { sha: fixed, changed: true } : await git.head(branch);
      if (!head) return { counts: { files: 0 }, detail: { note: "the branch has no commit yet" }, headBefore: null, headAfter: null };
      let snapshot = await snapshotAndPlan(git, fabric, head.sha, validation, recorded, progress);
      let commit: string | null = null;
      // A previous attempt of this stage, or a previous run that died after its commit, may have
      // committed already; then finish its work with its plan (which knows where each resource came from).
      for (const base of [...new Set(bases)].filter((b) => b !== head.sha)) {
        const earlier = await snapshotAndPlan(git, fabric, base, validation, recorded);
        if (earlier.plan.changes.length > 0 && treeHolds(snapshot.tree, earlier.plan)) {
          snapshot = { ...earlier, head: head.sha, tree: snapshot.tree };
          // The commit is known when this invocation continues the one that made it.
          commit = resumed?.plannedOn === base && resumed.commit ? resumed.commit : head.sha;
          break;
        }
      }
      // Checked once: a retry below follows a commit that did not land.
      bases = [];
      const plan = snapshot.plan;
      if (commit === null && plan.changes.length > 0 && !dryRun) {
        const current = run.stages.ingest;
        await checkpoint();
        await deps.runs.updateStage(run.fabricId, run.runId, "ingest", {
          status: "running",
          startedAt: current?.startedAt ?? now.toISOString(),
          finishedAt: null,
          counts: {},
          errors: current?.errors ?? [],
          ...(current?.errorsTotal !== undefined ? { errorsTotal: current.errorsTotal } : {}),
          ...(current?.attempts !== undefined ? { attempts: current.attempts } : {}),
          detail: { plannedOn: head.sha },
        });
        try {
          progress({ phase: "committing", done: 0, total: plan.changes.length, counts: plan.counts });
          commit = await git.commit({ parent: head.sha, branch, changes: plan.changes, message: plan.message, now });
        } catch (error) {
          if (await retryInPlace(error)) continue;
          throw error;
        }
      }

      const drafts = deps.drafts ? await deps.drafts.list(fabric) : [];
      const landed = landedDrafts(plan.resources, drafts.map((d) => d.draft));
      const seenDrafts: DraftsSeen = { landed, pending: new Set(drafts.map((d) => d.draft.id).filter((id) => !landed.has(id))) };
      const { upserts, forgotten } = recordsFor(plan, stored, commit, head.sha, hasCluster, seenDrafts);
      // The commit took this invocation's time and many records are left to write: the next one writes
      // them (a few are written within the reserve the budget keeps).
      if (commit !== null && resumed === null && !dryRun && budget.exhausted() && upserts.length > RECORDS_WORTH_A_CONTINUATION) {
        return {
          counts: { ...plan.counts, resources: plan.resources.length },
          detail: { plannedOn: head.sha, commit, note: "committed; the records are written by the next invocation" },
          headBefore: head.sha,
          headAfter: commit,
          continueFrom: { plannedOn: head.sha, commit },
        };
      }
      let written = 0;
      let draftsResolved = 0;
      if (!dryRun) {
        await checkpoint();
        const desired = new Map(plan.resources.flatMap((r) => (r.object ? [[r.id, r.object] as const] : [])));
        ({ written } = await writeRecords(deps.resources, {
          fabric,
          runId: run.runId,
          stage: "ingest",
          step: run.chain.indexOf("ingest"),
          at: now.toISOString(),
          stored,
          upserts,
          forgotten,
          desired,
          onProgress: (done, total) => progress({ phase: "recording", done, total, counts: plan.counts }),
        }));
        await publishQuietly(deps.events, ingestRejectionEvents(fabric, run, plan, upserts, stored));
        // After the records: a draft changed meanwhile (another version) stays for the next publish.
        for (const { draft, draftVersion } of drafts) if (landed.has(draft.id) && (await deps.drafts!.delete(fabric, draft.id, draftVersion))) draftsResolved++;
      }
      const check = run.kind === "check" ? await checkFindings(git, fabric, plan, validation, recorded) : null;
      const counts = {
        ...plan.counts,
        resources: plan.resources.length,
        recordsWritten: written,
        recordsForgotten: forgotten.length,
        ...(plan.unsafeEntries.length > 0 ? { unsafeNames: plan.unsafeEntries.length } : {}),
        ...(drafts.length > 0 ? { drafts: drafts.length, draftsLanded: dryRun ? landed.size : draftsResolved } : {}),
      };
      return {
        counts,
        errors: [...plan.managedProblems.map((p) => `${p.path}: ${p.message}`), ...plan.unsafeEntries.map((u) => `${u.path}: skipped, ${u.reason}`)],
        detail: {
          plannedOn: resumed?.plannedOn ?? head.sha,
          commit,
          schemas: validation.schemas,
          sources: boundedList(plan.sources),
          ...(plan.unreadable.length > 0 ? { heldBack: boundedList(plan.unreadable) } : {}),
          ...(dryRun ? { wouldCommit: boundedList(plan.changes.map((c) => ({ path: c.path, action: c.content === null ? "delete" : "write" }))), message: plan.message } : {}),
          // What a check's pull request would add, at file and line (the first ones; its check run gets them all).
          ...(check ? { findings: boundedList(check.findings), preexistingFindings: check.preexisting, comparedWith: check.comparedWith } : {}),
          ...(forgotten.length > 0 ? { forgotten: boundedList(forgotten) } : {}),
        },
        headBefore: resumed?.plannedOn ?? head.sha,
        headAfter: commit ?? head.sha,
        rejections: plan.rejections,
        ...(check ? { check } : {}),
      };
    }
  };
}
