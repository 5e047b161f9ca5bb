// adopt (DESIGN §15): cluster-only objects (orphaned, source cluster) written into managed/ as the
// cluster holds them — normalized, without status, server metadata or our tracking annotation — in one
// commit on the branch or a pull request, as git.writeBack says. The ingest and reconcile stages after
// it (same run, or the sync of the merge) find them in Git and equal to the cluster: synced, From Git,
// with no write to the cluster.
//
// Each object is judged as ingest judges raw/: one that validation refuses is left out, with its
// findings in the stage's errors. An object gone from the cluster, or already in Git, is skipped.
import { adoptableObject } from "../cluster/adopt.js";
import { isTrackedByName, trackingIdOf } from "../cluster/tracking.js";
import type { Fabric } from "../fabrics/schema.js";
import type { GitProvider } from "../git/provider.js";
import { writeBackMessage, type WriteBackChange, type WriteBackDocument } from "../gitops/write-back.js";
import { serializeResource } from "../hedgehog/index.js";
import type { ResourceRepository } from "../store/resources.js";
import { boundedList } from "./bounded.js";
import { FabricNotReadyError } from "./errors.js";
import type { ResourceRecord } from "./resource-model.js";
import type { AdoptSelection } from "./run-model.js";
import type { StageImplementation, StageOutcome } from "./stage-runner.js";
import { clusterValidation, type ClusterValidationDeps } from "./validation-source.js";
import { commitWriteBack, planOn, readWriteBackContext } from "./write-back.js";

const label = (record: Pick<ResourceRecord, "kind" | "namespace" | "name">) => `cluster/${record.kind}/${record.namespace}/${record.name}`;

function selected(record: ResourceRecord, selection: AdoptSelection | null): boolean {
  if (record.state !== "orphaned" || record.source !== "cluster") return false;
  return selection === null || selection.ids.includes(record.id) || selection.kinds.includes(record.kind);
}

export function adoptStage(deps: { gitFor: (fabric: Fabric) => Promise<GitProvider>; resources: ResourceRepository } & ClusterValidationDeps): StageImplementation {
  return async ({ fabric, run, now, checkpoint, retryInPlace }): Promise<StageOutcome> => {
    if (!fabric.cluster) throw new FabricNotReadyError(`fabric "${fabric.id}" has no cluster: there is nothing to adopt from`);
    const git = await deps.gitFor(fabric);
    // The served CRDs, and every managed kind's objects: what is adopted, and what judges it.
    const validation = await clusterValidation(deps, fabric, "all");
    const candidates = (await deps.resources.list(fabric)).map((s) => s.record).filter((r) => selected(r, run.adopt ?? null));

    for (;;) {
      const head = await git.head(fabric.git.branch);
      if (!head) throw new FabricNotReadyError(`fabric "${fabric.id}": branch ${fabric.git.branch} has no commit; initialize it first`);
      const context = await readWriteBackContext(git, fabric, head, validation);
      const inGit = new Set(planOn(context, fabric, [], []).resources.map((r) => r.id));
      const documents: WriteBackDocument[] = [];
      const skipped: string[] = [];
      for (const record of candidates) {
        const live = (validation.live.get(record.kind) ?? []).find((o) => o.metadata.name === record.name && (o.metadata.namespace ?? "default") === record.namespace);
        const owner = live ? trackingIdOf(live) : undefined;
        if (!live) skipped.push(`${record.id}: no longer in the cluster`);
        else if (inGit.has(record.id)) skipped.push(`${record.id}: Git holds it already`);
        else if (owner !== undefined && !isTrackedByName(live, fabric.id)) skipped.push(`${record.id}: another fabric applied it (${owner})`);
        else documents.push({ label: label(record), text: serializeResource(adoptableObject(live)) });
      }
      const plan = planOn(context, fabric, documents, []);
      const refused = plan.findings.filter((f) => f.severity === "error" && f.file.startsWith("cluster/"));
      const adopted = plan.documents.filter((d) => d.outcome === "managed" && d.resource !== null);
      const lines: WriteBackChange[] = adopted.map((d) => ({ action: "new", path: d.resource!.path, kind: d.resource!.kind, namespace: d.resource!.namespace, name: d.resource!.name }));
      const text = writeBackMessage("adopt", fabric.git.directory, lines, run.actors ?? []);
      await checkpoint();
      let outcome;
      try {
        outcome = await commitWriteBack(git, fabric, run, "adopt", context, plan.changes, text, now);
      } catch (error) {
        if (await retryInPlace(error)) continue;
        throw error;
      }
      return {
        counts: { selected: candidates.length, adopted: adopted.length, refused: new Set(refused.map((f) => f.file)).size, skipped: skipped.length, files: plan.changes.length },
        errors: [...refused.map((f) => `${f.file}: ${f.path || "/"} [${f.rule}] ${f.message}`), ...skipped],
        detail: {
          writeBack: outcome.mode,
          commit: outcome.commit,
          branch: outcome.branch,
          pullRequest: outcome.pullRequest,
          schemas: validation.schemas,
          adopted: boundedList(lines.map((l) => l.path)),
          ...(outcome.commit === null ? { note: "nothing to adopt: every selected object is in Git, gone, or refused" } : {}),
        },
        headBefore: head.sha,
        headAfter: outcome.mode === "direct" && outcome.commit !== null ? outcome.commit : head.sha,
      };
    }
  };
}
