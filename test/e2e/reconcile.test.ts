// Reconciliation end to end on the local stack with the simulated cluster (issue #6): apply, drift in
// observe and apply mode, removal from Git and guarded prune, cluster-only objects, and a no-op pass.
import { readFileSync } from "node:fs";
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeSim } from "../../infra/local/kube-sim/index.js";
import { startTestStack, waitForRun, type TestStack } from "../support/local-stack.js";
import { seedRepository, type SeededRepository } from "../support/seed-repo.js";

const DIR = "gitops/hedgehog/fabric-1";
const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");
const VPCS = { group: "vpc.githedgehog.com", version: "v1beta1", plural: "vpcs", namespace: "default" } as const;
const TRACKING = "hedgehog-gitops/tracking-id";

describe("reconcile end to end (simulated cluster)", () => {
  let stack: TestStack;
  let repo: SeededRepository;
  let sim: KubeSim;
  let kube: CustomObjectsApi;

  const sync = async () => {
    const res = await stack.api("/fabrics/fabric-1/sync", { method: "POST" });
    expect(res.status).toBe(202);
    return waitForRun(stack, "fabric-1", res.body.runId);
  };
  const resource = async (kind: string, name: string) => (await stack.api(`/fabrics/fabric-1/resources/${kind}/${name}`)).body;
  const setSync = (sync: Record<string, unknown>) => stack.api("/fabrics/fabric-1", { method: "PATCH", body: { sync } });
  const liveVpc = async (name: string) => (await kube.getNamespacedCustomObject({ ...VPCS, name })) as { spec: { subnets: Record<string, { vlan: number }> }; metadata: { annotations?: Record<string, string> } };

  beforeAll(async () => {
    repo = seedRepository({
      [`${DIR}/raw/prepop.yaml`]: fixture("hedgehog/samples/vlab-wiring-prepop.yaml"),
      [`${DIR}/raw/test-vpc.yaml`]: fixture("hedgehog/samples/hnp-raw-test-vpc.yaml"),
      [`${DIR}/raw/test-vpc-2.yaml`]: fixture("hedgehog/samples/hnp-raw-test-vpc-2.yaml"),
      [`${DIR}/raw/configmap.yaml`]: fixture("pipeline/configmap.yaml"),
      [`${DIR}/raw/broken-vpc.yaml`]: fixture("pipeline/broken-vpc.yaml"),
    });
    stack = await startTestStack();
    sim = stack.kubeSim!;
    const kc = new KubeConfig();
    kc.loadFromOptions(sim.kubeconfigOptions());
    kube = kc.makeApiClient(CustomObjectsApi);
    const res = await stack.api("/fabrics", {
      method: "POST",
      body: { name: "fabric-1", git: { provider: "git", url: repo.bare, directory: DIR }, cluster: { simulated: true }, sync: { mode: "apply" } },
    });
    expect(res.status).toBe(201);
    await waitForRun(stack, "fabric-1", res.body.initRun.runId);
  });
  afterAll(async () => {
    await stack?.close();
    repo?.cleanup();
  });

  it("apply mode: every resource becomes synced, the cluster holds them with the tracking annotation", async () => {
    const run = await sync();
    expect(run.status).toBe("succeeded");
    expect(run.chain).toEqual(["ingest", "reconcile"]);
    expect(run.stages.reconcile.counts).toMatchObject({ kindsListed: 14, applied: 48, rejected: 0 });
    const list = await stack.api("/fabrics/fabric-1/resources");
    expect(list.body.total).toBe(48);
    expect(list.body.items.every((r: { state: string }) => r.state === "synced")).toBe(true);
    const objects = sim.objects({ group: "wiring.githedgehog.com" }).length + sim.objects({ group: "vpc.githedgehog.com" }).length;
    expect(objects).toBe(48);
    const { uid } = (await stack.api("/fabrics/fabric-1")).body;
    expect(uid).toMatch(/^[0-9a-f]{16}$/);
    expect((await liveVpc("test-vpc")).metadata.annotations?.[TRACKING]).toBe(`fabric-1@${uid}:vpc.githedgehog.com/VPC:default/test-vpc`);
    // Applied in kind order: switch groups before switches before connections.
    const applies = sim.requests.entries({ verb: "apply" }).map((r) => r.resource);
    expect(applies.indexOf("switchgroups")).toBeLessThan(applies.indexOf("switches"));
    expect(applies.lastIndexOf("switches")).toBeLessThan(applies.indexOf("connections"));
  });

  it("a second pass with nothing changed lists each kind once and writes nothing", async () => {
    sim.requests.reset();
    const run = await sync();
    expect(run.stages.reconcile.counts).toMatchObject({ applied: 0, pruned: 0, recordsWritten: 0 });
    expect(run.stages.ingest.counts).toMatchObject({ recordsWritten: 0 });
    const requests = sim.requests.entries();
    expect(requests.every((r) => r.verb === "list")).toBe(true);
    // Each stage asks which CRDs are served (metadata only; unchanged, so not read again); ingest lists
    // the 11 kinds SET rules look up, reconcile every managed kind.
    expect(requests.filter((r) => r.resource === "customresourcedefinitions").map((r) => r.query)).toEqual([{ limit: "500" }, { limit: "500" }]);
    expect(requests).toHaveLength(2 + 11 + 14);
  });

  it("a changed live object is drifted in observe mode, with the field shown, and corrected in apply mode", async () => {
    await kube.patchNamespacedCustomObject(
      { ...VPCS, name: "test-vpc", body: { spec: { subnets: { "test-subnet": { vlan: 1555 } } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await setSync({ mode: "observe" });
    sim.requests.reset();
    const observed = await sync();
    expect(observed.status).toBe("succeeded");
    expect(sim.requests.entries().every((r) => r.verb === "list")).toBe(true);
    const drifted = await resource("vpcs", "test-vpc");
    expect(drifted.state).toBe("drifted");
    expect(drifted.drift).toEqual([{ path: "/spec/subnets/test-subnet/vlan", desired: 1001, live: 1555 }]);
    expect((await stack.api("/fabrics/fabric-1/status")).body.counts.byState).toMatchObject({ drifted: 1, synced: 47 });

    await setSync({ mode: "apply" });
    const applied = await sync();
    expect(applied.stages.reconcile.counts).toMatchObject({ applied: 1 });
    expect((await liveVpc("test-vpc")).spec.subnets["test-subnet"]!.vlan).toBe(1001);
    const corrected = await resource("vpcs", "test-vpc");
    expect(corrected.state).toBe("synced");
    expect(corrected.drift).toEqual([]);
  });

  it("a denial is that resource's error; a server error is retried; a plan writes nothing", async () => {
    await kube.patchNamespacedCustomObject(
      { ...VPCS, name: "test-vpc", body: { spec: { subnets: { "test-subnet": { vlan: 1556 } } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await kube.patchNamespacedCustomObject(
      { ...VPCS, name: "test-vpc-2", body: { spec: { subnets: { "test-subnet": { vlan: 1557 } } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    // A plan shows both corrections and sends no write.
    sim.requests.reset();
    const planned = await stack.api("/fabrics/fabric-1/plan", { method: "POST" });
    const plan = await waitForRun(stack, "fabric-1", planned.body.runId);
    expect(plan.stages.reconcile.detail.wouldApply).toEqual({ items: ["vpc.githedgehog.com/VPC/default/test-vpc", "vpc.githedgehog.com/VPC/default/test-vpc-2"], total: 2 });
    expect(sim.requests.entries().every((r) => r.verb === "list")).toBe(true);

    // The webhook keeps denying test-vpc (every attempt); test-vpc-2 meets one 503.
    const denial = sim.faults.inject({ match: { verb: "apply", name: "test-vpc" }, times: 100, fault: { type: "status", code: 403, message: 'admission webhook "vvpc.kb.io" denied the request: no' } });
    sim.faults.inject({ match: { verb: "apply", name: "test-vpc-2" }, fault: { type: "status", code: 503 } });
    const run = await sync();
    expect(run.status).toBe("succeeded");
    expect(run.stages.reconcile.errors.join("\n")).toMatch(/attempt 1: ClusterUnavailableError/);
    const denied = await resource("vpcs", "test-vpc");
    expect(denied.state).toBe("drifted");
    expect(denied.error).toMatch(/403 .*denied the request/);
    const retried = await resource("vpcs", "test-vpc-2");
    expect(retried).toMatchObject({ state: "synced", error: null });
    // Once the webhook accepts it, the next pass applies it and clears the error.
    denial.cancel();
    await sync();
    expect(await resource("vpcs", "test-vpc")).toMatchObject({ state: "synced", error: null });
  });

  it("an object created directly in the cluster is orphaned, source cluster, and never pruned", async () => {
    await kube.createNamespacedCustomObject({
      ...VPCS,
      body: { apiVersion: "vpc.githedgehog.com/v1beta1", kind: "VPC", metadata: { name: "handmade", namespace: "default" }, spec: { subnets: { default: { subnet: "10.77.0.0/24", gateway: "10.77.0.1", vlan: 1777 } } } },
    });
    await setSync({ prune: true });
    await sync();
    const orphan = await resource("vpcs", "handmade");
    expect(orphan).toMatchObject({ state: "orphaned", fromGit: false, attribution: { source: "cluster", gitFilePath: null } });
    expect(await liveVpc("handmade")).toBeTruthy();
  });

  it("a file deleted from managed/ leaves an orphan, deleted only once prune is on", async () => {
    await setSync({ prune: false });
    repo.push({ [`${DIR}/managed/vpcs/test-vpc-2.yaml`]: null }, "remove test-vpc-2");
    await sync();
    const orphan = await resource("vpcs", "test-vpc-2");
    expect(orphan).toMatchObject({ state: "orphaned", inGit: false, attribution: { source: "git" } });
    expect(await liveVpc("test-vpc-2")).toBeTruthy();

    await setSync({ prune: true });
    const pruned = await sync();
    expect(pruned.stages.reconcile.counts).toMatchObject({ pruned: 1 });
    await expect(liveVpc("test-vpc-2")).rejects.toThrow();
    // Gone, and said so with its history (410), newest first: pruned, then orphaned.
    const gone = await stack.api("/fabrics/fabric-1/resources/vpcs/test-vpc-2");
    expect(gone.status).toBe(410);
    expect(gone.headers.get("content-type")).toBe("application/problem+json");
    expect(gone.body.history.items.slice(0, 2).map((h: { from: string; to: string }) => `${h.from}->${h.to}`)).toEqual(["orphaned->pruned", "synced->orphaned"]);
    // The hand-made one is still there: it never carried our tracking annotation.
    expect(await liveVpc("handmade")).toBeTruthy();
  });

  it("an empty managed/ with prune on deletes nothing and says why", async () => {
    const managed = repo.files(`${DIR}/managed`).filter((f) => !f.includes("/metadata/") && f.endsWith(".yaml"));
    repo.push(Object.fromEntries(managed.map((f) => [f, null])), "empty managed/");
    sim.requests.reset();
    const run = await sync();
    expect(run.status).toBe("succeeded");
    expect(run.stages.reconcile.counts).toMatchObject({ pruned: 0 });
    expect(run.stages.reconcile.detail.pruneSkipped).toMatch(/desired set is empty/);
    expect(sim.requests.entries().filter((r) => r.verb === "delete")).toEqual([]);
    expect(await liveVpc("test-vpc")).toBeTruthy();
    const states = (await stack.api("/fabrics/fabric-1/resources")).body.items.map((r: { state: string }) => r.state);
    expect(new Set(states)).toEqual(new Set(["orphaned"]));
  });
});
