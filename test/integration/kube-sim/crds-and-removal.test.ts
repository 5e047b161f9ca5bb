// Beyond the recorded transcripts, with the real server's semantics: the simulator serves its CRDs
// as kube-apiserver's apiextensions server does (list and get, metadata-only lists, discovery, a new
// set after an "upgrade"), and removes fields by JSON patch guarded by a `test` of the
// resourceVersion — a failed test or a missing path answered like kube-transcripts
// 07-merge-patch step 10 (422, the generic message, empty details).

import { ApiException, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import { startKubeSim } from "../../../infra/local/kube-sim/index.js";
import type { KubeSim } from "../../../infra/local/kube-sim/index.js";
import { fabricMainCrds } from "../../support/crd-sets.js";
import { hedgehogCrds } from "./crds.js";

const TOKEN = "crd-token";
const CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
const VPCS = "/apis/vpc.githedgehog.com/v1beta1/namespaces/default/vpcs";
const SWITCHES = "/apis/wiring.githedgehog.com/v1beta1/namespaces/default/switches";
const METADATA_ONLY = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";

const sims: KubeSim[] = [];
async function start(crds: readonly object[] = hedgehogCrds, initialResourceVersion?: number): Promise<KubeSim> {
  const sim = await startKubeSim({ crds, token: TOKEN, ...(initialResourceVersion ? { initialResourceVersion } : {}) });
  sims.push(sim);
  return sim;
}
afterEach(async () => {
  await Promise.all(sims.splice(0).map((sim) => sim.close()));
});

interface Answer {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON under test
}
async function call(sim: KubeSim, method: string, path: string, options: { body?: unknown; contentType?: string; accept?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}`, accept: options.accept ?? "application/json" };
  if (options.body !== undefined) headers["content-type"] = options.contentType ?? "application/json";
  const res = await fetch(`${sim.url}${path}`, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get("content-type"), body: text.startsWith("{") ? JSON.parse(text) : { text } };
}

describe("CustomResourceDefinitions, served", () => {
  it("lists them as a built-in type: CustomResourceDefinitionList, items without apiVersion/kind, the store's revision", async () => {
    const sim = await start(hedgehogCrds, 1000);
    const list = await call(sim, "GET", CRDS);
    expect(list.status).toBe(200);
    expect(list.contentType).toBe("application/json");
    expect(list.body).toMatchObject({ kind: "CustomResourceDefinitionList", apiVersion: "apiextensions.k8s.io/v1", metadata: { resourceVersion: "1000" } });
    expect(list.body["metadata"]).not.toHaveProperty("continue");
    const items = list.body["items"] as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON
    expect(items).toHaveLength(19);
    expect(items.map((i) => i["metadata"]["name"])).toContain("vpcs.vpc.githedgehog.com");
    expect(items.every((i) => !("kind" in i) && !("apiVersion" in i))).toBe(true);
    // They predate the store's window: resourceVersions end at the initial revision.
    expect(items.map((i) => Number(i["metadata"]["resourceVersion"])).sort((a, b) => a - b)).toEqual(Array.from({ length: 19 }, (_, i) => 982 + i));
    const vpcs = items.find((i) => i["metadata"]["name"] === "vpcs.vpc.githedgehog.com")!;
    expect(vpcs).toMatchObject({
      metadata: { generation: 1, uid: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      spec: { group: "vpc.githedgehog.com", scope: "Namespaced", conversion: { strategy: "None" }, names: { kind: "VPC", listKind: "VPCList", plural: "vpcs", singular: "vpc" } },
      status: {
        acceptedNames: { kind: "VPC", plural: "vpcs" },
        conditions: [
          { type: "NamesAccepted", status: "True", reason: "NoConflicts" },
          { type: "Established", status: "True", reason: "InitialNamesAccepted" },
        ],
        storedVersions: ["v1beta1"],
      },
    });
  });

  it("gets one, and answers a missing one with the NotFound Status", async () => {
    const sim = await start();
    const one = await call(sim, "GET", `${CRDS}/switches.wiring.githedgehog.com`);
    expect(one.body).toMatchObject({ kind: "CustomResourceDefinition", apiVersion: "apiextensions.k8s.io/v1", metadata: { name: "switches.wiring.githedgehog.com" } });
    const missing = await call(sim, "GET", `${CRDS}/nopes.vpc.githedgehog.com`);
    expect(missing).toMatchObject({ status: 404, contentType: "application/json" });
    expect(missing.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'customresourcedefinitions.apiextensions.k8s.io "nopes.vpc.githedgehog.com" not found',
      reason: "NotFound",
      details: { name: "nopes.vpc.githedgehog.com", group: "apiextensions.k8s.io", kind: "customresourcedefinitions" },
      code: 404,
    });
  });

  it("answers a metadata-only list as PartialObjectMetadataList", async () => {
    const sim = await start();
    const list = await call(sim, "GET", CRDS, { accept: `${METADATA_ONLY}, application/json` });
    expect(list.contentType).toBe(METADATA_ONLY);
    expect(list.body).toMatchObject({ kind: "PartialObjectMetadataList", apiVersion: "meta.k8s.io/v1", metadata: { resourceVersion: sim.resourceVersion() } });
    const item = (list.body["items"] as Record<string, unknown>[])[0]!;
    expect(Object.keys(item).sort()).toEqual(["apiVersion", "kind", "metadata"]);
    expect(item).toMatchObject({ kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: { name: "connections.wiring.githedgehog.com" } });
  });

  it("is discoverable, serves reads only, and needs a token like everything else", async () => {
    const sim = await start();
    const groups = await call(sim, "GET", "/apis");
    expect((groups.body["groups"] as { name: string }[]).map((g) => g.name)).toContain("apiextensions.k8s.io");
    const resources = await call(sim, "GET", "/apis/apiextensions.k8s.io/v1");
    expect(resources.body["resources"]).toMatchObject([{ name: "customresourcedefinitions", namespaced: false, kind: "CustomResourceDefinition", shortNames: ["crd", "crds"] }]);
    expect((await call(sim, "DELETE", `${CRDS}/vpcs.vpc.githedgehog.com`)).status).toBe(405);
    const anonymous = await fetch(`${sim.url}${CRDS}`);
    expect(anonymous.status).toBe(403);
  });

  it("serves another set after an upgrade: changed CRDs take new resourceVersions, and their schemas apply", async () => {
    const sim = await start();
    const before = await call(sim, "GET", CRDS, { accept: METADATA_ONLY });
    const rv = (body: Record<string, any>) => Object.fromEntries((body["items"] as { metadata: { name: string; resourceVersion: string } }[]).map((i) => [i.metadata.name, i.metadata.resourceVersion])); // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON
    const sw = { apiVersion: "wiring.githedgehog.com/v1beta1", kind: "Switch", metadata: { name: "leaf-1" }, spec: { role: "server-leaf", portFECs: { "E1/1": "rs" } } };
    const rejected = await call(sim, "PATCH", `${SWITCHES}/leaf-1?fieldManager=t`, { body: sw, contentType: "application/apply-patch+yaml" });
    expect(rejected.status).toBe(500);
    expect(rejected.body["message"]).toMatch(/\.spec\.portFECs: field not declared in schema/);

    sim.serveCrds(fabricMainCrds);
    const after = await call(sim, "GET", CRDS, { accept: METADATA_ONLY });
    const [old, now] = [rv(before.body), rv(after.body)];
    const changed = Object.keys(now).filter((name) => now[name] !== old[name]).sort();
    expect(changed).toEqual(["connections.wiring.githedgehog.com", "switches.wiring.githedgehog.com", "vpcpeerings.vpc.githedgehog.com"]);
    for (const name of changed) expect(Number(now[name])).toBeGreaterThan(Number(before.body["metadata"]["resourceVersion"]));
    expect(after.body["metadata"]["resourceVersion"]).toBe(sim.resourceVersion());
    expect((await call(sim, "GET", `${CRDS}/switches.wiring.githedgehog.com`)).body["metadata"]["generation"]).toBe(2);
    expect((await call(sim, "PATCH", `${SWITCHES}/leaf-1?fieldManager=t`, { body: sw, contentType: "application/apply-patch+yaml" })).status).toBe(201);
  });

  it("is read by @kubernetes/client-node's CustomObjectsApi as plain JSON, also metadata-only", async () => {
    const sim = await start();
    const kc = new KubeConfig();
    kc.loadFromOptions(sim.kubeconfigOptions());
    const api = kc.makeApiClient(CustomObjectsApi);
    const target = { group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions" };
    const full = (await api.listClusterCustomObject(target)) as { items: { spec: { versions: { schema: { openAPIV3Schema: Record<string, unknown> } }[] } }[] };
    expect(full.items[0]!.spec.versions[0]!.schema.openAPIV3Schema).toHaveProperty("properties");
    const partial = (await api.listClusterCustomObject(target, setHeaderOptions("Accept", METADATA_ONLY))) as { kind: string; items: unknown[] };
    expect(partial.kind).toBe("PartialObjectMetadataList");
    expect(partial.items).toHaveLength(19);
  });
});

describe("JSON patch remove, guarded by a test of the resourceVersion", () => {
  const vpc = {
    apiVersion: "vpc.githedgehog.com/v1beta1",
    kind: "VPC",
    metadata: { name: "test-vpc", namespace: "default" },
    spec: { subnets: { "test-subnet": { subnet: "10.0.1.0/24", gateway: "10.0.1.1", vlan: 1001 } } },
  };
  async function seeded(): Promise<{ sim: KubeSim; rv: string }> {
    const sim = await start();
    await call(sim, "PATCH", `${VPCS}/test-vpc?fieldManager=hedgehog-gitops&force=true`, { body: vpc, contentType: "application/apply-patch+yaml" });
    // Somebody adds a field by hand.
    const edited = await call(sim, "PATCH", `${VPCS}/test-vpc?fieldManager=kubectl-edit`, {
      body: { spec: { subnets: { "test-subnet": { dhcp: { enable: true } } } } },
      contentType: "application/merge-patch+json",
    });
    return { sim, rv: edited.body["metadata"]["resourceVersion"] as string };
  }
  const removal = (rv: string, ...paths: string[]) => [{ op: "test", path: "/metadata/resourceVersion", value: rv }, ...paths.map((path) => ({ op: "remove", path }))];

  it("removes the field when the object is as read: a new resourceVersion and generation, the hand editor's ownership gone", async () => {
    const { sim, rv } = await seeded();
    const done = await call(sim, "PATCH", `${VPCS}/test-vpc?fieldManager=hedgehog-gitops`, { body: removal(rv, "/spec/subnets/test-subnet/dhcp"), contentType: "application/json-patch+json" });
    expect(done.status).toBe(200);
    expect(done.body["spec"]).toEqual(vpc.spec);
    expect(Number(done.body["metadata"]["resourceVersion"])).toBeGreaterThan(Number(rv));
    expect(done.body["metadata"]["generation"]).toBe(3);
    expect((done.body["metadata"]["managedFields"] as { manager: string }[]).map((m) => m.manager)).toEqual(["hedgehog-gitops"]);
  });

  it("refuses the patch when the object changed since it was read: 422, generic message, empty details", async () => {
    const { sim, rv } = await seeded();
    await call(sim, "PATCH", `${VPCS}/test-vpc?fieldManager=kubectl-edit`, { body: { metadata: { labels: { x: "y" } } }, contentType: "application/merge-patch+json" });
    const stale = await call(sim, "PATCH", `${VPCS}/test-vpc?fieldManager=hedgehog-gitops`, { body: removal(rv, "/spec/subnets/test-subnet/dhcp"), contentType: "application/json-patch+json" });
    expect(stale).toMatchObject({ status: 422, contentType: "application/json" });
    expect(stale.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "the server rejected our request due to an error in our request",
      reason: "Invalid",
      details: {},
      code: 422,
    });
    expect((await call(sim, "GET", `${VPCS}/test-vpc`)).body["spec"]["subnets"]["test-subnet"]["dhcp"]).toEqual({ enable: true });
  });

  it("refuses the removal of a path that is not there, the same way", async () => {
    const { sim, rv } = await seeded();
    const missing = await call(sim, "PATCH", `${VPCS}/test-vpc`, { body: removal(rv, "/spec/subnets/test-subnet/isolated"), contentType: "application/json-patch+json" });
    expect(missing.status).toBe(422);
    expect(missing.body["details"]).toEqual({});
  });

  it("reaches @kubernetes/client-node as an ApiException 422", async () => {
    const { sim } = await seeded();
    const kc = new KubeConfig();
    kc.loadFromOptions(sim.kubeconfigOptions());
    const api = kc.makeApiClient(CustomObjectsApi);
    const error = await api
      .patchNamespacedCustomObject(
        { group: "vpc.githedgehog.com", version: "v1beta1", plural: "vpcs", namespace: "default", name: "test-vpc", body: removal("1", "/spec/subnets/test-subnet/dhcp") },
        setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ApiException);
    expect((error as ApiException<string>).code).toBe(422);
  });
});
