// One run per fabric, on the real table and queues (DESIGN §6): concurrent starts coalesce into the
// active run plus one follow-up that every later trigger is told about; leases make a lost run fail
// and free its fabric; cancel ends a waiting run at once and a running one at its next stage boundary.
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineWiring } from "../../../infra/wiring-types.js";
import { wiring as realWiring } from "../../../infra/wiring.js";
import { FabricService } from "../../../lib/api/fabrics.js";
import { currentSettings, trustPolicy } from "../../../lib/config/index.js";
import { RunAlreadyFinishedError, FabricHasActiveRunError, FollowUpBusyError } from "../../../lib/pipeline/errors.js";
import { SqsStageQueue } from "../../../lib/pipeline/queue.js";
import { RunService } from "../../../lib/pipeline/runs.js";
import { runScheduleTick } from "../../../lib/triggers/index.js";
import { documentClient, FabricRepository } from "../../../lib/store/index.js";
import { RunRepository } from "../../../lib/store/runs.js";
import { TempRepos } from "../../support/git-repos.js";
import { startTestStack, type TestStack } from "../../support/local-stack.js";

// Queues only: no consumers, so the messages the runs send stay on the queue for the test to read.
const queuesOnly = defineWiring({ functions: {}, routes: [], queues: realWiring.queues, consumers: [], schedules: [] });
const LEASE_SECONDS = 60;
const at = (iso: string) => new Date(iso);

describe("run coalescing, leases and cancel", () => {
  let stack: TestStack;
  let runs: RunRepository;
  let service: RunService;
  let fabrics: FabricRepository;
  const repos = new TempRepos();
  let registry: FabricService;

  beforeAll(async () => {
    stack = await startTestStack({ wiring: queuesOnly });
    const settings = currentSettings();
    const db = documentClient(settings);
    fabrics = new FabricRepository(db, settings.tableName);
    runs = new RunRepository(db, settings.tableName);
    service = new RunService({ fabrics, runs, queue: new SqsStageQueue(settings), random: () => randomBytes(3).toString("hex"), leaseSeconds: LEASE_SECONDS });
    registry = new FabricService(fabrics, trustPolicy(settings), service);
    for (const name of ["f1", "f2", "f3", "f4"]) await registry.register({ name, git: { provider: "git", url: await repos.bare() } }, at("2026-11-22T10:00:00Z"));
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

  it("20 concurrent starts make one run and one follow-up that every coalesced trigger names", async () => {
    const now = at("2026-11-22T10:01:00Z");
    const results = await Promise.all(Array.from({ length: 20 }, () => service.start({ fabricId: "f1", kind: "sync", trigger: "api", now })));
    const started = results.filter((r) => !r.coalesced);
    expect(started).toHaveLength(1);
    const runId = started[0]!.runId;
    const joined = results.filter((r) => r.coalesced);
    const followUpId = joined[0]!.runId;
    expect(followUpId).not.toBe(runId);
    expect(joined.every((r) => r.runId === followUpId && r.after === runId)).toBe(true);
    const lock = await runs.readLock("f1");
    expect(lock).toMatchObject({ activeRunId: runId, followUpRunId: followUpId });
    expect(await runs.get("f1", followUpId)).toMatchObject({ status: "waiting", after: runId, kind: "sync", chain: [] });
    expect(await runs.get("f1", runId)).toMatchObject({ status: "queued", leaseExpiresAt: "2026-11-22T10:02:00.000Z" });
    // A never-initialized fabric starts with init; the message is deterministic. The follow-up sends nothing yet.
    expect(await drain("init")).toEqual([{ v: 1, fabricId: "f1", runId, stage: "init" }]);

    // The run ends: its follow-up starts, once, however often finish is called.
    const run = (await runs.get("f1", runId))!;
    const later = at("2026-11-22T10:02:00Z");
    expect(await service.finish(run, { status: "succeeded", error: null }, later)).toBe(followUpId);
    expect(await service.finish(run, { status: "succeeded", error: null }, later)).toBeNull();
    expect(await runs.get("f1", followUpId)).toMatchObject({ status: "queued", chain: ["init", "ingest"], leaseExpiresAt: "2026-11-22T10:03:00.000Z" });
    expect(await drain("init")).toEqual([{ v: 1, fabricId: "f1", runId: followUpId, stage: "init" }]);
    expect(await runs.readLock("f1")).toMatchObject({ activeRunId: followUpId, followUpRunId: null, previousRunId: runId });

    // The follow-up ends with no trigger meanwhile: the fabric is idle again.
    expect(await service.finish((await runs.get("f1", followUpId))!, { status: "succeeded", error: null }, later)).toBeNull();
    expect(await runs.readLock("f1")).toMatchObject({ activeRunId: null, followUpRunId: null });
  });

  it("a plan takes no lock and runs beside an active run", async () => {
    const now = at("2026-11-22T11:00:00Z");
    const active = await service.start({ fabricId: "f1", kind: "sync", trigger: "schedule", now });
    const plan = await service.start({ fabricId: "f1", kind: "plan", trigger: "api", now });
    expect(active.coalesced).toBe(false);
    expect(plan.coalesced).toBe(false);
    expect(plan.run?.dryRun).toBe(true);
    expect((await runs.readLock("f1"))?.activeRunId).toBe(active.runId);
    await drain("init");
  });

  it("a run whose lease expired is failed as lost by the next trigger, which then starts", async () => {
    const lock = await runs.readLock("f1");
    const held = (await runs.get("f1", lock!.activeRunId!))!;
    expect(held.leaseExpiresAt).toBe("2026-11-22T11:01:00.000Z");
    // Within the lease: the trigger joins a follow-up.
    const early = await service.start({ fabricId: "f1", kind: "sync", trigger: "api", now: at("2026-11-22T11:00:59Z") });
    expect(early).toMatchObject({ coalesced: true, after: held.runId });
    // Past it: the dead run fails with the reason, and the follow-up (the run the early trigger was told about) starts.
    const late = await service.start({ fabricId: "f1", kind: "sync", trigger: "api", now: at("2026-11-22T11:01:01Z") });
    expect(await runs.get("f1", held.runId)).toMatchObject({ status: "failed", error: "worker lost (lease expired at 2026-11-22T11:01:00.000Z)" });
    expect((await runs.readLock("f1"))?.activeRunId).toBe(early.runId);
    expect(await runs.get("f1", early.runId)).toMatchObject({ status: "queued" });
    // The late trigger joined the new follow-up of the run that now works.
    expect(late).toMatchObject({ coalesced: true, after: early.runId });
    await drain("init");
  });

  it("the schedule tick finds a lost run, fails it and frees the fabric", async () => {
    const now = at("2026-11-22T12:00:00Z");
    const started = await service.start({ fabricId: "f2", kind: "sync", trigger: "api", now });
    const noneDue = { listDue: async () => [], reschedule: async () => false };
    const before = await runScheduleTick({ fabrics: noneDue, runs: service, random: () => 0.5 }, at("2026-11-22T12:00:30Z"));
    expect(before.recovered ?? []).not.toContain("f2");
    const report = await runScheduleTick({ fabrics: noneDue, runs: service, random: () => 0.5 }, at("2026-11-22T12:01:30Z"));
    expect(report.recovered).toContain("f2");
    expect(await runs.get("f2", started.runId)).toMatchObject({ status: "failed", error: "worker lost (lease expired at 2026-11-22T12:01:00.000Z)" });
    expect(await runs.readLock("f2")).toMatchObject({ activeRunId: null });
    await drain("init");
  });

  it("cancel: a waiting run at once, a queued one at its next boundary; an ended one is a 409", async () => {
    const now = at("2026-11-22T13:00:00Z");
    const active = await service.start({ fabricId: "f3", kind: "sync", trigger: "api", now });
    const followUp = await service.start({ fabricId: "f3", kind: "sync", trigger: "api", now });
    const waiting = await service.cancel("f3", followUp.runId, now);
    expect(waiting.outcome).toBe("cancelled");
    expect(await runs.get("f3", followUp.runId)).toMatchObject({ status: "cancelled", error: "cancelled before it started" });
    expect(await runs.readLock("f3")).toMatchObject({ activeRunId: active.runId, followUpRunId: null });
    await expect(service.cancel("f3", followUp.runId, now)).rejects.toThrow(RunAlreadyFinishedError);

    const running = await service.cancel("f3", active.runId, now);
    expect(running.outcome).toBe("cancelling");
    expect(await runs.get("f3", active.runId)).toMatchObject({ status: "queued", cancelRequested: true });
    // Lost while cancelling: it ends cancelled, not failed.
    await service.start({ fabricId: "f3", kind: "sync", trigger: "api", now: at("2026-11-22T13:05:00Z") });
    expect(await runs.get("f3", active.runId)).toMatchObject({ status: "cancelled", error: expect.stringMatching(/^worker lost/) });
    await drain("init");
  });

  it("DELETE of a fabric with a run in flight is refused naming the run; force cancels it first", async () => {
    const now = at("2026-11-22T14:00:00Z");
    const active = await service.start({ fabricId: "f4", kind: "sync", trigger: "api", now });
    const followUp = await service.start({ fabricId: "f4", kind: "sync", trigger: "api", now });
    const refused = await registry.remove("f4", { now }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FabricHasActiveRunError);
    expect((refused as Error).message).toContain(active.runId);
    expect(await fabrics.get("f4")).not.toBeNull();
    // Cancelled first: the follow-up never starts, the active run is asked to stop.
    const cancelled: string[] = [];
    const watching = new FabricService(fabrics, trustPolicy(currentSettings()), {
      assertDeletable: async (id, force, when) => {
        await service.assertDeletable(id, force, when);
        cancelled.push(...[active.runId, followUp.runId].filter(Boolean));
        expect(await runs.get(id, followUp.runId)).toMatchObject({ status: "cancelled" });
        expect(await runs.get(id, active.runId)).toMatchObject({ cancelRequested: true });
      },
    });
    await watching.remove("f4", { force: true, now });
    expect(cancelled).toHaveLength(2);
    expect(await fabrics.get("f4")).toBeNull();
    await drain("init");
  });

  it("a publish or an adopt widens the waiting follow-up to its work; the two do not share one", async () => {
    const now = at("2026-11-22T11:00:00Z");
    for (const name of ["f5", "f6"]) await registry.register({ name, git: { provider: "git", url: await repos.bare() } }, now);
    // f5: a sync in flight, a sync waiting; publishes make the waiting one a publish naming who asked.
    const active = await service.start({ fabricId: "f5", kind: "sync", trigger: "api", now });
    const followUp = await service.start({ fabricId: "f5", kind: "sync", trigger: "schedule", now });
    expect(followUp).toMatchObject({ coalesced: true, after: active.runId });
    for (const actor of ["alice", "bob", "alice"]) expect((await service.start({ fabricId: "f5", kind: "publish", trigger: "api", now, actor })).runId).toBe(followUp.runId);
    expect(await runs.get("f5", followUp.runId)).toMatchObject({ status: "waiting", kind: "publish", actors: ["alice", "bob"] });
    await expect(service.start({ fabricId: "f5", kind: "adopt", trigger: "api", now, actor: "carol", adopt: null })).rejects.toThrow(FollowUpBusyError);
    expect((await service.start({ fabricId: "f5", kind: "sync", trigger: "webhook", now })).runId).toBe(followUp.runId);
    expect(await runs.get("f5", followUp.runId)).toMatchObject({ kind: "publish" });
    // When the active run ends, the follow-up runs the publish first, then the sync.
    await service.finish((await runs.get("f5", active.runId))!, { status: "succeeded", error: null }, at("2026-11-22T11:01:00Z"));
    expect((await runs.get("f5", followUp.runId))!.chain).toEqual(["init", "publish", "ingest"]);

    // f6: adopts join their selections; one asking for everything makes it everything.
    const busy = await service.start({ fabricId: "f6", kind: "sync", trigger: "api", now });
    const adopt = await service.start({ fabricId: "f6", kind: "adopt", trigger: "api", now, actor: "alice", adopt: { ids: ["vpc.githedgehog.com/VPC/default/b"], kinds: [] } });
    expect(adopt).toMatchObject({ coalesced: true, after: busy.runId });
    await service.start({ fabricId: "f6", kind: "adopt", trigger: "api", now, actor: "bob", adopt: { ids: ["vpc.githedgehog.com/VPC/default/a"], kinds: ["IPv4Namespace"] } });
    expect(await runs.get("f6", adopt.runId)).toMatchObject({ kind: "adopt", actors: ["alice", "bob"], adopt: { ids: ["vpc.githedgehog.com/VPC/default/a", "vpc.githedgehog.com/VPC/default/b"], kinds: ["IPv4Namespace"] } });
    await expect(service.start({ fabricId: "f6", kind: "publish", trigger: "api", now, actor: "carol" })).rejects.toThrow(FollowUpBusyError);
    await service.start({ fabricId: "f6", kind: "adopt", trigger: "api", now, actor: "carol", adopt: null });
    expect(await runs.get("f6", adopt.runId)).toMatchObject({ kind: "adopt", actors: ["alice", "bob", "carol"], adopt: null });
  });

  it("refuses to start a run for an unknown fabric", async () => {
    await expect(service.start({ fabricId: "nope", kind: "sync", trigger: "api", now: new Date() })).rejects.toThrow(/does not exist/);
  });
});
