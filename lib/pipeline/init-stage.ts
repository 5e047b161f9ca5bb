// init: ensure the GitOps layout (DESIGN §2) — only what is missing, in one commit; a second init commits nothing.
import type { GitProvider } from "../git/provider.js";
import { ConflictError, RefLockedError } from "../git/errors.js";
import { planInit } from "../gitops/layout.js";
import type { Fabric } from "../fabrics/schema.js";
import type { FabricRepository } from "../store/fabrics.js";
import type { StageImplementation } from "./stage-runner.js";

export function relativeTo(directory: string, path: string): string {
  return path.slice(directory.length + 1);
}

export function initStage(deps: { fabrics: FabricRepository; gitFor: (fabric: Fabric) => Promise<GitProvider> }): StageImplementation {
  return async ({ fabric, run, now, checkpoint, retryInPlace }) => {
    const { directory, branch } = fabric.git;
    if (!run.dryRun) await deps.fabrics.setDirectoryStatus(fabric.id, { ...fabric.directory, status: "initializing", error: null });
    // Everything after "initializing" is inside the try: a failure of any kind (settings the provider
    // refuses, a secret that cannot be read, the remote) is recorded on the fabric, never left "initializing".
    try {
      const git = await deps.gitFor(fabric);
      // Another fabric of the same repository initializing at the same moment moves the branch: plan
      // again on the new head, right here.
      for (;;) {
        const head = await git.head(branch);
        const tree = head ? await git.readTree(head.sha, directory) : [];
        const existing = new Set(tree.map((e) => relativeTo(directory, e.path)));
        const changes = planInit(fabric.name, directory, existing);
        let commit: string | null = null;
        if (changes.length > 0 && !run.dryRun) {
          await checkpoint();
          try {
            commit = await git.commit({
              parent: head?.sha ?? null,
              branch,
              changes,
              message: `hedgehog-gitops: initialize ${directory} (${changes.length} files)`,
              now,
            });
          } catch (error) {
            if (await retryInPlace(error)) continue;
            throw error;
          }
        }
        if (!run.dryRun) {
          await deps.fabrics.setDirectoryStatus(fabric.id, { status: "initialized", error: null, lastInitAt: now.toISOString() });
        }
        return {
          counts: { created: changes.length },
          detail: { commit, ...(run.dryRun ? { wouldCreate: changes.map((c) => c.path) } : { created: changes.map((c) => c.path) }) },
          headBefore: head?.sha ?? null,
          headAfter: commit ?? head?.sha ?? null,
        };
      }
    } catch (error) {
      // Contention (another writer moved the branch) is retried at once; anything else marks the directory.
      if (!run.dryRun && !(error instanceof ConflictError || error instanceof RefLockedError)) {
        await deps.fabrics.setDirectoryStatus(fabric.id, {
          status: "error",
          error: error instanceof Error ? error.message : String(error),
          lastInitAt: fabric.directory.lastInitAt,
        });
      }
      throw error;
    }
  };
}
