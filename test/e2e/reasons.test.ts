// Reasons where the operator looks (issue #13), end to end on the local stack with the simulated
// cluster: each rejected document by name in the run and in /status, a managed file broken by hand
// shown with its error and both commits (and found by ?error=true), a drifted resource's desired and
// live objects, and its history. Every answer is checked against /openapi.json by the test stack.
import { readFileSync } from "node:fs";
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, waitForRun, type TestStack } from "../support/local-stack.js";
import { seedRepository, type SeededRepository } from "../support/seed-repo.js";

const DIR = "gitops/hedgehog/fabric-1";
const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");
const VPCS = { group: "vpc.githedgehog.com", version: "v1beta1", plural: "vpcs", namespace: "default" } as const;
// Two documents rejected in one file: the second names a VPC with a field its schema does not know,
// the fourth one whose VLAN is not a number; the first and third are accepted.
const MIXED = `apiVersion: vpc.githedgehog.com/v1beta1
kind: VPC
metadata:
  name: mixed-ok
spec:
  subnets:
    default:
      subnet: 10.91.0.0/24
      vlan: 1910
---
apiVersion: vpc.githedgehog.com/v1beta1
kind: VPC
metadata:
  name: mixed-bad
spec:
  subnets:
    default:
      subnet: 10.92.0.0/24
      vlan: 1920
      colour: red
---
apiVersion: vpc.githedgehog.com/v1beta1
kind: VPC
metadata:
  name: mixed-ok-2
spec:
  subnets:
    default:
      subnet: 10.93.0.0/24
      vlan: 1930
---
apiVersion: vpc.githedgehog.com/v1beta1
kind: VPC
metadata:
  name: mixed-bad-2
spec:
  subnets:
    default:
      subnet: 10.94.0.0/24
      vlan: "not a number"
`;

describe("reasons in the API (simulated cluster)", () => {
  let stack: TestStack;
  let repo: SeededRepository;
  let kube: CustomObjectsApi;
  const runIds: string[] = [];
  const commits: string[] = [];

  const sync = async () => {
    const res = await stack.api("/fabrics/fabric-1/sync", { method: "POST" });
    expect(res.status).toBe(202);
    const run = await waitForRun(stack, "fabric-1", res.body.runId);
    expect(run.status).toBe("succeeded");
    runIds.push(run.runId);
    commits.push(repo.head());
    return run;
  };
  const resource = async (kind: string, name: string) => {
    const res = await stack.api(`/fabrics/fabric-1/resources/${kind}/${name}`);
    expect(res.status).toBe(200);
    return res.body;
  };
  const setMode = (mode: string) => stack.api("/fabrics/fabric-1", { method: "PATCH", body: { sync: { mode } } });

  beforeAll(async () => {
    repo = seedRepository({
      [`${DIR}/raw/test-vpc.yaml`]: fixture("hedgehog/samples/hnp-raw-test-vpc.yaml"),
      [`${DIR}/raw/test-vpc-2.yaml`]: fixture("hedgehog/samples/hnp-raw-test-vpc-2.yaml"),
      [`${DIR}/raw/broken-vpc.yaml`]: fixture("pipeline/broken-vpc.yaml"),
      [`${DIR}/raw/mixed.yaml`]: MIXED,
    });
    stack = await startTestStack();
    const kc = new KubeConfig();
    kc.loadFromOptions(stack.kubeSim!.kubeconfigOptions());
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

  it("a sync that rejects documents names each one in GET /runs/{id} and in /status, as its .errors.txt does", async () => {
    const run = await sync();
    expect(run.rejected).toEqual({ files: 2, documents: 3 });
    const detail = (await stack.api(`/fabrics/fabric-1/runs/${run.runId}`)).body;
    expect(detail.rejections.total).toBe(2);
    expect(detail.rejections.documents).toBe(3);
    const byFile = Object.fromEntries(detail.rejections.items.map((f: { file: string }) => [f.file, f]));
    expect(Object.keys(byFile).sort()).toEqual([`${DIR}/raw/broken-vpc.yaml`, `${DIR}/raw/mixed.yaml`]);

    const broken = byFile[`${DIR}/raw/broken-vpc.yaml`];
    expect(broken.fileError).toBeNull();
    expect(broken.documents.total).toBe(1);
    expect(broken.documents.items[0]).toMatchObject({ index: 0, kind: "VPC", name: "broken", severity: "error" });
    expect(broken.documents.items[0]).toMatchObject({ line: 11, path: "/spec/subnets/default/colour", rule: "SCHEMA", message: 'unknown field "colour"' });
    const mixed = byFile[`${DIR}/raw/mixed.yaml`];
    expect(mixed.documents.items.map((d: { index: number; name: string; kind: string }) => [d.index, d.kind, d.name])).toEqual([
      [1, "VPC", "mixed-bad"],
      [3, "VPC", "mixed-bad-2"],
    ]);
    // The line of the offending field in the file.
    expect(mixed.documents.items[0]).toMatchObject({ line: 20, path: "/spec/subnets/default/colour", rule: "SCHEMA" });
    expect(mixed.documents.items[1]).toMatchObject({ line: 40, path: "/spec/subnets/default/vlan", rule: "SCHEMA" });

    // The same reasons as the file Git holds for the operator: each message is one of its lines.
    for (const [file, rejected] of Object.entries(byFile) as [string, { documents: { items: { message: string; rule: string }[] } }][]) {
      const text = repo.show(`${DIR}/raw/errors/${file.split("/").pop()}.errors.txt`);
      for (const d of rejected.documents.items) {
        expect(text).toContain(d.message);
        expect(text).toContain(d.rule);
      }
    }

    const status = (await stack.api("/fabrics/fabric-1/status")).body;
    expect(status.lastRun.runId).toBe(run.runId);
    expect(status.rejections).toMatchObject({ runId: run.runId, total: 2, documents: 3 });
    expect(status.rejections.items).toEqual(detail.rejections.items);
    // 2 + 2 accepted VPCs, each synced; nothing needs the operator yet.
    expect(status.counts).toMatchObject({ total: 4, errors: 0 });
    expect(status.attention.errors).toEqual({ items: [], total: 0 });
  });

  it("a managed file broken by hand shows the resource with its error and both commits; ?error=true finds it", async () => {
    const applied = commits[0]!;
    const path = `${DIR}/managed/vpcs/test-vpc-2.yaml`;
    repo.push({ [path]: repo.show(path).replace("vlan: 1002", "vlan: 1002\n      colour: green") }, "hand edit: an unknown field");
    const run = await sync();
    const broken = commits[1]!;
    expect(broken).not.toBe(applied);

    const vpc = await resource("vpcs", "test-vpc-2");
    expect(vpc.error).toMatch(/colour/);
    expect(vpc.attribution).toMatchObject({ gitFilePath: path, gitCommitSha: broken, appliedCommitSha: applied });
    expect(vpc.attribution.gitBlobSha).not.toBe(vpc.attribution.appliedBlobSha);
    // The cluster keeps the last valid version.
    const live = (await kube.getNamespacedCustomObject({ ...VPCS, name: "test-vpc-2" })) as { spec: { subnets: Record<string, Record<string, unknown>> } };
    expect(live.spec.subnets["test-subnet"]).not.toHaveProperty("colour");

    const errors = (await stack.api("/fabrics/fabric-1/resources?error=true")).body;
    expect(errors.items.map((r: { name: string }) => r.name)).toEqual(["test-vpc-2"]);
    expect(errors.total).toBe(1);
    const clean = (await stack.api("/fabrics/fabric-1/resources?error=false")).body;
    expect(clean.items.map((r: { name: string }) => r.name)).not.toContain("test-vpc-2");

    const status = (await stack.api("/fabrics/fabric-1/status")).body;
    expect(status.counts.errors).toBe(1);
    expect(status.attention.errors.total).toBe(1);
    expect(status.attention.errors.items[0]).toMatchObject({ kind: "VPC", namespace: "default", name: "test-vpc-2" });
    expect(status.attention.errors.items[0].error).toMatch(/colour/);
    expect(run.runId).toBe(runIds[1]);

    // Repaired by hand again: the error goes, both commits are the new one.
    repo.push({ [path]: repo.show(path).replace("\n      colour: green", "") }, "hand edit: repaired");
    await sync();
    const repaired = await resource("vpcs", "test-vpc-2");
    expect(repaired.error).toBeNull();
    expect(repaired.attribution.gitCommitSha).toBe(repaired.attribution.appliedCommitSha);
    expect((await stack.api("/fabrics/fabric-1/resources?error=true")).body).toMatchObject({ items: [], total: 0 });
  });

  it("a drifted resource's detail shows desired, live and drift; its history lists ingest → synced → drifted → synced", async () => {
    await kube.patchNamespacedCustomObject(
      { ...VPCS, name: "test-vpc", body: { spec: { subnets: { "test-subnet": { vlan: 1555 } } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect((await setMode("observe")).status).toBe(200);
    const observed = await sync();
    const drifted = await resource("vpcs", "test-vpc");
    expect(drifted.state).toBe("drifted");
    expect(drifted.drift).toEqual([{ path: "/spec/subnets/test-subnet/vlan", desired: 1001, live: 1555 }]);
    expect(drifted.desired).toMatchObject({ apiVersion: "vpc.githedgehog.com/v1beta1", kind: "VPC", metadata: { name: "test-vpc", namespace: "default" } });
    expect(drifted.desired.spec.subnets["test-subnet"].vlan).toBe(1001);
    expect(drifted.live.spec.subnets["test-subnet"].vlan).toBe(1555);
    // Server fields stripped from the live object.
    expect(drifted.live.metadata).not.toHaveProperty("resourceVersion");
    expect(drifted.live.metadata).not.toHaveProperty("managedFields");
    expect(drifted.live.metadata).not.toHaveProperty("uid");
    const status = (await stack.api("/fabrics/fabric-1/status")).body;
    expect(status.attention.drifted).toEqual({ items: [{ kind: "VPC", namespace: "default", name: "test-vpc", state: "drifted" }], total: 1 });

    expect((await setMode("apply")).status).toBe(200);
    const corrected = await sync();
    const synced = await resource("vpcs", "test-vpc");
    expect(synced.state).toBe("synced");
    expect(synced.drift).toEqual([]);
    expect(synced.live.spec.subnets["test-subnet"].vlan).toBe(1001);

    // Newest first: corrected, drifted, synced by the first sync's reconcile, recorded by its ingest.
    const history = synced.history.items as { runId: string; stage: string; commit: string | null; from: string | null; to: string }[];
    const steps = history.map((e) => [e.stage, e.from, e.to, e.runId]);
    expect(steps).toEqual([
      ["reconcile", "drifted", "synced", corrected.runId],
      ["reconcile", "synced", "drifted", observed.runId],
      ["reconcile", "committed", "synced", runIds[0]],
      ["ingest", null, "committed", runIds[0]],
    ]);
    for (const e of history) expect(e.commit).toBe(commits[0]);

    // A page of one goes on with historyCursor; the cursor of another resource is refused.
    const first = (await stack.api("/fabrics/fabric-1/resources/vpcs/test-vpc?historyLimit=1")).body.history;
    expect(first.items).toHaveLength(1);
    const second = (await stack.api(`/fabrics/fabric-1/resources/vpcs/test-vpc?historyLimit=1&historyCursor=${first.next}`)).body.history;
    expect(second.items[0]).toEqual(history[1]);
    const refused = await stack.api(`/fabrics/fabric-1/resources/vpcs/test-vpc-2?historyCursor=${first.next}`);
    expect(refused.status).toBe(400);
  });
});
