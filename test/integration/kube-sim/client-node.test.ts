// The production client, @kubernetes/client-node 1.4, against the simulator: configured from the
// simulator's kubeconfig (object and file), listing, creating and server-side applying through
// CustomObjectsApi and KubernetesObjectApi (which runs API discovery first), and seeing failures
// as ApiException with the status code.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiException, CustomObjectsApi, KubeConfig, KubernetesObjectApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import type { KubernetesObject } from "@kubernetes/client-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startKubeSim, writeKubeconfig } from "../../../infra/local/kube-sim/index.js";
import type { KubeSim } from "../../../infra/local/kube-sim/index.js";
import { hedgehogCrds } from "./crds.js";

const VPC = { group: "vpc.githedgehog.com", version: "v1beta1", plural: "vpcs" } as const;

function vpc(name: string, vlan: number): KubernetesObject & Record<string, unknown> {
  return {
    apiVersion: "vpc.githedgehog.com/v1beta1",
    kind: "VPC",
    metadata: { name, namespace: "default", labels: { "app.kubernetes.io/managed-by": "hedgehog-gitops" } },
    spec: { subnets: { default: { subnet: "10.0.1.0/24", gateway: "10.0.1.1", vlan } } },
  };
}

function leaf(name: string): KubernetesObject & Record<string, unknown> {
  return {
    apiVersion: "wiring.githedgehog.com/v1beta1",
    kind: "Switch",
    metadata: { name, namespace: "default" },
    spec: { boot: { mac: "0c:20:12:ff:00:00" }, profile: "vs", role: "server-leaf", redundancy: {} },
  };
}

async function failureOf(promise: Promise<unknown>): Promise<ApiException<string>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiException) return error as ApiException<string>;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("@kubernetes/client-node against kube-sim", () => {
  let sim: KubeSim;
  let kc: KubeConfig;

  beforeAll(async () => {
    sim = await startKubeSim({ crds: hedgehogCrds, token: "client-test-token" });
    kc = new KubeConfig();
    kc.loadFromOptions(sim.kubeconfigOptions());
  });

  afterAll(async () => {
    await sim.close();
  });

  beforeEach(() => {
    sim.requests.reset();
  });

  it("lists, creates and server-side applies through CustomObjectsApi", async () => {
    const api = kc.makeApiClient(CustomObjectsApi);
    const empty = (await api.listNamespacedCustomObject({ ...VPC, namespace: "default" })) as { items: unknown[]; metadata: { resourceVersion: string } };
    expect(empty.items).toEqual([]);
    expect(empty.metadata.resourceVersion).toBe(sim.resourceVersion());

    const created = (await api.createNamespacedCustomObject({ ...VPC, namespace: "default", body: vpc("vpc-1", 1001) })) as KubernetesObject;
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);

    const applied = (await api.patchNamespacedCustomObject(
      { ...VPC, namespace: "default", name: "vpc-1", body: vpc("vpc-1", 1002), fieldManager: "hedgehog-gitops", force: true },
      setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
    )) as { spec: { subnets: { default: { vlan: number } } }; metadata: { generation: number; managedFields: { manager: string; operation: string }[] } };
    expect(applied.spec.subnets.default.vlan).toBe(1002);
    expect(applied.metadata.generation).toBe(2);
    expect(applied.metadata.managedFields.map((m) => `${m.manager}/${m.operation}`)).toEqual(["hedgehog-gitops/Apply", "node-fetch/Update"]);

    const listed = (await api.listNamespacedCustomObject({ ...VPC, namespace: "default", labelSelector: "app.kubernetes.io/managed-by=hedgehog-gitops" })) as {
      items: { metadata: { name: string } }[];
    };
    expect(listed.items.map((i) => i.metadata.name)).toEqual(["vpc-1"]);

    const apply = sim.requests.entries({ verb: "apply" });
    expect(apply).toHaveLength(1);
    expect(apply[0]).toMatchObject({ method: "PATCH", resource: "vpcs", name: "vpc-1", fieldManager: "hedgehog-gitops", status: 200, query: { force: "true" } });
  });

  it("reports conflicts and validation failures as ApiException with the Status body", async () => {
    const api = kc.makeApiClient(CustomObjectsApi);
    await api.createNamespacedCustomObject({ ...VPC, namespace: "default", body: vpc("vpc-2", 1003) });
    const exists = await failureOf(api.createNamespacedCustomObject({ ...VPC, namespace: "default", body: vpc("vpc-2", 1003) }));
    expect(exists.code).toBe(409);
    expect(JSON.parse(exists.body)).toMatchObject({ reason: "AlreadyExists", details: { name: "vpc-2", kind: "vpcs" } });

    const bad = vpc("vpc-3", 1004);
    (bad["spec"] as { subnets: { default: Record<string, unknown> } }).subnets.default["vlan"] = "not-a-number";
    const invalid = await failureOf(api.createNamespacedCustomObject({ ...VPC, namespace: "default", body: bad }));
    expect(invalid.code).toBe(422);
    expect(JSON.parse(invalid.body)).toMatchObject({ reason: "Invalid", details: { causes: [{ field: "spec.subnets.default.vlan" }] } });
  });

  it("applies through KubernetesObjectApi, which runs discovery first", async () => {
    const api = KubernetesObjectApi.makeApiClient(kc);
    const created = await api.patch(leaf("leaf-1"), undefined, undefined, "hedgehog-gitops", true, PatchStrategy.ServerSideApply);
    expect(created.metadata?.resourceVersion).toBe(sim.resourceVersion());

    const read = (await api.read({ apiVersion: "wiring.githedgehog.com/v1beta1", kind: "Switch", metadata: { name: "leaf-1", namespace: "default" } })) as KubernetesObject & {
      spec: { role: string };
    };
    expect(read.spec.role).toBe("server-leaf");

    const list = await api.list("wiring.githedgehog.com/v1beta1", "Switch", "default");
    expect(list.items.map((i) => i.metadata?.name)).toEqual(["leaf-1"]);

    expect(sim.requests.entries().some((r) => r.path === "/apis/wiring.githedgehog.com/v1beta1" && r.status === 200)).toBe(true);

    await api.delete(leaf("leaf-1"));
    expect(sim.objects({ resource: "switches" })).toEqual([]);
  });

  it("sees injected faults as the status the client would get from a real cluster", async () => {
    const api = kc.makeApiClient(CustomObjectsApi);
    sim.faults.inject({ match: { verb: "list", resource: "vpcs" }, fault: { type: "status", code: 429, retryAfterSeconds: 2 } });
    const throttled = await failureOf(api.listNamespacedCustomObject({ ...VPC, namespace: "default" }));
    expect(throttled.code).toBe(429);
    expect(throttled.headers["retry-after"]).toBe("2");
    expect(JSON.parse(throttled.body)).toMatchObject({ reason: "TooManyRequests", details: { retryAfterSeconds: 2 } });
    await expect(api.listNamespacedCustomObject({ ...VPC, namespace: "default" })).resolves.toBeDefined();
    expect(sim.requests.entries({ verb: "list" }).map((r) => [r.status, r.fault])).toEqual([
      [429, "status"],
      [200, undefined],
    ]);
  });

  it("works from a kubeconfig file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kube-sim-"));
    try {
      const path = join(dir, "kubeconfig");
      await writeKubeconfig(path, { server: sim.url, token: sim.token, namespace: "default" });
      const fromFile = new KubeConfig();
      fromFile.loadFromFile(path);
      expect(fromFile.getCurrentCluster()?.server).toBe(sim.url);
      const list = await KubernetesObjectApi.makeApiClient(fromFile).list("vpc.githedgehog.com/v1beta1", "VPC", "default");
      expect(list.items.length).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("is refused with a wrong token", async () => {
    const wrong = new KubeConfig();
    wrong.loadFromOptions({ ...sim.kubeconfigOptions(), users: [{ name: "kube-sim", token: "wrong" }] });
    const denied = await failureOf(wrong.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ ...VPC, namespace: "default" }));
    expect(denied.code).toBe(401);
  });
});
