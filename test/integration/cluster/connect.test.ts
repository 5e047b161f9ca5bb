// lib/cluster's client against the simulated API server: kubeconfig by secret reference (a file under the
// data dir's secrets/, a variable), list/apply/delete, and how failures are classified.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKubeSim, kubeconfigYaml, writeKubeconfig, type KubeSim } from "../../../infra/local/kube-sim/index.js";
import { projectCrds } from "../../../infra/local/simulated-cluster.js";
import { connectCluster } from "../../../lib/cluster/client.js";
import { ClusterAuthenticationError, ClusterConfigError, ClusterRejectedError, ClusterUnavailableError } from "../../../lib/cluster/errors.js";
import { managedKinds } from "../../../lib/hedgehog/index.js";
import { SecretNotFoundError, SecretReferenceError } from "../../../lib/secrets/index.js";
import { LOOPBACK_HOSTS } from "../../support/trust.js";
import { createSecretStore } from "../../../lib/secrets/index.js";

const VPC = managedKinds.find((k) => k.kind === "VPC")!;
const vpc = (name: string, vlan: number) => ({
  apiVersion: "vpc.githedgehog.com/v1beta1",
  kind: "VPC",
  metadata: { name, namespace: "default" },
  spec: { subnets: { default: { subnet: "10.0.1.0/24", gateway: "10.0.1.1", vlan } } },
});

describe("connectCluster", () => {
  let sim: KubeSim;
  let dir: string;
  const env: Record<string, string> = {};
  let deps: Parameters<typeof connectCluster>[1];

  beforeAll(async () => {
    sim = await startKubeSim({ crds: projectCrds(), token: "right-token" });
    dir = mkdtempSync(join(tmpdir(), "hh-kubeconfig-"));
    await writeKubeconfig(join(dir, "secrets", "kubeconfig"), { server: sim.url, token: "right-token" });
    env.HH_GITOPS_SECRET_FABRIC_KUBECONFIG = kubeconfigYaml({ server: sim.url, token: "right-token" });
    env.HH_GITOPS_SECRET_WRONG_KUBECONFIG = kubeconfigYaml({ server: sim.url, token: "wrong-token" });
    const store = createSecretStore({ policy: { deployment: "local", secretNamePrefix: "hedgehog-gitops", secretsDir: join(dir, "secrets") }, env });
    deps = { secrets: store.forFabric("fabric-1"), hosts: LOOPBACK_HOSTS };
  });
  afterAll(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("connects through a kubeconfig file under the data dir's secrets/ and applies with our field manager, then lists and deletes", async () => {
    const cluster = await connectCluster({ kubeconfig: `file:${join(dir, "secrets", "kubeconfig")}`, namespace: "default" }, deps);
    const applied = await cluster.apply(VPC, vpc("vpc-1", 1001));
    expect((applied.metadata as unknown as { managedFields: { manager: string }[] }).managedFields.map((m) => m.manager)).toEqual(["hedgehog-gitops"]);
    expect((await cluster.list(VPC, "default")).map((o) => o.metadata.name)).toEqual(["vpc-1"]);
    await cluster.delete(VPC, "default", "vpc-1");
    await cluster.delete(VPC, "default", "vpc-1"); // already gone is fine
    expect(await cluster.list(VPC, "default")).toEqual([]);
  });

  it("connects through a secret reference", async () => {
    const cluster = await connectCluster({ kubeconfig: "env:HH_GITOPS_SECRET_FABRIC_KUBECONFIG", namespace: "default" }, deps);
    expect(await cluster.list(VPC, "default")).toEqual([]);
  });

  it("says what is wrong with the configuration", async () => {
    await expect(connectCluster({ kubeconfig: `file:${join(dir, "secrets", "missing")}`, namespace: "default" }, deps)).rejects.toThrow(SecretNotFoundError);
    await expect(connectCluster({ kubeconfig: join(dir, "secrets", "kubeconfig"), namespace: "default" }, deps)).rejects.toThrow(SecretReferenceError);
    await expect(connectCluster({ simulated: true }, deps)).rejects.toThrow(ClusterConfigError);
    await expect(connectCluster({ simulated: true }, deps)).rejects.toThrow(/no simulated cluster/);
    const wrong = await connectCluster({ kubeconfig: "env:HH_GITOPS_SECRET_WRONG_KUBECONFIG", namespace: "default" }, deps);
    await expect(wrong.list(VPC, "default")).rejects.toThrow(ClusterAuthenticationError);
  });

  it("classifies a schema rejection as terminal and a 503 as retryable", async () => {
    const cluster = await connectCluster({ kubeconfig: "env:HH_GITOPS_SECRET_FABRIC_KUBECONFIG", namespace: "default" }, deps);
    await expect(cluster.apply(VPC, { ...vpc("vpc-2", 1002), spec: { subnets: { default: { vlan: "not a number" } } } })).rejects.toThrow(ClusterRejectedError);
    sim.faults.inject({ match: { verb: "list" }, fault: { type: "status", code: 503 } });
    await expect(cluster.list(VPC, "default")).rejects.toThrow(ClusterUnavailableError);
  });
});
