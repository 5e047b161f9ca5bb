// Pull-request checks end to end (DESIGN §17, issue #16): a signed pull_request delivery to the local
// stack → the webhook reads the pull request through the simulated GitHub → a run of kind check plans
// the head (ingest, and reconcile against the simulated cluster) → the result lands on the head commit:
// a check run with one annotation per finding (GitHub App credentials) or a commit status (a token).
// Nothing is committed to the fabric's branch, stored, or applied.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitHubSim, type GitHubSim, type SimCheckRun } from "../../infra/local/github-sim/index.js";
import type { KubeSim } from "../../infra/local/kube-sim/index.js";
import { deliveryHeaders, pullRequestPayload, testGitHubApp, type PullRequestDelivery } from "../support/pull-requests.js";
import { eventually, startTestStack, waitForIdle, waitForRun, type TestStack } from "../support/local-stack.js";
import { git, seedRepository, type SeededRepository } from "../support/seed-repo.js";

const SECRET = "pull-request-webhook-secret";
const FABRIC = "dc1";
const DIR = `gitops/hedgehog/${FABRIC}`;
const CHECK = `hedgehog-gitops / ${FABRIC}`;
const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");

const vpc = (name: string, subnet: string, gateway: string, vlan: number) => `apiVersion: vpc.githedgehog.com/v1beta1
kind: VPC
metadata:
  name: ${name}
spec:
  subnets:
    default:
      subnet: ${subnet}
      gateway: ${gateway}
      vlan: ${vlan}
`;
const connection = (switchPort: string) => `apiVersion: wiring.githedgehog.com/v1beta1
kind: Connection
metadata:
  name: server-03--unbundled--leaf-01-b
spec:
  unbundled:
    link:
      server:
        port: server-03/enp2s2
      switch:
        port: ${switchPort}
`;

describe("pull-request checks", () => {
  let stack: TestStack;
  let repo: SeededRepository;
  let github: GitHubSim;
  let kube: KubeSim;
  const app = testGitHubApp(4242, 77);
  const token = `ghp_${randomBytes(12).toString("hex")}`;

  const deliver = async (d: Omit<PullRequestDelivery, "owner" | "repo" | "baseRef">) => {
    const body = JSON.stringify(pullRequestPayload({ owner: "acme", repo: "fabric", baseRef: "main", ...d }));
    return stack.api("/webhooks/github", { method: "POST", body, headers: await deliveryHeaders(SECRET, "pull_request", body), auth: false });
  };
  /** Pushes to the pull request's branch as a person would; returns the new head. */
  const pushTo = (branch: string, files: Record<string, string | null>, message: string) => {
    repo.push(files, message, branch);
    return repo.head(branch);
  };
  const checkRunsOn = (sha: string, name = CHECK): SimCheckRun[] => github.feedback.checkRuns.filter((r) => r.headSha === sha && r.name === name);
  /** The run once ended and its result published (the run record's feedback is written just after its end). */
  const finished = (runId: string) =>
    eventually(async () => {
      const run = (await stack.api(`/fabrics/${FABRIC}/runs/${runId}`)).body;
      return run.feedback ? run : undefined;
    }, 60_000, `run ${runId} to publish its result`);
  const writes = () => kube.requests.entries().filter((r) => r.verb !== undefined && !["list", "get", "watch"].includes(r.verb));

  beforeAll(async () => {
    repo = seedRepository({
      "README.md": "# fabric\n",
      [`${DIR}/raw/prepop.yaml`]: fixture("hedgehog/samples/vlab-wiring-prepop.yaml"),
      [`${DIR}/raw/vpc-1.yaml`]: vpc("vpc-1", "10.0.1.0/24", "10.0.1.1", 1001),
    });
    process.env.HH_GITOPS_SECRET_PR_CHECKS_APP = app.secret;
    process.env.HH_GITOPS_SECRET_PR_CHECKS_TOKEN = token;
    github = await startGitHubSim({ token, apps: [app.sim], repos: [{ owner: "acme", repo: "fabric", gitdir: repo.bare }] });
    stack = await startTestStack({ webhookSecret: SECRET });
    kube = stack.kubeSim!;
    const res = await stack.api("/fabrics", {
      method: "POST",
      body: {
        name: FABRIC,
        git: { provider: "github", owner: "acme", repo: "fabric", apiUrl: github.url, credentials: "env:HH_GITOPS_SECRET_PR_CHECKS_APP", branch: "main", directory: DIR },
        cluster: { simulated: true },
        sync: { mode: "apply" },
      },
    });
    expect(res.status).toBe(201);
    await waitForRun(stack, FABRIC, res.body.initRun.runId);
    const sync = await stack.api(`/fabrics/${FABRIC}/sync`, { method: "POST" });
    expect((await waitForRun(stack, FABRIC, sync.body.runId)).status).toBe("succeeded");
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    await github?.close();
    repo?.cleanup();
  });

  it("a VPC overlapping another and a Connection on a used port fail the check, each annotated at its file and line; a fix turns it green; nothing is committed or applied", async () => {
    const main = repo.head("main");
    const objects = kube.objects().length;
    git(repo.bare, "branch", "add-vpcs", "main");
    const head = pushTo(
      "add-vpcs",
      {
        [`${DIR}/raw/vpc-2.yaml`]: vpc("vpc-2", "10.0.1.128/25", "10.0.1.129", 1002),
        [`${DIR}/raw/server-03-b.yaml`]: connection("leaf-01/E1/7"),
        [`${DIR}/raw/vpc-3.yaml`]: vpc("vpc-3", "10.0.3.0/24", "10.0.3.1", 1003),
      },
      "two more VPCs and a connection",
    );
    const number = github.feedback.openPullRequest({ owner: "acme", repo: "fabric", head: "add-vpcs", base: "main", title: "Add VPCs" });
    kube.requests.reset();

    const res = await deliver({ action: "opened", number, headSha: head, headRef: "add-vpcs" });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ event: "pull_request", action: "opened", number, head });
    expect(res.body.fabrics).toEqual([{ fabricId: FABRIC, outcome: "started", runId: expect.any(String), detail: `3 changed files are under ${DIR}/` }]);
    const run = await finished(res.body.fabrics[0].runId);
    expect(run).toMatchObject({ kind: "check", status: "succeeded", dryRun: true, chain: ["ingest", "reconcile"], pullRequest: { number, headSha: head, headRef: "add-vpcs", baseRef: "main" } });
    expect(run.feedback).toMatchObject({ channel: "check-run", commit: head, name: CHECK, conclusion: "failure", annotations: 2, requests: 1 });

    const [check] = checkRunsOn(head);
    expect(checkRunsOn(head)).toHaveLength(1);
    expect(check).toMatchObject({ status: "completed", conclusion: "failure", externalId: run.runId });
    expect(check!.detailsUrl).toBe(`${stack.url}/#/fabrics/${FABRIC}/runs/${run.runId}`);
    expect(check!.annotations.map((a) => [a.path, a.startLine, a.level, a.title?.split(" ")[0]])).toEqual([
      [`${DIR}/raw/server-03-b.yaml`, 11, "failure", "CONN-206"],
      [`${DIR}/raw/vpc-2.yaml`, 8, "failure", "VPC-206"],
    ]);
    expect(check!.annotations[0]!.message).toMatch(/leaf-01\/E1\/7 is already used by connection server-03--unbundled--leaf-01/);
    expect(check!.annotations[1]!.message).toMatch(/overlaps subnet .* of VPC vpc-1/);
    const summary = check!.output.summary!;
    expect(summary).toContain("| rule | errors | warnings |");
    expect(summary).toMatch(/\| CONN-206 \| 1 \| 0 \|/);
    expect(summary).toMatch(/\| VPC-206 \| 1 \| 0 \|/);
    expect(summary).toContain("### Files ingest would write");
    expect(summary).toContain(`| \`${DIR}/managed/vpcs/vpc-3.yaml\` | write |`);
    expect(summary).toContain(`| \`${DIR}/raw/errors/vpc-2.yaml.errors.txt\` | write |`);
    expect(summary).toContain("| `vpc.githedgehog.com/VPC/default/vpc-3` | create |");
    expect(check!.output.title).toBe("2 document errors: ingest would reject them");

    // Nothing written anywhere: the base branch, the cluster, the records.
    expect(repo.head("main")).toBe(main);
    expect(writes()).toEqual([]);
    expect(kube.objects()).toHaveLength(objects);
    expect((await stack.api(`/fabrics/${FABRIC}/resources?kind=vpcs`)).body.items.map((r: { name: string }) => r.name)).toEqual(["vpc-1"]);

    // The fix, pushed to the pull request: green.
    const fixed = pushTo(
      "add-vpcs",
      { [`${DIR}/raw/vpc-2.yaml`]: vpc("vpc-2", "10.0.2.0/24", "10.0.2.1", 1002), [`${DIR}/raw/server-03-b.yaml`]: connection("leaf-01/E1/16") },
      "fix the overlap and the port",
    );
    const again = await deliver({ action: "synchronize", number, headSha: fixed, headRef: "add-vpcs" });
    expect(again.body.fabrics[0]).toMatchObject({ outcome: "started" });
    const green = await finished(again.body.fabrics[0].runId);
    expect(green.feedback).toMatchObject({ channel: "check-run", commit: fixed, conclusion: "success", annotations: 0 });
    const [ok] = checkRunsOn(fixed);
    expect(ok).toMatchObject({ conclusion: "success", annotations: [] });
    for (const id of ["vpc.githedgehog.com/VPC/default/vpc-2", "vpc.githedgehog.com/VPC/default/vpc-3", "wiring.githedgehog.com/Connection/default/server-03--unbundled--leaf-01-b"]) {
      expect(ok!.output.summary).toContain(`| \`${id}\` | create |`);
    }
    expect(repo.head("main")).toBe(main);
    expect(writes()).toEqual([]);
    expect(kube.objects()).toHaveLength(objects);
  }, 120_000);

  it("120 findings become 120 annotations in three requests of at most 50", async () => {
    git(repo.bare, "branch", "many", "main");
    // VPC names longer than 11 characters: one VPC-101 each.
    const docs = Array.from({ length: 120 }, (_, i) => vpc(`vpc-too-long-${String(i).padStart(3, "0")}`, `10.1.${i}.0/24`, `10.1.${i}.1`, 1100 + i)).join("---\n");
    const head = pushTo("many", { [`${DIR}/raw/many.yaml`]: docs }, "120 VPCs with names too long");
    const number = github.feedback.openPullRequest({ owner: "acme", repo: "fabric", head: "many", base: "main" });
    const before = github.requests.length;
    const res = await deliver({ action: "opened", number, headSha: head, headRef: "many" });
    const run = await finished(res.body.fabrics[0].runId);
    expect(run.feedback).toMatchObject({ conclusion: "failure", annotations: 120, requests: 3 });
    const [check] = checkRunsOn(head);
    expect(check!.annotations).toHaveLength(120);
    expect(check!.annotationBatches).toEqual([50, 50, 20]);
    expect(new Set(check!.annotations.map((a) => a.title?.split(" ")[0]))).toEqual(new Set(["VPC-101"]));
    expect(check!.annotations.map((a) => a.startLine)).toEqual(Array.from({ length: 120 }, (_, i) => 11 * i + 4));
    const posted = github.requests.slice(before).filter((r) => r.route.includes("check-runs") && r.method !== "GET");
    expect(posted.map((r) => `${r.method} ${r.status}`)).toEqual(["POST 201", "PATCH 200", "PATCH 200"]);
    // The run record keeps the first 50 and the count; the check got them all.
    expect(run.stages.ingest.detail.findings.total).toBe(120);
    expect(run.stages.ingest.detail.findings.items).toHaveLength(50);
  }, 120_000);

  it("with a token, the same pull request gets a commit status with the conclusion, a one-line summary and the console link", async () => {
    expect((await stack.api(`/fabrics/${FABRIC}`, { method: "PATCH", body: { git: { provider: "github", owner: "acme", repo: "fabric", apiUrl: github.url, credentials: "env:HH_GITOPS_SECRET_PR_CHECKS_TOKEN", branch: "main", directory: DIR } } })).status).toBe(200);
    await waitForIdle(stack, FABRIC);
    git(repo.bare, "branch", "by-token", "main");
    const head = pushTo("by-token", { [`${DIR}/raw/vpc-2.yaml`]: vpc("vpc-2", "10.0.1.128/25", "10.0.1.129", 1002) }, "an overlapping VPC");
    const number = github.feedback.openPullRequest({ owner: "acme", repo: "fabric", head: "by-token", base: "main" });
    const res = await deliver({ action: "opened", number, headSha: head, headRef: "by-token" });
    const run = await finished(res.body.fabrics[0].runId);
    expect(run.feedback).toMatchObject({ channel: "status", commit: head, name: CHECK, conclusion: "failure" });
    expect(checkRunsOn(head)).toEqual([]);
    const statuses = github.feedback.statuses.filter((s) => s.sha === head);
    expect(statuses).toHaveLength(1);
    expect(statuses[0]).toMatchObject({
      state: "failure",
      context: CHECK,
      description: "1 document error: ingest would reject them",
      targetUrl: `${stack.url}/#/fabrics/${FABRIC}/runs/${run.runId}`,
    });
  }, 120_000);

  it("ignores pull requests into other branches, outside the directory, closed or whose head moved on, saying why", async () => {
    git(repo.bare, "branch", "docs-only", "main");
    const head = pushTo("docs-only", { "docs/notes.md": "notes\n" }, "docs");
    const number = github.feedback.openPullRequest({ owner: "acme", repo: "fabric", head: "docs-only", base: "main" });
    const outside = await deliver({ action: "opened", number, headSha: head, headRef: "docs-only" });
    expect(outside.body.fabrics).toEqual([{ fabricId: FABRIC, outcome: "ignored", reason: "directory", detail: `no changed file is under ${DIR}/` }]);
    const label = await deliver({ action: "labeled", number, headSha: head, headRef: "docs-only" });
    expect(label.body.fabrics[0]).toMatchObject({ outcome: "ignored", reason: "action" });
    const stale = await deliver({ action: "reopened", number, headSha: repo.head("main"), headRef: "docs-only" });
    expect(stale.body.fabrics[0]).toMatchObject({ outcome: "ignored", reason: "stale" });
    github.feedback.closePullRequest("acme", "fabric", number);
    const closed = await deliver({ action: "synchronize", number, headSha: head, headRef: "docs-only" });
    expect(closed.body.fabrics[0]).toMatchObject({ outcome: "ignored", reason: "closed" });
    const body = JSON.stringify(pullRequestPayload({ owner: "acme", repo: "fabric", action: "ready_for_review", number, headSha: head, headRef: "docs-only", baseRef: "release" }));
    const other = await stack.api("/webhooks/github", { method: "POST", body, headers: await deliveryHeaders(SECRET, "pull_request", body), auth: false });
    expect(other.body.fabrics[0]).toMatchObject({ outcome: "ignored", reason: "branch" });
    await eventually(async () => ((await stack.api(`/fabrics/${FABRIC}/runs?limit=200`)).body.items.some((r: { status: string }) => ["queued", "running"].includes(r.status)) ? undefined : true));
  }, 60_000);
});
