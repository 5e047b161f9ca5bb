// Adopt end to end on the local stack (issue #14, DESIGN §15): a fabric whose cluster holds 40 objects
// that Git does not (an installer's namespaces and hand-made VPCs) writes them into managed/ in one
// commit (git provider, direct) or one pull request (github provider; a plain Git remote's branch is
// covered by the drafts test), and the sync after it finds every one synced and From Git with no write
// to the cluster; prune, on throughout, never touches them.
import { CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { waitForIdle, waitForRun } from "../support/local-stack.js";
import { git } from "../support/seed-repo.js";
import { fixture, writeBackEnvironment, type WriteBackEnvironment } from "../support/write-back-env.js";

// Many runs and cluster reads per test: a few seconds alone, much longer on 2 loaded cores (the whole suite).
vi.setConfig({ testTimeout: 180_000 });

const VPC_API = "vpc.githedgehog.com/v1beta1";
const WIRING_API = "wiring.githedgehog.com/v1beta1";
const HANDMADE_VPCS = 38;
const READS = new Set<string | undefined>(["get", "list", "watch"]);

/** The 40 cluster-only objects: what an installer and an operator with kubectl made. */
function clusterOnlyObjects(): { plural: string; body: { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: unknown } }[] {
  const namespaces = [
    { plural: "vlannamespaces", body: { apiVersion: WIRING_API, kind: "VLANNamespace", metadata: { name: "default", namespace: "default" }, spec: { ranges: [{ from: 1000, to: 2999 }] } } },
    { plural: "ipv4namespaces", body: { apiVersion: VPC_API, kind: "IPv4Namespace", metadata: { name: "default", namespace: "default" }, spec: { subnets: ["10.0.0.0/8"] } } },
  ];
  const vpcs = Array.from({ length: HANDMADE_VPCS }, (_, i) => ({
    plural: "vpcs",
    body: {
      apiVersion: VPC_API,
      kind: "VPC",
      metadata: { name: `handmade-${String(i).padStart(2, "0")}`, namespace: "default" },
      spec: { subnets: { web: { subnet: `10.1.${i}.0/24`, gateway: `10.1.${i}.1`, vlan: 2000 + i } } },
    },
  }));
  return [...namespaces, ...vpcs];
}

describe.each([
  ["git", "direct"],
  ["github", "pull-request"],
] as const)("adopt a fabric's cluster-only objects (%s provider, %s)", (provider, writeBack) => {
  let env: WriteBackEnvironment;

  beforeAll(async () => {
    env = await writeBackEnvironment(provider);
  });
  afterAll(async () => {
    await env?.close();
  });

  it("40 objects the cluster holds and Git does not: one commit or pull request with 40 files, then synced and From Git with no write to the cluster", async () => {
    const { stack, kube } = env;
    const { repo, directory } = await env.fabric("adopt", writeBack, {
      "raw/prepop.yaml": fixture("hedgehog/samples/vlab-wiring-prepop.yaml"),
      "raw/test-vpc.yaml": fixture("hedgehog/samples/hnp-raw-test-vpc.yaml"),
    });
    expect((await env.sync("adopt")).status).toBe("succeeded");
    const kc = new KubeConfig();
    kc.loadFromOptions(kube.kubeconfigOptions());
    const api = kc.makeApiClient(CustomObjectsApi);
    const objects = clusterOnlyObjects();
    for (const { plural, body } of objects) {
      const [group = "", version = ""] = body.apiVersion.split("/");
      await api.createNamespacedCustomObject({ group, version, namespace: "default", plural, body });
    }
    kube.requests.reset();
    const writes = () => kube.requests.entries().filter((r) => !READS.has(r.verb)).map((r) => `${r.verb} ${r.resource}/${r.name}`);

    // A sync finds them: cluster-only, orphaned, and left alone by prune (they carry no tracking annotation).
    const seen = await env.sync("adopt");
    expect(seen.status).toBe("succeeded");
    const orphans = (await stack.api("/fabrics/adopt/resources?state=orphaned&source=cluster")).body.items as { kind: string; name: string; attribution: { source: string } }[];
    expect(orphans).toHaveLength(40);
    expect(orphans.every((o) => o.attribution.source === "cluster")).toBe(true);
    expect(writes()).toEqual([]);

    // Only cluster-only objects are adopted.
    const refused = await stack.api("/fabrics/adopt/adopt", { method: "POST", body: { resources: [{ kind: "vpcs", name: "test-vpc" }, { kind: "vpcs", name: "handmade-00" }] } });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([expect.objectContaining({ pointer: "/resources/0", message: expect.stringContaining("is not a cluster-only object (state synced") })]);

    const head = repo.head();
    const started = await stack.api("/fabrics/adopt/adopt", { method: "POST", body: {} });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body).toMatchObject({ writeBack, selected: 40 });
    const run = await waitForRun(stack, "adopt", started.body.runId);
    expect(run).toMatchObject({ status: "succeeded", kind: "adopt", chain: ["adopt", "ingest", "reconcile"], actors: ["local"] });
    expect(run.stages.adopt.counts).toMatchObject({ selected: 40, adopted: 40, refused: 0, skipped: 0, files: 40 });
    const detail = run.stages.adopt.detail;
    const commit = detail.commit as string;
    const branch = writeBack === "direct" ? "main" : `hedgehog-gitops/adopt-${run.runId}`;
    expect(detail).toMatchObject({ writeBack, branch });
    // One commit with the 40 files, on the branch or on its own.
    expect(git(repo.bare, "rev-parse", branch).trim()).toBe(commit);
    expect(git(repo.bare, "rev-parse", `${commit}^`).trim()).toBe(head);
    const files = git(repo.bare, "diff", "--name-status", head, commit).trim().split("\n");
    expect(files).toHaveLength(40);
    expect(files.every((line) => line.startsWith(`A\t${directory}/managed/`))).toBe(true);
    expect(files).toContain(`A\t${directory}/managed/vlannamespaces/default.yaml`);
    expect(git(repo.bare, "log", "-1", "--format=%s", commit).trim()).toBe(`hedgehog-gitops: adopt 40 objects from the cluster into ${directory}`);
    // As Git holds a resource: no status, no server metadata, no tracking annotation.
    const adopted = git(repo.bare, "show", `${commit}:${directory}/managed/vpcs/handmade-07.yaml`);
    expect(adopted).toBe(`apiVersion: vpc.githedgehog.com/v1beta1
kind: VPC
metadata:
  name: handmade-07
  namespace: default
spec:
  subnets:
    web:
      gateway: 10.1.7.1
      subnet: 10.1.7.0/24
      vlan: 2007
`);

    if (writeBack === "direct") {
      expect(repo.head()).toBe(commit);
    } else {
      // Nothing lands until the pull request is merged.
      expect(repo.head()).toBe(head);
      expect((await env.resource("adopt", "vpcs", "handmade-07")).state).toBe("orphaned");
      expect(detail.pullRequest).toEqual({ number: 1, url: `${env.github!.url}/acme/adopt/pull/1` });
      const pull = await env.githubCall("adopt", "GET", "/pulls/1");
      expect(pull.body).toMatchObject({ state: "open", changed_files: 40, head: { ref: branch }, base: { ref: "main" } });
      const merged = await env.githubCall("adopt", "PUT", "/pulls/1/merge", {});
      expect(merged.status).toBe(200);
      await waitForRun(stack, "adopt", await env.deliverPush("adopt", repo, head, merged.body.sha));
      await waitForIdle(stack, "adopt");
    }
    const landed = repo.head();
    // The sync after it: every one synced and From Git, attributed to the commit that landed them; no write to the cluster.
    const check = async () => {
      for (const { plural, body } of objects) {
        expect(await env.resource("adopt", plural, body.metadata.name), `${plural}/${body.metadata.name}`).toMatchObject({ state: "synced", fromGit: true, drift: [], attribution: { source: "git", gitCommitSha: landed } });
      }
    };
    await check();
    expect(writes()).toEqual([]);
    const again = await env.sync("adopt");
    expect(again.stages.reconcile.counts).toMatchObject({ applied: 0, pruned: 0 });
    await check();
    expect(writes()).toEqual([]);
    for (const { plural, body } of objects) expect(kube.objects({ resource: plural }).some((o) => (o.metadata as { name: string }).name === body.metadata.name)).toBe(true);
    // Nothing is left to adopt.
    expect((await stack.api("/fabrics/adopt/adopt", { method: "POST", body: {} })).status).toBe(409);
  });
});
