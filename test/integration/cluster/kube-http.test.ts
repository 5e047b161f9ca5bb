// Our REST transport against the simulated API server: API Priority and Fairness 429s are waited out
// as Retry-After asks and nothing is lost; a Retry-After longer than we wait in-process fails the
// request as retryable; the client paces itself; no redirect is followed; the host guard holds for
// every request; client certificates and a tls-server-name are read from the kubeconfig.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeconfigYaml, startKubeSim, type KubeSim } from "../../../infra/local/kube-sim/index.js";
import { projectCrds } from "../../../infra/local/simulated-cluster.js";
import { connectCluster, type FabricCluster } from "../../../lib/cluster/client.js";
import { ClusterRejectedError, ClusterUnavailableError } from "../../../lib/cluster/errors.js";
import { loadKubeconfig } from "../../../lib/cluster/kubeconfig.js";
import { managedKinds } from "../../../lib/hedgehog/index.js";
import { HostNotAllowedError } from "../../../lib/net/errors.js";
import { createSecretStore } from "../../../lib/secrets/index.js";
import { LOOPBACK_HOSTS } from "../../support/trust.js";

const VPC = managedKinds.find((k) => k.kind === "VPC")!;
const vpc = (name: string) => ({
  apiVersion: "vpc.githedgehog.com/v1beta1",
  kind: "VPC",
  metadata: { name, namespace: "default" },
  spec: { subnets: { default: { subnet: "10.0.1.0/24", gateway: "10.0.1.1", vlan: 1001 } } },
});

describe("the Kubernetes REST transport", () => {
  let sim: KubeSim;
  const env: Record<string, string> = {};

  beforeAll(async () => {
    sim = await startKubeSim({ crds: projectCrds(), token: "t" });
    env.HH_GITOPS_SECRET_KUBECONFIG = kubeconfigYaml({ server: sim.url, token: "t" });
  });
  afterAll(() => sim.close());

  const connect = (rateLimit?: { qps: number; burst?: number }): Promise<FabricCluster> =>
    connectCluster(
      { kubeconfig: "env:HH_GITOPS_SECRET_KUBECONFIG", namespace: "default", ...(rateLimit ? { rateLimit } : {}) },
      { secrets: createSecretStore({ policy: { deployment: "local", secretNamePrefix: "hedgehog-gitops", secretsDir: "/nonexistent" }, env }).forFabric("f"), hosts: LOOPBACK_HOSTS },
    );

  it("waits out API Priority and Fairness 429s as Retry-After asks, and loses nothing", async () => {
    const cluster = await connect({ qps: 1000 });
    sim.requests.reset();
    sim.flowControl.set({ qps: 8, burst: 8, retryAfterSeconds: 1 });
    try {
      const applied = await Promise.all(Array.from({ length: 20 }, (_, i) => cluster.apply(VPC, vpc(`throttled-${i}`))));
      expect(applied.map((o) => o.metadata.name)).toEqual(Array.from({ length: 20 }, (_, i) => `throttled-${i}`));
    } finally {
      sim.flowControl.set(null);
    }
    const applies = sim.requests.entries({ verb: "apply" });
    expect(applies.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    // Each object was written exactly once: one 2xx apply per name.
    const written = applies.filter((r) => r.status >= 200 && r.status < 300).map((r) => r.name);
    expect(written.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `throttled-${i}`).sort());
    expect(cluster.traffic()).toMatchObject({ requests: applies.length, throttled: applies.length - 20 });
  });

  it("fails a request as retryable when the server asks for a longer wait than is waited in-process", async () => {
    const cluster = await connect();
    sim.faults.inject({ match: { verb: "list" }, fault: { type: "status", code: 429, retryAfterSeconds: 120 } });
    await expect(cluster.list(VPC, "default")).rejects.toThrow(ClusterUnavailableError);
    expect(cluster.traffic().throttled).toBe(1);
  });

  it("paces itself at the fabric's rate: a burst goes at once, the rest waits", async () => {
    const cluster = await connect({ qps: 50, burst: 5 });
    await Promise.all(Array.from({ length: 15 }, () => cluster.list(VPC, "default")));
    // 10 requests beyond the burst at 50 a second wait 20, 40, ... 200 ms: 1,100 ms together.
    expect(cluster.traffic().requests).toBe(15);
    expect(cluster.traffic().waitedMs).toBeGreaterThanOrEqual(1000);
  });

  describe("against a server that redirects", () => {
    let server: Server;
    let url: string;
    const seen: string[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        seen.push(req.url ?? "");
        res.writeHead(302, { location: `${url}/elsewhere` }).end();
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("does not follow it: the answer is an error and nothing else is requested", async () => {
      env.HH_GITOPS_SECRET_KUBECONFIG_REDIRECT = kubeconfigYaml({ server: url, token: "t" });
      const cluster = await connectCluster(
        { kubeconfig: "env:HH_GITOPS_SECRET_KUBECONFIG_REDIRECT", namespace: "default" },
        { secrets: createSecretStore({ policy: { deployment: "local", secretNamePrefix: "hedgehog-gitops", secretsDir: "/nonexistent" }, env }).forFabric("f"), hosts: LOOPBACK_HOSTS },
      );
      await expect(cluster.list(VPC, "default")).rejects.toThrow(ClusterRejectedError);
      expect(seen).toEqual(["/apis/vpc.githedgehog.com/v1beta1/namespaces/default/vpcs?limit=10000"]);
    });
  });

  it("refuses a server off the allow-list before any request", () => {
    expect(() => loadKubeconfig(kubeconfigYaml({ server: "https://kube.example.com", token: "t" }), "cluster.kubeconfig", LOOPBACK_HOSTS)).toThrow(HostNotAllowedError);
  });

  it("reads client certificates, basic auth and tls-server-name from the current context", () => {
    const pem = (what: string) => `-----BEGIN ${what}-----\nAAAA\n-----END ${what}-----\n`;
    const b64 = (text: string) => Buffer.from(text).toString("base64");
    const text = [
      "apiVersion: v1",
      "kind: Config",
      "current-context: b",
      "clusters:",
      "- name: a",
      "  cluster: { server: 'https://127.0.0.1:1' }",
      `- name: b`,
      `  cluster: { server: 'https://127.0.0.1:2', certificate-authority-data: ${b64(pem("CERTIFICATE"))}, tls-server-name: kubernetes }`,
      "users:",
      `- name: b`,
      `  user: { client-certificate-data: ${b64(pem("CERTIFICATE"))}, client-key-data: ${b64(pem("PRIVATE KEY"))} }`,
      "- name: c",
      "  user: { username: admin, password: secret }",
      "contexts:",
      "- name: a",
      "  context: { cluster: a, user: c }",
      "- name: b",
      "  context: { cluster: b, user: b }",
    ].join("\n");
    expect(loadKubeconfig(text, "cluster.kubeconfig", LOOPBACK_HOSTS)).toEqual({
      server: "https://127.0.0.1:2",
      ca: pem("CERTIFICATE"),
      tlsServerName: "kubernetes",
      cert: pem("CERTIFICATE"),
      key: pem("PRIVATE KEY"),
    });
    expect(loadKubeconfig(text.replace("current-context: b", "current-context: a"), "cluster.kubeconfig", LOOPBACK_HOSTS)).toEqual({
      server: "https://127.0.0.1:1",
      username: "admin",
      password: "secret",
    });
    expect(() => loadKubeconfig(text.replace("current-context: b", "current-context: z"), "cluster.kubeconfig", LOOPBACK_HOSTS)).toThrow(/current-context names no context/);
  });
});
