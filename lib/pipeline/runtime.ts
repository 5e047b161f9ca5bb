// The composition root of a Lambda (or of the local stack's in-process handlers): settings → the
// repositories, queue and services every handler needs. Built once per warm container.
//
// Two halves, so that a bundle carries only what its function uses: `runtime()` is the table and the
// queues (every function); `connectors()` adds Git, the cluster and secrets (the stage workers only).
// The API functions then ship without isomorphic-git, Octokit and the Kubernetes client.
import { randomBytes } from "node:crypto";
import { currentSettings, type Settings } from "../config/settings.js";
import { PullRequestCheckRepository } from "../store/checks.js";
import { FabricRepository } from "../store/fabrics.js";
import { documentClient } from "../store/client.js";
import { DraftRepository } from "../store/drafts.js";
import { ResourceRepository } from "../store/resources.js";
import { RunRepository } from "../store/runs.js";
import { SqsStageQueue, type StageQueue } from "./queue.js";
import { RunService } from "./runs.js";

export interface Runtime {
  readonly settings: Settings;
  readonly fabrics: FabricRepository;
  readonly runs: RunRepository;
  readonly resources: ResourceRepository;
  readonly drafts: DraftRepository;
  readonly queue: StageQueue;
  readonly runService: RunService;
}

let cached: Runtime | undefined;

export function runtime(): Runtime {
  const settings = currentSettings();
  if (cached?.settings === settings) return cached;
  const db = documentClient(settings);
  const fabrics = new FabricRepository(db, settings.tableName);
  const runs = new RunRepository(db, settings.tableName);
  const queue = new SqsStageQueue(settings);
  cached = {
    settings,
    fabrics,
    runs,
    resources: new ResourceRepository(db, settings.tableName),
    drafts: new DraftRepository(db, settings.tableName),
    queue,
    runService: new RunService({
      fabrics,
      runs,
      queue,
      random: () => randomBytes(3).toString("hex"),
      leaseSeconds: settings.runLeaseSeconds,
      checks: new PullRequestCheckRepository(db, settings.tableName),
    }),
  };
  return cached;
}
