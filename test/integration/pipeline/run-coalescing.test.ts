// One run per fabric: concurrent starts coalesce into the active run plus one rerun (DESIGN §6).
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineWiring } from "../../../infra/wiring-types.js";
import { wiring as realWiring } from "../../../infra/wiring.js";
import { FabricService } from "../../../lib/api/fabrics.js";
import { currentSettings, trustPolicy } from "../../../lib/config/index.js";
import { SqsStageQueue } from "../../../lib/pipeline/queue.js";
import { RunService } from "../../../lib/pipeline/runs.js";
import { documentClient, FabricRepository } from "../../../lib/store/index.js";
import { RunRepository } from "../../../lib/store/runs.js";
import { TempRepos } from "../../support/git-repos.js";
import { startTestStack, type TestStack } from "../../support/local-stack.js";

// Queues only: no consumers, so the messages the runs send stay on the queue for the test to read.
const queuesOnly = defineWiring({ functions: {}, routes: [], queues: realWiring.queues, consumers: [], schedules: [] });

describe("run coalescing", () => {
  let stack: TestStack;
  let runs: RunRepository;
  let service: RunService;
  let fabrics: FabricRepository;
  const repos = new TempRepos();

  beforeAll(async () => {
    stack = await startTestStack({ wiring: queuesOnly });
    const settings = currentSettings();
    const db = documentClient(settings);
    fabrics = new FabricRepository(db, settings.tableName);
    runs = new RunRepository(db, settings.tableName);
    service = new RunService({ fabrics, runs, queue: new SqsStageQueue(settings), random: () => randomBytes(3).toString("hex") });
    await new FabricService(fabrics, trustPolicy(settings)).register({ name: "f1", git: { provider: "git", url: await repos.bare() } }, new Date("2026-11-22T10:00:00Z"));
  });
  afterAll(async () => {
    await stack.close();
    await repos.removeAll();
  });

  const drain = async (queue: string) => {
    const bodies: unknown[] = [];
    for (;;) {
      const out = await stack.sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.queues[queue]!.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 300 }));
      if (!out.Messages?.length) return bodies;
      bodies.push(...out.Messages.map((m) => JSON.parse(m.Body!)));
    }
  };

  it("20 concurrent starts make one run, one rerun request, and one message", async () => {
    const now = new Date("2026-11-22T10:01:00Z");
    const results = await Promise.all(Array.from({ length: 20 }, () => service.start({ fabricId: "f1", kind: "sync", trigger: "api", now })));
    const started = results.filter((r) => !r.coalesced);
    expect(started).toHaveLength(1);
    const runId = started[0]!.runId;
    expect(results.filter((r) => r.coalesced).every((r) => r.runId === runId)).toBe(true);
    expect(await runs.list("f1")).toHaveLength(1);
    const lock = await runs.readLock("f1");
    expect(lock).toMatchObject({ activeRunId: runId, rerunRequested: true });
    // A never-initialized fabric starts with init; the message is deterministic.
    expect(await drain("init")).toEqual([{ v: 1, fabricId: "f1", runId, stage: "init" }]);

    // The run ends: exactly one more run starts, and only one, however often finish is called.
    const run = (await runs.get("f1", runId))!;
    const later = new Date("2026-11-22T10:02:00Z");
    const rerunId = await service.finish(run, { status: "succeeded", error: null }, later);
    expect(rerunId).toBeTruthy();
    expect(await service.finish(run, { status: "succeeded", error: null }, later)).toBeNull();
    const all = await runs.list("f1");
    expect(all.map((r) => r.runId)).toEqual([rerunId, runId]);
    expect(all[0]).toMatchObject({ status: "queued", kind: "sync", trigger: "api" });
    expect(await drain("init")).toEqual([{ v: 1, fabricId: "f1", runId: rerunId, stage: "init" }]);

    // The rerun ends with no trigger meanwhile: the fabric is idle again.
    expect(await service.finish(all[0]!, { status: "succeeded", error: null }, later)).toBeNull();
    expect(await runs.readLock("f1")).toMatchObject({ activeRunId: null, rerunRequested: false });
  });

  it("a plan takes no lock and runs beside an active run", async () => {
    const now = new Date("2026-11-22T11:00:00Z");
    const active = await service.start({ fabricId: "f1", kind: "sync", trigger: "schedule", now });
    const plan = await service.start({ fabricId: "f1", kind: "plan", trigger: "api", now });
    expect(active.coalesced).toBe(false);
    expect(plan.coalesced).toBe(false);
    expect(plan.run?.dryRun).toBe(true);
    expect((await runs.readLock("f1"))?.activeRunId).toBe(active.runId);
  });

  it("takes over a lock whose run finished long ago without releasing it", async () => {
    const lock = await runs.readLock("f1");
    const held = (await runs.get("f1", lock!.activeRunId!))!;
    await runs.finish("f1", held.runId, "failed", "2026-11-22T11:00:30Z", "crashed before release");
    const result = await service.start({ fabricId: "f1", kind: "sync", trigger: "api", now: new Date("2026-11-22T11:10:00Z") });
    expect(result.coalesced).toBe(false);
    expect(result.runId).not.toBe(held.runId);
  });

  it("refuses to start a run for an unknown fabric", async () => {
    await expect(service.start({ fabricId: "nope", kind: "sync", trigger: "api", now: new Date() })).rejects.toThrow(/does not exist/);
  });
});
