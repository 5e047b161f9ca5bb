// Every cell of the state table (DESIGN §5) that a draft takes, reached end to end on the local stack
// (issue #14): the draft row (what a draft does when ingest, reconcile or the API observe something) and
// the edited-via-api column (a draft made from every state). Each step shows the state before and after
// through the API and tallies the cell; the last test checks that the tally is exactly the table's
// legal draft cells, so a new one must be exercised here before it exists.
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { canTransition, OBSERVATIONS, TRANSITIONS, type FromState, type Observation } from "../../lib/state/index.js";
import { waitForRun } from "../support/local-stack.js";
import type { SeededRepository } from "../support/seed-repo.js";
import { ATTACHMENTS, VPCS, vpc, writeBackEnvironment, type WriteBackEnvironment } from "../support/write-back-env.js";

// Many runs and cluster reads per test: a few seconds alone, much longer on 2 loaded cores (the whole suite).
vi.setConfig({ testTimeout: 180_000 });

const FROM_STATES = Object.keys(TRANSITIONS) as FromState[];
/** The cells a draft takes: its own row, and the API's edit from every state. */
const DRAFT_CELLS = new Set(
  FROM_STATES.flatMap((from) => OBSERVATIONS.filter((o) => (from === "draft" || o === "edited-via-api") && canTransition(from, o)).map((o) => `${from} ${o}`)),
);

describe("the state table's draft cells, end to end (git provider, direct)", () => {
  let env: WriteBackEnvironment;
  let repo: SeededRepository;
  let directory: string;
  let kube: CustomObjectsApi;
  const reached = new Set<string>();
  const state = async (fabric: string, kind: string, name: string): Promise<string> => {
    const res = await env.stack.api(`/fabrics/${fabric}/resources/${kind}/${name}`);
    // 404: never known; 410: gone from Git, the cluster and the store (its history is still answered).
    return res.status === 404 || res.status === 410 ? "untracked" : (res.body.state as string);
  };
  /** Asserts the resource went from → to, and tallies the cell. */
  const reach = (from: FromState, observation: Observation) => reached.add(`${from} ${observation}`);
  const patchVpc = (name: string, vlan: number) =>
    kube.patchNamespacedCustomObject(
      { ...VPCS, namespace: "default", name, body: { spec: { subnets: { "test-subnet": { vlan } } } }, fieldManager: "kubectl" },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
  const liveVlan = (name: string) => env.live(VPCS, name)?.spec.subnets["test-subnet"]?.vlan;
  const setSync = (sync: Record<string, unknown>) => env.stack.api("/fabrics/cells", { method: "PATCH", body: { sync } });

  beforeAll(async () => {
    env = await writeBackEnvironment("git");
    ({ repo, directory } = await env.fabric("cells", "direct"));
    expect((await env.sync("cells")).status).toBe("succeeded");
    const kc = new KubeConfig();
    kc.loadFromOptions(env.kube.kubeconfigOptions());
    kube = kc.makeApiClient(CustomObjectsApi);
  });
  afterAll(async () => {
    await env?.close();
  });

  it("untracked, synced and draft: edited through the API", async () => {
    expect(await state("cells", "vpcs", "vpc-new")).toBe("untracked");
    expect((await env.put("cells", "/resources/vpcs/vpc-new", vpc("vpc-new", 5))).status).toBe(201);
    expect(await state("cells", "vpcs", "vpc-new")).toBe("draft");
    reach("untracked", "edited-via-api");

    expect(await state("cells", "vpcs", "test-vpc-2")).toBe("synced");
    expect((await env.put("cells", "/resources/vpcs/test-vpc-2", vpc("test-vpc-2", 2, 1012))).status).toBe(201);
    expect(await state("cells", "vpcs", "test-vpc-2")).toBe("draft");
    reach("synced", "edited-via-api");
    expect((await env.put("cells", "/resources/vpcs/test-vpc-2", vpc("test-vpc-2", 2, 1022))).status).toBe(200);
    expect(await state("cells", "vpcs", "test-vpc-2")).toBe("draft");
    reach("draft", "edited-via-api");
  });

  it("a draft stays a draft whatever the cluster shows, and nothing is applied over it", async () => {
    // The cluster matches Git.
    expect((await env.sync("cells")).stages.reconcile.counts).toMatchObject({ applied: 0 });
    expect(await state("cells", "vpcs", "test-vpc-2")).toBe("draft");
    reach("draft", "cluster-matches");
    // Changed in the cluster: not corrected while the draft waits for Git.
    await patchVpc("test-vpc-2", 1099);
    expect((await env.sync("cells")).stages.reconcile.counts).toMatchObject({ applied: 0 });
    expect(await state("cells", "vpcs", "test-vpc-2")).toBe("draft");
    expect(liveVlan("test-vpc-2")).toBe(1099);
    reach("draft", "cluster-differs");
    // Deleted from the cluster: not recreated.
    await kube.deleteNamespacedCustomObject({ ...VPCS, namespace: "default", name: "test-vpc-2" });
    expect((await env.sync("cells")).stages.reconcile.counts).toMatchObject({ applied: 0 });
    expect(await state("cells", "vpcs", "test-vpc-2")).toBe("draft");
    expect(env.live(VPCS, "test-vpc-2")).toBeUndefined();
    reach("draft", "cluster-missing");
  });

  it("a draft whose file is removed from Git stays a draft, cannot be published, and is discarded", async () => {
    repo.push({ [`${directory}/managed/vpcs/test-vpc-2.yaml`]: null }, "someone removes test-vpc-2");
    const removal = repo.head();
    expect((await env.sync("cells")).status).toBe("succeeded");
    expect(await env.resource("cells", "vpcs", "test-vpc-2")).toMatchObject({ state: "draft", inGit: false });
    reach("draft", "removed-from-git");
    const refused = await env.stack.api("/fabrics/cells/drafts/publish", { method: "POST" });
    expect(refused.status).toBe(409);
    expect(refused.body.conflicts).toEqual([expect.objectContaining({ name: "test-vpc-2", commit: expect.objectContaining({ sha: removal }) })]);
    expect((await env.stack.api("/fabrics/cells/drafts/vpcs/test-vpc-2", { method: "DELETE" })).status).toBe(200);
    // Forgotten: in neither Git, the cluster nor the store.
    expect(await state("cells", "vpcs", "test-vpc-2")).toBe("untracked");
    reach("draft", "discarded");
  });

  it("an orphan edited through the API is a draft that keeps its cluster object", async () => {
    await kube.createNamespacedCustomObject({ ...VPCS, namespace: "default", body: { apiVersion: "vpc.githedgehog.com/v1beta1", kind: "VPC", metadata: { name: "handmade", namespace: "default" }, spec: { subnets: { "test-subnet": { subnet: "10.0.7.0/24", gateway: "10.0.7.1", vlan: 1007 } } } } });
    await env.sync("cells");
    expect(await state("cells", "vpcs", "handmade")).toBe("orphaned");
    expect((await env.put("cells", "/resources/vpcs/handmade", vpc("handmade", 7, 1017))).status).toBe(201);
    expect(await state("cells", "vpcs", "handmade")).toBe("draft");
    reach("orphaned", "edited-via-api");
    await env.sync("cells");
    expect(await state("cells", "vpcs", "handmade")).toBe("draft");
    expect(liveVlan("handmade")).toBe(1007);
    reach("draft", "cluster-only");
  });

  it("pending and drifted resources edited through the API", async () => {
    // Pending: Git changed and ingest took it, no reconcile has seen the cluster since.
    repo.push({ [`${directory}/managed/vpcs/test-vpc.yaml`]: repo.show(`${directory}/managed/vpcs/test-vpc.yaml`).replace("1001", "1041") }, "someone edits test-vpc");
    const ingest = await env.stack.api("/fabrics/cells/ingest", { method: "POST" });
    expect((await waitForRun(env.stack, "cells", ingest.body.runId)).status).toBe("succeeded");
    expect(await state("cells", "vpcs", "test-vpc")).toBe("pending");
    expect((await env.put("cells", "/resources/vpcs/test-vpc", vpc("test-vpc", 1, 1051))).status).toBe(201);
    expect(await state("cells", "vpcs", "test-vpc")).toBe("draft");
    reach("pending", "edited-via-api");

    // Drifted: observe mode reports what apply mode would correct.
    expect((await setSync({ mode: "observe" })).status).toBe(200);
    await kube.patchNamespacedCustomObject(
      { group: "vpc.githedgehog.com", version: "v1beta1", plural: "vpcattachments", namespace: "default", name: "test-vpc--server-03", body: { spec: { nativeVLAN: true } }, fieldManager: "kubectl" },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await env.sync("cells");
    expect(await state("cells", "vpcattachments", "test-vpc--server-03")).toBe("drifted");
    expect((await env.stack.api("/fabrics/cells/resources/vpcattachments/test-vpc--server-03", { method: "DELETE" })).status).toBe(201);
    expect(await state("cells", "vpcattachments", "test-vpc--server-03")).toBe("draft");
    reach("drifted", "edited-via-api");
    expect((await setSync({ mode: "apply" })).status).toBe(200);
  });

  it("published: each draft is ingested (committed), then reconciled; the deleted attachment is pruned", async () => {
    const publish = await env.stack.api("/fabrics/cells/drafts/publish", { method: "POST", body: {} });
    expect(publish.status, JSON.stringify(publish.body)).toBe(202);
    expect(publish.body.drafts).toBe(4);
    const run = await waitForRun(env.stack, "cells", publish.body.runId);
    expect(run.status).toBe("succeeded");
    // The same run's ingest took them draft → committed; its reconcile applied them and saw them match.
    expect(run.stages.ingest.counts).toMatchObject({ drafts: 4, draftsLanded: 4 });
    reach("draft", "ingested");
    for (const name of ["vpc-new", "test-vpc", "handmade"]) expect(await env.resource("cells", "vpcs", name)).toMatchObject({ state: "synced", fromGit: true, attribution: { gitCommitSha: repo.head() } });
    expect(liveVlan("test-vpc")).toBe(1051);
    expect(liveVlan("handmade")).toBe(1017);
    expect(await state("cells", "vpcattachments", "test-vpc--server-03")).toBe("untracked");
    expect(env.live(ATTACHMENTS, "test-vpc--server-03")).toBeUndefined();
    expect(run.stages.reconcile.counts).toMatchObject({ pruned: 1 });
    expect((await env.stack.api("/fabrics/cells/drafts")).body.total).toBe(0);
  });

  it("without a cluster: a committed resource edited, its draft kept through a sync, then published", async () => {
    await env.fabric("nocluster", "direct", undefined, false);
    expect((await env.sync("nocluster")).status).toBe("succeeded");
    expect(await state("nocluster", "vpcs", "test-vpc-2")).toBe("committed");
    expect((await env.put("nocluster", "/resources/vpcs/test-vpc-2", vpc("test-vpc-2", 2, 1012))).status).toBe(201);
    expect(await state("nocluster", "vpcs", "test-vpc-2")).toBe("draft");
    reach("committed", "edited-via-api");
    expect((await env.sync("nocluster")).status).toBe("succeeded");
    expect(await state("nocluster", "vpcs", "test-vpc-2")).toBe("draft");
    reach("draft", "no-cluster");
    const publish = await env.stack.api("/fabrics/nocluster/drafts/publish", { method: "POST", body: {} });
    expect((await waitForRun(env.stack, "nocluster", publish.body.runId)).status).toBe("succeeded");
    expect(await state("nocluster", "vpcs", "test-vpc-2")).toBe("committed");
  });

  it("reached every legal draft cell of the table, and nothing else", () => {
    expect([...reached].sort()).toEqual([...DRAFT_CELLS].sort());
  });
});
