// Runs and status as the API shows them.
import type { RunKind } from "../pipeline/run-model.js";
import type { RunCancelResult, RunService, RunStartResult } from "../pipeline/runs.js";
import { RunNotFoundError } from "../pipeline/errors.js";
import { RESOURCE_STATES, type ResourceState } from "../state/index.js";
import { fromGit } from "../pipeline/resource-model.js";
import type { FabricRepository } from "../store/fabrics.js";
import type { ResourceRepository } from "../store/resources.js";
import type { RunRepository } from "../store/runs.js";

export class RunApi {
  constructor(
    private readonly deps: { fabrics: FabricRepository; runs: RunRepository; resources: ResourceRepository; runService: RunService },
  ) {}

  start(fabricId: string, kind: RunKind, now: Date): Promise<RunStartResult> {
    return this.deps.runService.start({ fabricId, kind, trigger: "api", now });
  }

  async cancel(fabricId: string, runId: string, now: Date): Promise<RunCancelResult> {
    await this.deps.fabrics.require(fabricId);
    return this.deps.runService.cancel(fabricId, runId, now);
  }

  async list(fabricId: string, limit: number) {
    await this.deps.fabrics.require(fabricId);
    return this.deps.runs.list(fabricId, limit);
  }

  async get(fabricId: string, runId: string) {
    await this.deps.fabrics.require(fabricId);
    const run = await this.deps.runs.get(fabricId, runId);
    if (!run) throw new RunNotFoundError(fabricId, runId);
    return run;
  }

  async status(fabricId: string) {
    const fabric = await this.deps.fabrics.require(fabricId);
    const [lastRun] = await this.deps.runs.list(fabricId, 1);
    const resources = await this.deps.resources.list(fabric);
    const byState = Object.fromEntries(RESOURCE_STATES.map((s) => [s, 0])) as Record<ResourceState, number>;
    let git = 0;
    let errors = 0;
    for (const { record } of resources) {
      byState[record.state]++;
      if (fromGit(record)) git++;
      if (record.error) errors++;
    }
    return {
      fabricId,
      directory: fabric.directory,
      lastRun: lastRun ?? null,
      counts: { total: resources.length, byState, fromGit: git, errors },
    };
  }
}
