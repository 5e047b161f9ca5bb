// The triggers' table access on dynalite: the dueSync index query and the conditional reschedule, the
// delivery ledger, and what the services do when starting a run fails half-way.
import { UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { sign } from "@octokit/webhooks-methods";
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineWiring } from "../../../infra/wiring-types.js";
import { wiring as realWiring } from "../../../infra/wiring.js";
import { FabricService } from "../../../lib/api/fabrics.js";
import { currentSettings, trustPolicy, type Settings } from "../../../lib/config/index.js";
import { StageQueueMissingError } from "../../../lib/pipeline/errors.js";
import { SqsStageQueue } from "../../../lib/pipeline/queue.js";
import { RunService } from "../../../lib/pipeline/runs.js";
import { documentClient } from "../../../lib/store/client.js";
import { DeliveryRepository } from "../../../lib/store/deliveries.js";
import { FabricRepository } from "../../../lib/store/fabrics.js";
import { RunRepository } from "../../../lib/store/runs.js";
import { runScheduleTick, ScheduleTickIncompleteError, WebhookService } from "../../../lib/triggers/index.js";
import { TempRepos } from "../../support/git-repos.js";
import { startTestStack, type TestStack } from "../../support/local-stack.js";

const queuesOnly = defineWiring({ functions: {}, routes: [], queues: realWiring.queues, consumers: [], schedules: [] });
const SECRET = "integration-secret";

describe("triggers on the table", () => {
  let stack: TestStack;
  let settings: Settings;
  let fabrics: FabricRepository;
  let runs: RunRepository;
  let deliveries: DeliveryRepository;
  let register: FabricService;
  let registerFabric: FabricService;
  // Registration checks that a local repository exists and is bare (DESIGN §14).
  const repos = new TempRepos();
  let reposDir: string;
  const bare = async (name: string) => repos.bare("main", reposDir, `${name}.git`);
  const runService = (queueUrls: Settings["queueUrls"] = settings.queueUrls) =>
    new RunService({ fabrics, runs, queue: new SqsStageQueue({ ...settings, queueUrls }), random: () => randomBytes(3).toString("hex"), leaseSeconds: 300 });

  beforeAll(async () => {
    stack = await startTestStack({ wiring: queuesOnly });
    settings = currentSettings();
    const db = documentClient(settings);
    fabrics = new FabricRepository(db, settings.tableName);
    runs = new RunRepository(db, settings.tableName);
    deliveries = new DeliveryRepository(db, settings.tableName);
    register = new FabricService(fabrics, trustPolicy(settings));
    registerFabric = register;
    reposDir = await repos.dir();
  });
  afterAll(async () => {
    await stack.close();
    await repos.removeAll();
  });

  describe("dueSync index", () => {
    // Registered at T with interval i: next sync at T + i minutes.
    const T = new Date("2031-01-01T00:00:00.000Z");
    const at = (minutes: number, ms = 0) => new Date(T.getTime() + minutes * 60_000 + ms);

    beforeAll(async () => {
      for (const [name, intervalMinutes, suspended] of [
        ["due-b", 2, false],
        ["due-a", 2, false],
        ["due-c", 1, false],
        ["later", 9, false],
        ["paused", 1, true],
      ] as const) {
        await register.register({ name, git: { provider: "git", url: await bare(name) }, sync: { intervalMinutes, suspended } }, T);
      }
    });

    it("returns the fabrics due at now (inclusive), earliest first, never suspended ones", async () => {
      const ids = async (now: Date, limit = 100) => (await fabrics.listDue(now, limit)).map((d) => d.fabric.id);
      expect(await ids(at(1, -1))).toEqual([]);
      expect(await ids(at(1))).toEqual(["due-c"]);
      expect(await ids(at(2))).toEqual(["due-c", "due-a", "due-b"]);
      expect(await ids(at(2), 2)).toEqual(["due-c", "due-a"]);
      expect(await ids(at(60))).toEqual(["due-c", "due-a", "due-b", "later"]);
      const [first] = await fabrics.listDue(at(1), 1);
      expect(first).toMatchObject({ nextSyncAt: at(1).toISOString(), fabric: { id: "due-c", sync: { intervalMinutes: 1 } } });
    });

    it("reschedules only from the time it was seen at, and never a suspended or deleted fabric", async () => {
      const seen = at(2).toISOString();
      expect(await fabrics.reschedule("due-a", at(1).toISOString(), at(5).toISOString())).toBeNull();
      // The winner reads the fabric and its run lock back from the same write.
      expect(await fabrics.reschedule("due-a", seen, at(5).toISOString())).toMatchObject({ fabric: { id: "due-a", sync: { intervalMinutes: 2 } }, lock: { activeRunId: null } });
      expect(await fabrics.reschedule("due-a", seen, at(6).toISOString())).toBeNull(); // the other tick lost
      expect((await fabrics.listDue(at(4), 100)).map((d) => d.fabric.id)).not.toContain("due-a");
      expect((await fabrics.listDue(at(5), 100)).find((d) => d.fabric.id === "due-a")?.nextSyncAt).toBe(at(5).toISOString());
      // The fabric's settings and version are untouched: scheduling is bookkeeping.
      expect((await fabrics.require("due-a")).version).toBe(1);

      const paused = await fabrics.require("paused");
      expect(await fabrics.reschedule("paused", at(1).toISOString(), at(3).toISOString())).toBeNull();
      expect(await fabrics.reschedule("nobody", at(1).toISOString(), at(3).toISOString())).toBeNull();
      expect(paused.sync.suspended).toBe(true);
    });
  });

  describe("delivery ledger", () => {
    it("records a delivery once, with its TTL in epoch seconds, and forgets only the same attempt", async () => {
      const id = randomUUID();
      const receivedAt = new Date("2031-02-01T12:00:00.500Z");
      const retainUntil = new Date("2031-02-08T12:00:00.500Z");
      expect(await deliveries.record({ deliveryId: id, event: "push", receivedAt, retainUntil })).toBe(true);
      expect(await deliveries.record({ deliveryId: id, event: "push", receivedAt: new Date(), retainUntil })).toBe(false);
      expect(await deliveries.get(id)).toEqual({ deliveryId: id, event: "push", receivedAt: receivedAt.toISOString(), expiresAt: Math.floor(retainUntil.getTime() / 1000) });
      await deliveries.forget(id, new Date("2031-02-01T12:00:01Z"));
      expect(await deliveries.get(id)).not.toBeNull();
      await deliveries.forget(id, receivedAt);
      expect(await deliveries.get(id)).toBeNull();
    });
  });

  describe("byRepository index", () => {
    const T = new Date("2031-04-01T00:00:00.000Z");
    // Suspended: kept out of the dueSync index, which the schedule tests below read with limits.
    const register = { register: (input: Record<string, unknown>, at: Date) => registerFabric.register({ ...input, sync: { suspended: true } }, at) };
    const github = (owner: string, repo: string, branch = "main") => ({ provider: "github" as const, owner, repo, branch, credentials: "env:HH_GITOPS_SECRET_NONE" });

    it("finds a repository's fabrics by any spelling of it, on one branch or all, and follows a PATCH", async () => {
      await register.register({ name: "repo-gh-main", git: github("Acme", "Net") }, T);
      await register.register({ name: "repo-gh-dev", git: github("acme", "net", "dev") }, T);
      await register.register({ name: "repo-url", git: { provider: "git", url: "https://github.com/acme/net.git", branch: "main" } }, T);
      await register.register({ name: "repo-other", git: github("acme", "other") }, T);
      await register.register({ name: "repo-local", git: { provider: "git", url: await bare("repo-local") } }, T);
      const ids = async (keys: string[], branch?: string) => (await fabrics.forRepository(keys, branch)).map((f) => f.id);
      expect(await ids(["github:acme/net"])).toEqual(["repo-gh-dev", "repo-gh-main"]);
      expect(await ids(["github:acme/net"], "main")).toEqual(["repo-gh-main"]);
      expect(await ids(["git:github.com/acme/net"])).toEqual(["repo-url"]);
      expect(await ids(["github:acme/net", "git:github.com/acme/net", "github:acme/net"])).toEqual(["repo-gh-dev", "repo-gh-main", "repo-url"]);
      expect(await ids(["github:acme/nothing"])).toEqual([]);

      const before = await fabrics.require("repo-other");
      await fabrics.replace({ ...before, git: { ...before.git, repo: "net" } as typeof before.git, version: before.version + 1, updatedAt: T.toISOString() });
      expect(await ids(["github:acme/net"])).toEqual(["repo-gh-dev", "repo-gh-main", "repo-other"]);
      expect(await ids(["github:acme/other"])).toEqual([]);
    });

    it("indexes a fabric stored before the index existed when it is next read", async () => {
      await register.register({ name: "repo-legacy", git: github("acme", "legacy") }, T);
      // As an older version stored it: without the index attributes.
      await stack.dynamodb.send(
        new UpdateItemCommand({ TableName: settings.tableName, Key: { pk: { S: "FABRIC#repo-legacy" }, sk: { S: "META" } }, UpdateExpression: "REMOVE gsi3pk, gsi3sk" }),
      );
      expect(await fabrics.forRepository(["github:acme/legacy"])).toEqual([]);
      await fabrics.get("repo-legacy");
      expect((await fabrics.forRepository(["github:acme/legacy"])).map((f) => f.id)).toEqual(["repo-legacy"]);
    });
  });

  describe("failures half-way", () => {
    beforeAll(async () => {
      await register.register(
        { name: "hooked", git: { provider: "github", owner: "acme", repo: "fabric", credentials: "env:HH_GITOPS_SECRET_NONE", branch: "main", directory: "gitops/hedgehog/dc1" } },
        new Date("2031-03-01T00:00:00Z"),
      );
    });

    it("a push whose run cannot start is unrecorded, so GitHub's redelivery is processed", async () => {
      const body = readFileSync(new URL("../../fixtures/webhooks/push-directory.json", import.meta.url), "utf8");
      const id = randomUUID();
      const request = async () => ({
        headers: { "x-github-event": "push", "x-github-delivery": id, "x-hub-signature-256": await sign(SECRET, body), "content-type": "application/json" },
        rawBody: body,
        now: new Date("2031-03-01T00:01:00Z"),
      });
      const deps = { secret: async () => SECRET, deliveries, fabrics };
      const broken = new WebhookService({ ...deps, runs: runService({}) });
      await expect(broken.receive(await request())).rejects.toThrow(StageQueueMissingError);
      expect(await deliveries.get(id)).toBeNull();

      const working = new WebhookService({ ...deps, runs: runService() });
      const outcome = await working.receive(await request());
      expect(outcome.kind).toBe("push");
      expect(await deliveries.get(id)).not.toBeNull();
      expect((await working.receive(await request())).kind).toBe("duplicate");
    });

    it("a due fabric whose run cannot start is due again, and the tick reports it", async () => {
      const T = new Date("2032-01-01T00:00:00.000Z");
      await register.register({ name: "ticked", git: { provider: "git", url: await bare("ticked") }, sync: { intervalMinutes: 1 } }, T);
      const now = new Date("2032-01-01T00:01:00.000Z");
      const onlyTicked = {
        listDue: async (at: Date, limit: number) => (await fabrics.listDue(at, limit)).filter((d) => d.fabric.id === "ticked"),
        reschedule: fabrics.reschedule.bind(fabrics),
      };
      const error = await runScheduleTick({ fabrics: onlyTicked, runs: runService({}), random: () => 0.5 }, now).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ScheduleTickIncompleteError);
      expect((error as ScheduleTickIncompleteError).report.fabrics).toEqual([{ fabricId: "ticked", outcome: "failed", detail: expect.stringContaining("no queue URL") }]);
      expect((await onlyTicked.listDue(now, 10)).map((d) => d.nextSyncAt)).toEqual([now.toISOString()]);

      // The next tick takes it (joining the run the failed start left behind, which RunService owns).
      const report = await runScheduleTick({ fabrics: onlyTicked, runs: runService(), random: () => 0.5 }, now);
      expect(report.fabrics).toEqual([{ fabricId: "ticked", outcome: "coalesced", runId: expect.any(String), nextSyncAt: "2032-01-01T00:02:00.000Z" }]);
    });
  });
});
