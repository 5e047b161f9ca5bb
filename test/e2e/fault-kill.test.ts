// kill -9 of the local stack (issue #12 item 4, "Done when"): the stack runs in a child process on a
// persistent data dir; it is killed at five points of an ingest of 2,000 files and at five points of a
// reconcile of 500 objects, then started again. SQS lives in memory and dies with it (as with `npm
// start`), so the dead run's messages are gone: only its lease tells. Each time: the dead run ends
// `failed` ("worker lost") once its lease expired, the next sync completes, the repository holds
// exactly one ingest commit, every record carries the attribution an uninterrupted run gives
// (importedFrom included), and nothing was pruned. Kill points are chosen by observable progress (the
// run record, the repository, the records in the table, the simulated cluster's request log, and
// hanging the cluster's answers at an exact object), never by sleeping.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulatedCluster } from "../../infra/local/simulated-cluster.js";
import type { FaultHandle, KubeSim } from "../../infra/local/kube-sim/index.js";
import { startChildStack, type ChildStack } from "../support/child-stack.js";
import { allPages } from "../support/local-stack.js";
import { seedRepository, type SeededRepository } from "../support/seed-repo.js";

// Short, so that the test waits little for a lease to run out; nothing else triggers these fabrics.
const LEASE_SECONDS = 3;
const INGEST_FILES = 2000;
const RECONCILE_OBJECTS = 500;
const SERVERS = { group: "wiring.githedgehog.com", version: "v1beta1", plural: "servers", namespace: "default" } as const;
const dir = (fabric: string) => `gitops/hedgehog/${fabric}`;
const serverName = (prefix: string, i: number) => `${prefix}-server-${String(i).padStart(5, "0")}`;
const serverDoc = (prefix: string, i: number) => `apiVersion: wiring.githedgehog.com/v1beta1\nkind: Server\nmetadata:\n  name: ${serverName(prefix, i)}\nspec:\n  description: server ${i}\n`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- run records as JSON
type Json = any;

describe("kill -9 of the local stack at ten points", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "hh-fault-"));
  const token = randomBytes(18).toString("base64url");
  const repos: SeededRepository[] = [];
  const durations: Record<string, number> = {};
  let sim: KubeSim;
  let kube: CustomObjectsApi;
  let child: ChildStack;
  let table: DynamoDBDocumentClient;
  const started = Date.now();

  const start = async () => {
    child = await startChildStack({
      dataDir,
      token,
      env: {
        HH_GITOPS_RUN_LEASE_SECONDS: String(LEASE_SECONDS),
        HH_GITOPS_RETRY_DELAY_SECONDS: "1",
        HH_GITOPS_SIMULATED_KUBECONFIG: join(dataDir, "kubeconfig"),
      },
    });
    table?.destroy();
    table = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1", endpoint: child.dynamodbEndpoint, credentials: { accessKeyId: "l", secretAccessKey: "l" } }));
  };
  const run = async (fabric: string, runId: string): Promise<Json> => (await child.api(`/fabrics/${fabric}/runs/${runId}`)).body;
  const waitFinished = async (fabric: string, runId: string, timeoutMs = 60_000): Promise<Json> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await run(fabric, runId);
      if (["succeeded", "failed", "cancelled"].includes(r?.status)) return r;
      if (Date.now() > deadline) throw new Error(`run ${runId} of ${fabric} did not finish: ${JSON.stringify(r)}`);
      await sleep(50);
    }
  };
  /** The stored record of one server, read straight from the table (cheap enough to poll). */
  const storedRecord = async (fabric: string, uid: string, name: string) =>
    (await table.send(new GetCommand({ TableName: child.tableName, Key: { pk: `FABRIC#${fabric}`, sk: `RES#${uid}#wiring.githedgehog.com/Server/default/${name}` } }))).Item;
  const register = async (fabric: string, repo: SeededRepository, extra: Record<string, unknown> = {}) => {
    const res = await child.api("/fabrics", { method: "POST", body: { name: fabric, git: { provider: "git", url: repo.bare, directory: dir(fabric) }, sync: { intervalMinutes: 10080 }, ...extra } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect((await waitFinished(fabric, res.body.initRun.runId)).status).toBe("succeeded");
  };

  /** Polls until `reached` says so (or the run ends first, which fails the test), then kill -9. */
  const killWhen = async (fabric: string, runId: string, point: string, reached: () => Promise<boolean> | boolean): Promise<number> => {
    for (;;) {
      if (await reached()) break;
      const r = await run(fabric, runId);
      if (["succeeded", "failed", "cancelled"].includes(r.status)) throw new Error(`run ${runId} ended (${r.status}) before the kill point "${point}"`);
      await sleep(5);
    }
    const killedAt = Date.now();
    await child.kill();
    return killedAt;
  };

  /** After the restart: the dead run fails once its lease expired, found by the next trigger, whose run completes. */
  const recover = async (fabric: string, deadRunId: string, killedAt: number): Promise<{ dead: Json; next: Json }> => {
    const lease = (await run(fabric, deadRunId)).leaseExpiresAt as string;
    expect(Date.parse(lease)).toBeLessThanOrEqual(killedAt + LEASE_SECONDS * 1000 + 250);
    await sleep(Math.max(0, Date.parse(lease) - Date.now() + 50));
    const sync = await child.api(`/fabrics/${fabric}/sync`, { method: "POST" });
    expect(sync.body).toMatchObject({ coalesced: false, status: "queued" });
    const dead = await run(fabric, deadRunId);
    expect(dead).toMatchObject({ status: "failed", error: `worker lost (lease expired at ${lease})` });
    expect(Object.values(dead.stages as Record<string, { status: string }>).map((s) => s.status)).not.toContain("running");
    const next = await waitFinished(fabric, sync.body.runId);
    expect(next.status, JSON.stringify(next.error)).toBe("succeeded");
    return { dead, next };
  };

  beforeAll(async () => {
    sim = await startSimulatedCluster(join(dataDir, "kubeconfig"), randomBytes(18).toString("base64url"));
    const kc = new KubeConfig();
    kc.loadFromOptions(sim.kubeconfigOptions());
    kube = kc.makeApiClient(CustomObjectsApi);
    await start();
  });
  afterAll(async () => {
    await child?.kill().catch(() => undefined);
    table?.destroy();
    await sim?.close();
    for (const r of repos) r.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
    console.log(`[measure] fault test: ${((Date.now() - started) / 1000).toFixed(1)} s in all; per scenario ${JSON.stringify(durations)}`);
  });

  describe(`an ingest of ${INGEST_FILES} files`, () => {
    type Ctx = { fabric: string; runId: string; repo: SeededRepository; seed: string; uid: string };
    // Records are written in id order, 25 to a batch: the one for server N exists once about N are written.
    const recorded = async ({ fabric, uid }: Ctx, n: number) => (await storedRecord(fabric, uid, serverName("s", n))) !== undefined;
    const points: readonly { name: string; reached: (ctx: Ctx) => Promise<boolean> }[] = [
      { name: "reading the snapshot", reached: async ({ fabric, runId }) => (await run(fabric, runId)).stages?.ingest?.status === "running" },
      { name: "planned, committing", reached: async ({ fabric, runId }) => Boolean((await run(fabric, runId)).stages?.ingest?.detail?.plannedOn) },
      { name: "committed, no record yet", reached: async ({ repo, seed }) => repo.head() !== seed },
      { name: "first records written", reached: (ctx) => recorded(ctx, 0) },
      { name: "three quarters of the records written", reached: (ctx) => recorded(ctx, 1499) },
    ];

    it.each(points.map((p, i) => [i + 1, p.name, p] as const))("kill %i: %s", async (n, name, point) => {
      const t0 = Date.now();
      const fabric = `ingest-${n}`;
      const D = dir(fabric);
      const repo = seedRepository(Object.fromEntries(Array.from({ length: INGEST_FILES }, (_, i) => [`${D}/raw/servers-${i}.yaml`, serverDoc("s", i)])));
      repos.push(repo);
      await register(fabric, repo);
      const seed = repo.head();
      const uid = (await child.api(`/fabrics/${fabric}`)).body.uid as string;
      const runId = (await child.api(`/fabrics/${fabric}/sync`, { method: "POST" })).body.runId as string;
      const killedAt = await killWhen(fabric, runId, name, () => point.reached({ fabric, runId, repo, seed, uid }));
      await start();
      await recover(fabric, runId, killedAt);

      const ingestCommits = repo.log().filter((m) => m === `hedgehog-gitops: ingest ${INGEST_FILES} files from ${D}/raw`);
      expect(ingestCommits).toHaveLength(1);
      const commit = repo.head();
      const records = (await allPages(child.api, `/fabrics/${fabric}/resources`)) as Json[];
      expect(records).toHaveLength(INGEST_FILES);
      const wrong = records.filter((r) => {
        const i = Number(r.name.slice("s-server-".length));
        return (
          r.state !== "committed" ||
          r.attribution.importedFrom !== `${D}/raw/servers-${i}.yaml` ||
          r.attribution.gitCommitSha !== commit ||
          r.attribution.gitFilePath !== `${D}/managed/servers/${r.name}.yaml`
        );
      });
      expect(wrong.slice(0, 3)).toEqual([]);
      durations[`ingest-${n}`] = Math.round((Date.now() - t0) / 100) / 10;
    }, 120_000);
  });

  describe(`a reconcile of ${RECONCILE_OBJECTS} objects`, () => {
    // Each hangs the cluster's answers from an exact request on, so the kill lands there.
    const points: readonly { name: string; hang: (prefix: string) => FaultHandle | null; reached: (ctx: { fabric: string; prefix: string; uid: string }) => Promise<boolean> | boolean }[] = [
      {
        name: "listing the kinds",
        hang: () => sim.faults.inject({ match: { verb: "list", resource: "servers" }, fault: { type: "hang" } }),
        reached: () => sim.requests.count({ verb: "list", resource: "servers", status: 0 }) > 0,
      },
      {
        name: "before the first apply",
        hang: () => sim.faults.inject({ match: { verb: "apply" }, times: RECONCILE_OBJECTS, fault: { type: "hang" } }),
        reached: () => sim.requests.count({ verb: "apply" }) > 0,
      },
      { name: "after one apply", hang: (prefix) => hangFrom(prefix, 1), reached: () => applied() >= 1 && hanging() > 0 },
      { name: "half applied", hang: (prefix) => hangFrom(prefix, RECONCILE_OBJECTS / 2), reached: () => applied() >= RECONCILE_OBJECTS / 2 && hanging() > 0 },
      // States are written in id order once every apply is answered: the first one synced.
      { name: "all applied, writing states", hang: () => null, reached: async ({ fabric, prefix, uid }) => (await storedRecord(fabric, uid, serverName(prefix, 0)))?.state === "synced" },
    ];
    // Answered (200 or 201 Created), not hanging.
    const applied = () => sim.requests.entries({ verb: "apply" }).filter((r) => r.status >= 200 && r.status < 300).length;
    const hanging = () => sim.requests.count({ verb: "apply", status: 0 });
    // Apply order within a kind is by name: hang every object from the `from`-th on.
    const hangFrom = (prefix: string, from: number) =>
      sim.faults.inject({
        match: { verb: "apply", path: new RegExp(`/(${Array.from({ length: RECONCILE_OBJECTS - from }, (_, i) => serverName(prefix, from + i)).join("|")})$`) },
        times: RECONCILE_OBJECTS,
        fault: { type: "hang" },
      });

    it.each(points.map((p, i) => [i + 1, p.name, p] as const))("kill %i: %s", async (n, name, point) => {
      const t0 = Date.now();
      const fabric = `reconcile-${n}`;
      const prefix = `r${n}`;
      const D = dir(fabric);
      const repo = seedRepository(
        Object.fromEntries(Array.from({ length: 5 }, (_, f) => [`${D}/raw/servers-${f}.yaml`, Array.from({ length: RECONCILE_OBJECTS / 5 }, (_, i) => serverDoc(prefix, f * 100 + i)).join("---\n")])),
      );
      repos.push(repo);
      await kube.createNamespacedCustomObject({ ...SERVERS, body: { apiVersion: "wiring.githedgehog.com/v1beta1", kind: "Server", metadata: { name: `${prefix}-handmade`, namespace: "default" }, spec: {} } });
      await register(fabric, repo, { cluster: { simulated: true }, sync: { mode: "apply", prune: true, intervalMinutes: 10080 } });
      const uid = (await child.api(`/fabrics/${fabric}`)).body.uid as string;
      sim.requests.reset();
      const fault = point.hang(prefix);
      const runId = (await child.api(`/fabrics/${fabric}/sync`, { method: "POST" })).body.runId as string;
      const killedAt = await killWhen(fabric, runId, name, () => point.reached({ fabric, prefix, uid }));
      fault?.cancel();
      const appliedBeforeKill = applied();
      await start();
      const { next } = await recover(fabric, runId, killedAt);

      expect(next.stages.reconcile.counts).toMatchObject({ pruned: 0, rejected: 0, synced: RECONCILE_OBJECTS });
      expect(next.stages.reconcile.counts.applied).toBeLessThanOrEqual(RECONCILE_OBJECTS - appliedBeforeKill + 8);
      expect(sim.requests.count({ verb: "delete" })).toBe(0);
      const live = sim.objects({ group: "wiring.githedgehog.com", resource: "servers" }).map((o) => (o.metadata as { name: string }).name).filter((nm) => nm.startsWith(`${prefix}-`));
      expect(live).toHaveLength(RECONCILE_OBJECTS + 1);
      expect(live).toContain(`${prefix}-handmade`);
      expect(repo.log().filter((m) => m.startsWith("hedgehog-gitops: ingest"))).toHaveLength(1);
      const records = (await allPages(child.api, `/fabrics/${fabric}/resources?kind=servers`)) as Json[];
      const fromGit = records.filter((r) => r.fromGit);
      expect(fromGit).toHaveLength(RECONCILE_OBJECTS);
      expect(fromGit.filter((r) => r.state !== "synced" || !/\/raw\/servers-\d\.yaml$/.test(r.attribution.importedFrom) || r.attribution.gitCommitSha !== repo.head())).toEqual([]);
      expect(records.find((r) => r.name === `${prefix}-handmade`)).toMatchObject({ state: "orphaned", fromGit: false });
      // The run record stays bounded: 500 applies, the first 50 named.
      expect(next.stages.reconcile.detail.applies.items.length).toBeLessThanOrEqual(50);
      durations[`reconcile-${n}`] = Math.round((Date.now() - t0) / 100) / 10;
    }, 120_000);
  });
});
