// The simulated cluster over HTTPS with its own CA (what the local stack runs): @kubernetes/client-node
// connects from the kubeconfig without skipping verification, a client that trusts another CA is
// refused, and kubectl works from the same kubeconfig file when it is installed.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClusterTls, startKubeSim, writeKubeconfig, type KubeSim } from "../../../infra/local/kube-sim/index.js";
import { hedgehogCrds } from "./crds.js";

const run = promisify(execFile);
const VPCS = { group: "vpc.githedgehog.com", version: "v1beta1", plural: "vpcs", namespace: "default" } as const;
const kubectl = ["/usr/bin/kubectl", "/usr/local/bin/kubectl"].find((p) => existsSync(p));

describe("kube-sim over HTTPS with its own CA", () => {
  let sim: KubeSim;
  let dir: string;
  let kubeconfigPath: string;
  const tls = createClusterTls();

  beforeAll(async () => {
    sim = await startKubeSim({ crds: hedgehogCrds, token: "tls-test-token", tls });
    dir = await mkdtemp(join(tmpdir(), "kube-sim-tls-"));
    kubeconfigPath = join(dir, "kubeconfig");
    await writeKubeconfig(kubeconfigPath, { server: sim.url, token: sim.token, certificateAuthority: tls.ca });
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("serves https, and the kubeconfig trusts its CA instead of skipping verification", () => {
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const cluster = sim.kubeconfig().clusters[0]!.cluster;
    expect(cluster["insecure-skip-tls-verify"]).toBeUndefined();
    expect(Buffer.from(cluster["certificate-authority-data"]!, "base64").toString()).toBe(tls.ca);
  });

  it("lets @kubernetes/client-node list through the kubeconfig file", async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    expect(kc.getCurrentCluster()?.skipTLSVerify).toBeFalsy();
    const list = (await kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject(VPCS)) as { items: unknown[] };
    expect(list.items).toEqual([]);
  });

  it("is refused by a client that trusts another CA", async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions(sim.kubeconfigOptions());
    kc.clusters[0] = { ...kc.clusters[0]!, caData: Buffer.from(createClusterTls().ca).toString("base64") };
    await expect(kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject(VPCS)).rejects.toThrow(/certificate|self.signed|verify/i);
  });

  it.skipIf(!kubectl)("works with kubectl from the same kubeconfig", async () => {
    const { stdout } = await run(kubectl!, ["--kubeconfig", kubeconfigPath, "get", "vpcs", "-o", "name"], { timeout: 30_000 });
    expect(stdout).toBe("");
  });
});
