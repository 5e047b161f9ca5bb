// lib/cluster against the simulated API server: the catalog of the CRDs a cluster serves (read once,
// kept by resourceVersion, read again after an upgrade), the cluster context the stages validate
// with, and apply mode's guarded removal of fields Git does not set.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startKubeSim, writeKubeconfig, type KubeSim } from "../../../infra/local/kube-sim/index.js";
import { connectCluster, type FabricCluster } from "../../../lib/cluster/client.js";
import { readClusterContext } from "../../../lib/cluster/cluster-context.js";
import { diffResource } from "../../../lib/cluster/diff.js";
import { ClusterConflictError, NotAHedgehogClusterError } from "../../../lib/cluster/errors.js";
import { makeEqual } from "../../../lib/cluster/make-equal.js";
import { servedCatalog, ServedCatalogCache } from "../../../lib/cluster/served-crds.js";
import { bundledCatalog, type Catalog } from "../../../lib/hedgehog/index.js";
import { fabricMainCrds, v0126Crds } from "../../support/crd-sets.js";
import { LOOPBACK_HOSTS, localSecrets } from "../../support/trust.js";

const TOKEN = "served-token";
const secrets = localSecrets();
let dir: string;
const sims: KubeSim[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "hh-served-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function cluster(crds: readonly object[]): Promise<{ sim: KubeSim; cluster: FabricCluster }> {
  const sim = await startKubeSim({ crds, token: TOKEN });
  sims.push(sim);
  const path = join(dir, `kubeconfig-${sims.length}`);
  await writeKubeconfig(path, { server: sim.url, token: TOKEN });
  return { sim, cluster: await connectCluster({ simulated: true }, { secrets, hosts: LOOPBACK_HOSTS, simulatedKubeconfig: path }) };
}

const crdRequests = (sim: KubeSim) => sim.requests.entries().filter((r) => r.resource === "customresourcedefinitions").length;

describe("servedCatalog", () => {
  it("reads the Hedgehog CRDs once, then only their resourceVersions while they stay the same", async () => {
    const { sim, cluster: c } = await cluster(v0126Crds);
    const cache = new ServedCatalogCache();
    const first = await servedCatalog(c, cache);
    expect(crdRequests(sim)).toBe(2); // metadata, then the CRDs
    expect(first.kinds).toEqual(bundledCatalog.kinds);
    expect(first.source).toMatchObject({ kind: "cluster", resourceVersions: { "vpcs.vpc.githedgehog.com": expect.stringMatching(/^\d+$/) } });
    sim.requests.reset();
    expect(await servedCatalog(c, cache)).toBe(first);
    expect(crdRequests(sim)).toBe(1);
  });

  it("builds a new catalog after an upgrade changes a CRD", async () => {
    const { sim, cluster: c } = await cluster(v0126Crds);
    const cache = new ServedCatalogCache();
    const before = await servedCatalog(c, cache);
    sim.serveCrds(fabricMainCrds);
    const after = await servedCatalog(c, cache);
    expect(after).not.toBe(before);
    expect(before.capabilities["Switch.spec.portFECs"]).toBe("absent");
    expect(after.capabilities["Switch.spec.portFECs"]).toBe("present");
  });

  it("refuses a cluster that serves no Hedgehog CRD", async () => {
    const { cluster: c } = await cluster([]);
    await expect(servedCatalog(c, new ServedCatalogCache())).rejects.toThrow(NotAHedgehogClusterError);
  });
});

describe("readClusterContext", () => {
  it("lists the referenced kinds for ingestion, leaves out this fabric's own objects, and reports the schemas", async () => {
    const { sim, cluster: c } = await cluster(fabricMainCrds);
    const catalog = await servedCatalog(c, new ServedCatalogCache());
    const vlans = catalog.managedKindNamed("VLANNamespace")!;
    await c.apply(vlans, { apiVersion: "wiring.githedgehog.com/v1beta1", kind: "VLANNamespace", metadata: { name: "default", namespace: "default" }, spec: { ranges: [{ from: 1000, to: 2999 }] } });
    await c.apply(vlans, {
      apiVersion: "wiring.githedgehog.com/v1beta1",
      kind: "VLANNamespace",
      metadata: { name: "ours", namespace: "default", annotations: { "hedgehog-gitops/tracking-id": "f1@u1:wiring.githedgehog.com/VLANNamespace:default/ours" } },
      spec: { ranges: [{ from: 3000, to: 3100 }] },
    });
    sim.requests.reset();
    const context = await readClusterContext(c, { owner: { id: "f1", uid: "u1" }, namespace: "default", settings: {}, cache: new ServedCatalogCache(), kinds: "referenced" });
    expect([...context.live.keys()]).toHaveLength(11);
    expect(context.objects.objects.map((o) => (o as { metadata: { name: string } }).metadata.name)).toEqual(["default"]);
    expect(context.schemas).toMatchObject({ source: "cluster", release: null, capabilities: { "Connection.spec.mclag": "deprecated" } });
  });
});

describe("makeEqual", () => {
  const VPC = bundledCatalog.managedKindNamed("VPC")!;
  const desired = {
    apiVersion: "vpc.githedgehog.com/v1beta1",
    kind: "VPC",
    metadata: { name: "vpc-1", namespace: "default" },
    spec: { subnets: { web: { subnet: "10.0.1.0/24", gateway: "10.0.1.1", vlan: 1001 } } },
  };
  async function handEdited(): Promise<{ sim: KubeSim; c: FabricCluster; catalog: Catalog }> {
    const { sim, cluster: c } = await cluster(v0126Crds);
    await c.apply(VPC, desired);
    await fetch(`${sim.url}/apis/vpc.githedgehog.com/v1beta1/namespaces/default/vpcs/vpc-1?fieldManager=kubectl-edit`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/merge-patch+json" },
      body: JSON.stringify({ spec: { subnets: { web: { dhcp: { enable: true } } } } }),
    });
    return { sim, c, catalog: await servedCatalog(c, new ServedCatalogCache()) };
  }
  const live = async (c: FabricCluster) => (await c.list(VPC, "default"))[0]!;

  it("removes a field only the cluster has, without applying what already matches", async () => {
    const { sim, c, catalog } = await handEdited();
    const before = await live(c);
    const drift = diffResource(desired, before, { catalog });
    // The simulator has no mutating webhook: the DHCP range the fabric would default is derived by the diff.
    expect(drift).toEqual([
      { path: "/spec/subnets/web/dhcp/enable", live: true, absent: "desired" },
      { path: "/spec/subnets/web/dhcp/range", live: { start: "10.0.1.2", end: "10.0.1.255" }, absent: "desired" },
    ]);
    sim.requests.reset();
    const result = await makeEqual(c, { kind: VPC, namespace: "default", name: "vpc-1", desired, live: before, drift }, catalog);
    expect(result).toMatchObject({ drift: [], removed: ["/spec/subnets/web/dhcp/enable"] });
    expect(sim.requests.entries().map((r) => r.verb)).toEqual(["patch"]);
    expect(diffResource(desired, await live(c), { catalog })).toEqual([]);
  });

  it("reads again and retries when the object changed in between, and gives up after a few conflicts", async () => {
    const { sim, c, catalog } = await handEdited();
    const before = await live(c);
    const drift = diffResource(desired, before, { catalog });
    // Somebody writes after our read: the guarded removal is refused once, then applied to the fresh object.
    await fetch(`${sim.url}/apis/vpc.githedgehog.com/v1beta1/namespaces/default/vpcs/vpc-1?fieldManager=other`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/merge-patch+json" },
      body: JSON.stringify({ metadata: { labels: { touched: "yes" } } }),
    });
    sim.requests.reset();
    const result = await makeEqual(c, { kind: VPC, namespace: "default", name: "vpc-1", desired, live: before, drift }, catalog);
    expect(result.drift).toEqual([]);
    expect(sim.requests.entries().map((r) => `${r.verb} ${r.status}`)).toEqual(["patch 422", "apply 200", "patch 200"]);

    await fetch(`${sim.url}/apis/vpc.githedgehog.com/v1beta1/namespaces/default/vpcs/vpc-1?fieldManager=kubectl-edit`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/merge-patch+json" },
      body: JSON.stringify({ spec: { subnets: { web: { dhcp: { enable: true } } } } }),
    });
    const again = await live(c);
    sim.faults.inject({ match: { verb: "patch" }, times: 10, fault: { type: "status", code: 422, message: "the server rejected our request due to an error in our request" } });
    await expect(makeEqual(c, { kind: VPC, namespace: "default", name: "vpc-1", desired, live: again, drift: diffResource(desired, again, { catalog }) }, catalog)).rejects.toThrow(ClusterConflictError);
  });
});
