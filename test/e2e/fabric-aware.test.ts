// Issue #17 end to end on the local stack: the simulated cluster serves a newer CRD set (the v0.129
// fixture: fabric main 78827deb plus the 26.03 subnet and port-locator fields) and the objects an
// installer makes; fabrics are judged by it, and drift is strict on spec.
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { KubeSim } from "../../infra/local/kube-sim/index.js";
import { v0129FixtureCrds } from "../support/crd-sets.js";
import { startTestStack, waitForRun, type TestStack } from "../support/local-stack.js";
import { seedRepository, type SeededRepository } from "../support/seed-repo.js";

const VPC_API = "vpc.githedgehog.com/v1beta1";
const WIRING = "wiring.githedgehog.com/v1beta1";
const dir = (fabric: string) => `gitops/hedgehog/${fabric}`;
const yaml = (...docs: object[]) => docs.map((d) => stringify(d)).join("---\n");

const leaf = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: WIRING,
  kind: "Switch",
  metadata: { name },
  spec: {
    role: "server-leaf",
    profile: "vs",
    asn: 65101,
    ip: name === "leaf-1" ? "172.30.0.10/21" : "172.30.0.11/21",
    protocolIP: name === "leaf-1" ? "172.30.8.1/32" : "172.30.8.2/32",
    vtepIP: "172.30.12.1/32",
    groups: ["mclag-1"],
    redundancy: { group: "mclag-1", type: "mclag" },
    ...extra,
  },
});
const wiring = [
  { apiVersion: WIRING, kind: "SwitchGroup", metadata: { name: "mclag-1" }, spec: {} },
  leaf("leaf-1", { portFECs: { "E1/2": "rs" }, portLocators: { "E1/1": "10m" } }),
  leaf("leaf-2"),
  { apiVersion: WIRING, kind: "Server", metadata: { name: "server-1" }, spec: {} },
  {
    apiVersion: WIRING,
    kind: "Connection",
    metadata: { name: "server-1--mclag--leaf-1--leaf-2" },
    spec: { mclag: { links: [{ server: { port: "server-1/enp2s1" }, switch: { port: "leaf-1/E1/1" } }, { server: { port: "server-1/enp2s2" }, switch: { port: "leaf-2/E1/1" } }] } },
  },
];
const vpc = (name: string, subnets: Record<string, unknown>, spec: Record<string, unknown> = {}) => ({ apiVersion: VPC_API, kind: "VPC", metadata: { name }, spec: { subnets, ...spec } });
const hostBgpVpc = vpc("vpc-bgp", { bgp: { subnet: "10.10.3.0/24", hostBGP: true, hostBGPMinPrefixLen: 28, hostBGPMaxPrefixLen: 32 } });
const plainVpc = vpc("vpc-2", { web: { subnet: "10.0.1.0/24", gateway: "10.0.1.1", vlan: 1001 } });
const remotePeering = { apiVersion: VPC_API, kind: "VPCPeering", metadata: { name: "vpc-bgp--vpc-2" }, spec: { permit: [{ "vpc-bgp": {}, "vpc-2": {} }], remote: "mclag-1" } };

describe("fabric-aware validation and strict drift (simulated cluster serving the v0.129 fixture)", () => {
  let stack: TestStack;
  let repo: SeededRepository;
  let sim: KubeSim;
  let kube: CustomObjectsApi;

  const sync = async (fabric: string) => {
    const res = await stack.api(`/fabrics/${fabric}/sync`, { method: "POST" });
    expect(res.status).toBe(202);
    return waitForRun(stack, fabric, res.body.runId);
  };
  const register = async (name: string, cluster: unknown, hedgehog: Record<string, unknown> = {}) => {
    const res = await stack.api("/fabrics", {
      method: "POST",
      body: { name, git: { provider: "git", url: repo.bare, directory: dir(name) }, cluster, sync: { mode: "apply" }, hedgehog },
    });
    expect(res.status).toBe(201);
    await waitForRun(stack, name, res.body.initRun.runId);
  };
  const resource = async (fabric: string, kind: string, name: string) => (await stack.api(`/fabrics/${fabric}/resources/${kind}/${name}`)).body;
  const errorsText = (fabric: string, file: string) => repo.show(`${dir(fabric)}/raw/errors/${file}.errors.txt`);
  const mergePatch = (plural: string, name: string, body: unknown, fieldManager: string) =>
    kube.patchNamespacedCustomObject(
      { group: plural === "switches" ? "wiring.githedgehog.com" : "vpc.githedgehog.com", version: "v1beta1", plural, namespace: "default", name, body, fieldManager },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    ) as Promise<{ spec: Record<string, any> }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- live JSON
  const writes = () => sim.requests.entries().filter((r) => r.verb !== "list" && r.verb !== "get");

  beforeAll(async () => {
    repo = seedRepository({
      [`${dir("fabric-1")}/raw/wiring.yaml`]: yaml(...wiring),
      [`${dir("fabric-1")}/raw/vpcs.yaml`]: yaml(hostBgpVpc, plainVpc),
      [`${dir("fabric-1")}/raw/peering.yaml`]: yaml(remotePeering),
      [`${dir("fabric-2")}/raw/switch.yaml`]: yaml(leaf("leaf-9", { portFECs: { "E1/2": "rs" }, groups: [], redundancy: {} })),
      [`${dir("fabric-2")}/raw/vpc.yaml`]: yaml(vpc("vpc-5000", { web: { subnet: "10.0.9.0/24", gateway: "10.0.9.1", vlan: 5000 } })),
      [`${dir("fabric-3")}/raw/switch.yaml`]: yaml(leaf("leaf-9", { portFECs: { "E1/2": "rs" }, groups: [], redundancy: {} })),
    });
    stack = await startTestStack({ simulatedCluster: { crds: v0129FixtureCrds } });
    sim = stack.kubeSim!;
    const kc = new KubeConfig();
    kc.loadFromOptions(sim.kubeconfigOptions());
    kube = kc.makeApiClient(CustomObjectsApi);
    // What the installer creates: the default namespaces, never in Git.
    await kube.createNamespacedCustomObject({
      group: "wiring.githedgehog.com",
      version: "v1beta1",
      plural: "vlannamespaces",
      namespace: "default",
      body: { apiVersion: WIRING, kind: "VLANNamespace", metadata: { name: "default" }, spec: { ranges: [{ from: 1000, to: 2999 }] } },
    });
    await kube.createNamespacedCustomObject({
      group: "vpc.githedgehog.com",
      version: "v1beta1",
      plural: "ipv4namespaces",
      namespace: "default",
      body: { apiVersion: VPC_API, kind: "IPv4Namespace", metadata: { name: "default" }, spec: { subnets: ["10.0.0.0/8"] } },
    });
    await register("fabric-1", { simulated: true });
    await register("fabric-2", null);
    await register("fabric-3", null, { release: "v0.126.0-15-g78827deb" });
  });
  afterAll(async () => {
    await stack?.close();
    repo?.cleanup();
  });

  it("judges by the cluster's CRDs: portFECs and hostBGPMinPrefixLen accepted, remote rejected, MCLAG warned; the run names the schemas", async () => {
    const run = await sync("fabric-1");
    expect(run.status).toBe("succeeded");
    for (const stage of ["ingest", "reconcile"]) {
      expect(run.stages[stage].detail.schemas).toMatchObject({
        source: "cluster",
        release: null,
        resourceVersions: { "switches.wiring.githedgehog.com": expect.stringMatching(/^\d+$/) },
        capabilities: { "Switch.spec.portFECs": "present", "VPC.spec.subnets.*.hostBGPMinPrefixLen": "present", "Connection.spec.mclag": "deprecated", "VPCPeering.spec.remote": "deprecated" },
      });
    }
    expect(repo.files(`${dir("fabric-1")}/managed`)).toEqual(
      expect.arrayContaining([`${dir("fabric-1")}/managed/switches/leaf-1.yaml`, `${dir("fabric-1")}/managed/vpcs/vpc-bgp.yaml`, `${dir("fabric-1")}/managed/connections/server-1--mclag--leaf-1--leaf-2.yaml`]),
    );
    expect(errorsText("fabric-1", "peering.yaml")).toMatch(/\/spec\/remote \[VPCPEER-901\] remote peering is deprecated and no longer supported/);
    expect((await resource("fabric-1", "connections", "server-1--mclag--leaf-1--leaf-2")).warnings).toEqual([expect.stringMatching(/^\/spec\/mclag \[CONN-902\]/)]);
    expect(await resource("fabric-1", "switches", "leaf-1")).toMatchObject({ state: "synced" });
    expect(await resource("fabric-1", "vpcs", "vpc-bgp")).toMatchObject({ state: "synced" });
    const live = sim.objects({ resource: "switches" }).find((o) => (o["metadata"] as { name: string }).name === "leaf-1")!;
    expect((live["spec"] as Record<string, unknown>)["portFECs"]).toEqual({ "E1/2": "rs" });
  });

  it("without a cluster the bundled v0.126.0 set judges (portFECs unknown), unless the fabric pins a bundled release", async () => {
    const offline = await sync("fabric-2");
    expect(offline.stages.ingest.detail.schemas).toMatchObject({ source: "bundled", release: "v0.126.0", pinned: false });
    expect(errorsText("fabric-2", "switch.yaml")).toMatch(/\/spec\/portFECs \[SCHEMA\] unknown field "portFECs"/);
    const pinned = await sync("fabric-3");
    expect(pinned.stages.ingest.detail.schemas).toMatchObject({ source: "bundled", release: "v0.126.0-15-g78827deb", pinned: true });
    expect(repo.files(`${dir("fabric-3")}/managed`)).toContain(`${dir("fabric-3")}/managed/switches/leaf-9.yaml`);
  });

  it("rejects vlan 5000 without any VLANNamespace in Git, and with one", async () => {
    expect(errorsText("fabric-2", "vpc.yaml")).toMatch(/\/spec\/subnets\/web\/vlan \[VPC-901\] VLAN 5000 is not a valid 802\.1Q VLAN ID \(1–4094\)/);
    repo.push(
      {
        [`${dir("fabric-1")}/raw/vlan-5000.yaml`]: yaml(
          { apiVersion: WIRING, kind: "VLANNamespace", metadata: { name: "extra" }, spec: { ranges: [{ from: 3000, to: 3100 }] } },
          vpc("vpc-5000", { web: { subnet: "10.0.9.0/24", gateway: "10.0.9.1", vlan: 5000 } }, { vlanNamespace: "extra" }),
        ),
      },
      "vlan 5000",
    );
    await sync("fabric-1");
    expect(errorsText("fabric-1", "vlan-5000.yaml")).toMatch(/\[VPC-901\] VLAN 5000 is not a valid 802\.1Q VLAN ID/);
  });

  it("rejects a VPC whose VLAN is outside the cluster-only default VLANNamespace, naming it", async () => {
    repo.push({ [`${dir("fabric-1")}/raw/vpc-low.yaml`]: yaml(vpc("vpc-low", { web: { subnet: "10.0.8.0/24", gateway: "10.0.8.1", vlan: 10 } })) }, "vlan 10");
    await sync("fabric-1");
    expect(errorsText("fabric-1", "vpc-low.yaml")).toMatch(/\/spec\/subnets\/web\/vlan \[VPC-204\] VLAN 10 is not in any range of VLANNamespace default \(in the cluster\)/);
  });

  it("reports a live field added by hand as drift in observe mode (desired absent), removes it in apply mode, then writes nothing", async () => {
    await mergePatch("vpcs", "vpc-2", { spec: { subnets: { web: { dhcp: { enable: true } } } } }, "kubectl-edit");
    await stack.api("/fabrics/fabric-1", { method: "PATCH", body: { sync: { mode: "observe" } } });
    sim.requests.reset();
    await sync("fabric-1");
    expect(writes()).toEqual([]);
    const drifted = await resource("fabric-1", "vpcs", "vpc-2");
    expect(drifted.state).toBe("drifted");
    expect(drifted.drift).toContainEqual({ path: "/spec/subnets/web/dhcp/enable", live: true, absent: "desired" });
    expect(drifted.drift.every((d: Record<string, unknown>) => d["absent"] === "desired" && !("desired" in d))).toBe(true);

    await stack.api("/fabrics/fabric-1", { method: "PATCH", body: { sync: { mode: "apply" } } });
    sim.requests.reset();
    const fixed = await sync("fabric-1");
    expect(fixed.stages.reconcile.detail.removedFields).toEqual({ "vpc.githedgehog.com/VPC/default/vpc-2": ["/spec/subnets/web/dhcp/enable"] });
    expect(writes().map((r) => `${r.verb} ${r.resource}/${r.name}`)).toEqual(["patch vpcs/vpc-2"]);
    const live = sim.objects({ resource: "vpcs" }).find((o) => (o["metadata"] as { name: string }).name === "vpc-2")!;
    // What is left is the empty dhcp block the fabric always serializes (RULES.md §16).
    expect((live["spec"] as { subnets: { web: Record<string, unknown> } }).subnets.web["dhcp"]).toEqual({});
    expect(await resource("fabric-1", "vpcs", "vpc-2")).toMatchObject({ state: "synced", drift: [] });

    sim.requests.reset();
    const next = await sync("fabric-1");
    expect(writes()).toEqual([]);
    expect(next.stages.reconcile.counts).toMatchObject({ applied: 0, recordsWritten: 0 });
  });

  it("never reports a portLocators value the fabric rewrote to an absolute expiry time", async () => {
    // What the fabric's webhook does with "10m": an absolute UTC time, clamped to 20 minutes.
    const rewritten = await mergePatch("switches", "leaf-1", { spec: { portLocators: { "E1/1": "2026-11-29 10:20:00" } } }, "fabric-webhook");
    expect(rewritten.spec["portLocators"]).toEqual({ "E1/1": "2026-11-29 10:20:00" });
    sim.requests.reset();
    await sync("fabric-1");
    expect(writes()).toEqual([]);
    expect(await resource("fabric-1", "switches", "leaf-1")).toMatchObject({ state: "synced", drift: [] });
    // Expired and dropped by the fabric: still no drift.
    await mergePatch("switches", "leaf-1", { spec: { portLocators: null } }, "fabric-webhook");
    sim.requests.reset();
    await sync("fabric-1");
    expect(writes()).toEqual([]);
    expect(await resource("fabric-1", "switches", "leaf-1")).toMatchObject({ state: "synced" });
  });
});
