// publish (DESIGN §15): every draft as one commit into managed/ — on the branch (git.writeBack direct)
// or on a new branch with a pull request — normalized exactly as ingest normalizes. The ingest stage
// after it (same run) finds what landed, takes the resources draft → committed, and removes the drafts;
// in pull-request mode that happens when the merge is synced.
//
// Nothing is published when a draft's base changed in Git since it was made (a conflict, naming the
// commit), or when the drafts together are refused by validation as the fabric is judged now. A retry
// (redelivery, or a moved branch re-planned in place) finds drafts already in Git and its own branch,
// commit and pull request, and makes none of them twice.
import type { Fabric } from "../fabrics/schema.js";
import type { GitProvider } from "../git/provider.js";
import { draftStanding, newErrors, writeBackMessage, type WriteBackChange } from "../gitops/write-back.js";
import type { DraftRepository } from "../store/drafts.js";
import { boundedList } from "./bounded.js";
import type { Draft } from "./draft-model.js";
import { FabricNotReadyError, WriteBackInvalidError } from "./errors.js";
import type { StageImplementation, StageOutcome } from "./stage-runner.js";
import { stageValidation, type ClusterValidationDeps } from "./validation-source.js";
import { assertNoConflicts, commitWriteBack, draftConflicts, draftInputs, planOn, readWriteBackContext } from "./write-back.js";

function changeOf(draft: Draft): WriteBackChange {
  return {
    action: draft.operation === "delete" ? "deleted" : draft.basePath === null ? "new" : "changed",
    path: draft.path,
    kind: draft.kind,
    namespace: draft.namespace,
    name: draft.name,
    by: draft.actor,
  };
}

export function publishStage(deps: { gitFor: (fabric: Fabric) => Promise<GitProvider>; drafts: DraftRepository } & Partial<ClusterValidationDeps>): StageImplementation {
  return async ({ fabric, run, now, checkpoint, retryInPlace }): Promise<StageOutcome> => {
    const stored = await deps.drafts.list(fabric);
    if (stored.length === 0) return { counts: { drafts: 0 }, detail: { note: "no drafts to publish" } };
    const git = await deps.gitFor(fabric);
    const validation = await stageValidation(deps, fabric, "referenced");
    const drafts = stored.map((s) => s.draft);

    // A moved branch (another fabric of the same repository committing) is re-planned here on the new head.
    for (;;) {
      const head = await git.head(fabric.git.branch);
      if (!head) throw new FabricNotReadyError(`fabric "${fabric.id}": branch ${fabric.git.branch} has no commit; initialize it first`);
      const context = await readWriteBackContext(git, fabric, head, validation);
      assertNoConflicts(fabric.id, await draftConflicts(git, context, drafts));
      const ready = drafts.filter((d) => draftStanding(d, context.blobAt) === "ready");
      const inputs = draftInputs(fabric, ready);
      const before = planOn(context, fabric, [], []);
      const after = planOn(context, fabric, inputs.documents, inputs.removals);
      const broken = newErrors(before.findings, after.findings);
      if (broken.length > 0) throw new WriteBackInvalidError(`fabric "${fabric.id}": the drafts are refused as the fabric is judged now, so nothing is published`, broken);
      const lines = ready.map(changeOf);
      const text = writeBackMessage("publish", fabric.git.directory, lines, run.actors ?? []);
      await checkpoint();
      let outcome;
      try {
        outcome = await commitWriteBack(git, fabric, run, "publish", context, after.changes, text, now);
      } catch (error) {
        if (await retryInPlace(error)) continue;
        throw error;
      }
      if (outcome.mode === "pull-request" && outcome.commit !== null) {
        const publication = { runId: run.runId, branch: outcome.branch, commit: outcome.commit, pullRequest: outcome.pullRequest };
        // Only the versions published: a draft changed meanwhile is published by the next publish.
        for (const { draft, draftVersion } of stored) if (ready.includes(draft)) await deps.drafts.markPublished(fabric, draft.id, draftVersion, publication);
      }
      const count = (action: WriteBackChange["action"]) => lines.filter((l) => l.action === action).length;
      return {
        counts: { drafts: drafts.length, published: ready.length, alreadyInGit: drafts.length - ready.length, new: count("new"), changed: count("changed"), deleted: count("deleted"), files: after.changes.length },
        detail: {
          writeBack: outcome.mode,
          commit: outcome.commit,
          branch: outcome.branch,
          pullRequest: outcome.pullRequest,
          changes: boundedList(lines.map((l) => ({ action: l.action, path: l.path, id: `${l.kind}/${l.namespace}/${l.name}`, by: l.by }))),
          ...(outcome.commit === null ? { note: ready.length === 0 ? "every draft is in Git already" : "the drafts change nothing in Git" } : {}),
        },
        headBefore: head.sha,
        headAfter: outcome.mode === "direct" && outcome.commit !== null ? outcome.commit : head.sha,
      };
    }
  };
}
