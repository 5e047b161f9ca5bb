// Scheduled syncs end to end on the local stack: the tick handler driven by EventBridge Scheduled Events
// carrying a fake clock, the dueSync index on dynalite, runs through SQS on real bare repositories.
import type { Context } from "aws-lambda";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scheduledEvent } from "../../infra/local/scheduler.js";
import { wiring } from "../../infra/wiring.js";
import { currentSettings } from "../../lib/config/index.js";
import { documentClient } from "../../lib/store/client.js";
import { FabricRepository } from "../../lib/store/fabrics.js";
import { nextSyncBounds, type TickReport } from "../../lib/triggers/index.js";
import { startTestStack, waitForIdle, type TestStack } from "../support/local-stack.js";
import { seedRepository, type SeededRepository } from "../support/seed-repo.js";

const MINUTE = 60_000;
const FABRICS = { "s-five": 5, "s-ten": 10, "s-off": 5 } as const;
type FabricId = keyof typeof FABRICS;
const FAR_FUTURE = new Date("2100-01-01T00:00:00Z");

describe("scheduled syncs", () => {
  let stack: TestStack;
  let repos: SeededRepository[] = [];
  let fabrics: FabricRepository;
  let tick: (at: Date) => Promise<TickReport>;
  let clock: Date;

  /** Every fabric in the dueSync index, with its next sync time. */
  const scheduled = async () => Object.fromEntries((await fabrics.listDue(FAR_FUTURE, 100)).map((d) => [d.fabric.id, d.nextSyncAt])) as Partial<Record<FabricId, string>>;
  const scheduleRuns = async (id: FabricId) =>
    ((await stack.api(`/fabrics/${id}/runs?limit=200`)).body.items as { trigger: string; kind: string }[]).filter((r) => r.trigger === "schedule");

  beforeAll(async () => {
    // No schedule in this stack's wiring: the real one-minute timer must not tick beside the fake clock.
    stack = await startTestStack({ wiring: { ...wiring, schedules: [] } });
    const settings = currentSettings();
    fabrics = new FabricRepository(documentClient(settings), settings.tableName);
    // Imported once the stack has set the environment (log level) that the handler reads.
    const { handler } = await import("../../functions/schedule/tick.js");
    const context = { functionName: "scheduleTick", awsRequestId: randomUUID(), getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
    tick = (at) => handler(scheduledEvent("sync-tick", at), context) as Promise<TickReport>;

    let latest = 0;
    for (const [id, intervalMinutes] of Object.entries(FABRICS)) {
      const repo = seedRepository({ "README.md": `# ${id}\n` });
      repos.push(repo);
      const res = await stack.api("/fabrics", {
        method: "POST",
        body: { name: id, git: { provider: "git", url: repo.bare, branch: "main" }, sync: { intervalMinutes, suspended: id === "s-off" } },
      });
      expect(res.status).toBe(201);
      latest = Math.max(latest, Date.parse(res.body.createdAt));
    }
    for (const id of Object.keys(FABRICS)) await waitForIdle(stack, id);
    // The fake clock starts at the registrations, on a whole second (Scheduled Events carry seconds).
    clock = new Date(Math.ceil(latest / 1000) * 1000);
  });
  afterAll(async () => {
    await stack?.close();
    for (const repo of repos) repo.cleanup();
    repos = [];
  });

  it("keeps suspended fabrics out of the index", async () => {
    const index = await scheduled();
    expect(Object.keys(index).sort()).toEqual(["s-five", "s-ten"]);
  });

  it("starts each due fabric once per interval over seven intervals, within ±10 % jitter", async () => {
    const started: Record<string, number> = { "s-five": 0, "s-ten": 0, "s-off": 0 };
    for (let minute = 1; minute <= 35; minute++) {
      const at = new Date(clock.getTime() + minute * MINUTE);
      const before = await scheduled();
      const due = Object.entries(before)
        .filter(([, next]) => Date.parse(next!) <= at.getTime())
        .map(([id]) => id)
        .sort();
      const report = await tick(at);
      expect(report.now).toBe(at.toISOString());
      expect(report.fabrics.map((f) => f.fabricId), `tick at +${minute} min`).toEqual(due);
      const after = await scheduled();
      for (const outcome of report.fabrics) {
        expect(outcome.outcome, `${outcome.fabricId} at +${minute} min`).toBe("started");
        if (outcome.outcome !== "started") continue;
        started[outcome.fabricId]!++;
        const { earliest, latest } = nextSyncBounds(at, FABRICS[outcome.fabricId as FabricId]);
        const next = Date.parse(after[outcome.fabricId as FabricId]!);
        expect(after[outcome.fabricId as FabricId]).toBe(outcome.nextSyncAt);
        expect(next).toBeGreaterThanOrEqual(earliest.getTime());
        expect(next).toBeLessThanOrEqual(latest.getTime());
      }
      // Fabrics that were not due keep their time.
      for (const id of Object.keys(before) as FabricId[]) if (!due.includes(id)) expect(after[id]).toBe(before[id]);
      for (const outcome of report.fabrics) await waitForIdle(stack, outcome.fabricId);
    }
    // 35 minutes: a 5-minute fabric runs 6 or 7 times (intervals of 4.5 to 5.5 min), a 10-minute one 3 or 4.
    expect(started["s-five"]).toBeGreaterThanOrEqual(6);
    expect(started["s-five"]).toBeLessThanOrEqual(7);
    expect(started["s-ten"]).toBeGreaterThanOrEqual(3);
    expect(started["s-ten"]).toBeLessThanOrEqual(4);
    expect(started["s-off"]).toBe(0);
    for (const id of Object.keys(FABRICS) as FabricId[]) {
      const runs = await scheduleRuns(id);
      expect(runs, id).toHaveLength(started[id]!);
      expect(runs.every((r) => r.kind === "sync")).toBe(true);
    }
    clock = new Date(clock.getTime() + 35 * MINUTE);
  });

  it("two ticks at the same time start one run per due fabric", async () => {
    const index = await scheduled();
    const at = new Date(Math.ceil(Math.max(...Object.values(index).map((t) => Date.parse(t!))) / 1000) * 1000);
    const before = { "s-five": (await scheduleRuns("s-five")).length, "s-ten": (await scheduleRuns("s-ten")).length };
    const reports = await Promise.all([tick(at), tick(at)]);
    const outcomes = reports.flatMap((r) => r.fabrics);
    for (const id of ["s-five", "s-ten"] as const) {
      const mine = outcomes.filter((o) => o.fabricId === id);
      expect(mine.filter((o) => o.outcome === "started"), id).toHaveLength(1);
      expect(mine.filter((o) => o.outcome !== "started").every((o) => o.outcome === "skipped"), id).toBe(true);
      await waitForIdle(stack, id);
      expect(await scheduleRuns(id), id).toHaveLength(before[id] + 1);
    }
    clock = at;
  });

  it("follows PATCHes: a suspended fabric leaves the index, a resumed one comes back", async () => {
    const suspend = await stack.api("/fabrics/s-five", { method: "PATCH", body: { sync: { suspended: true } } });
    expect(suspend.status).toBe(200);
    const resume = await stack.api("/fabrics/s-off", { method: "PATCH", body: { sync: { suspended: false } } });
    expect(resume.status).toBe(200);
    expect(Object.keys(await scheduled()).sort()).toEqual(["s-off", "s-ten"]);

    const at = new Date(clock.getTime() + 60 * MINUTE);
    const report = await tick(at);
    expect(report.fabrics.map((f) => [f.fabricId, f.outcome])).toEqual([
      ["s-off", "started"],
      ["s-ten", "started"],
    ]);
    for (const id of ["s-off", "s-ten"]) await waitForIdle(stack, id);
    expect(await scheduleRuns("s-off")).toHaveLength(1);
    // Nothing is due right after: the tick at the same time finds nothing.
    expect((await tick(at)).fabrics).toEqual([]);
  });
});
