// A local stack for the write-back tests (issue #14, DESIGN §15): fabrics on a local bare repository
// (git provider) or on the simulated GitHub (github provider), a simulated cluster shared by the
// stack's fabrics, and what a test does to them from outside: GitHub's REST calls and push webhooks.
import { sign } from "@octokit/webhooks-methods";
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { startGitHubSim, type GitHubSim } from "../../infra/local/github-sim/index.js";
import type { KubeSim } from "../../infra/local/kube-sim/index.js";
import { startTestStack, waitForRun, type TestStack } from "./local-stack.js";
import { git, seedRepository, type SeededRepository } from "./seed-repo.js";

export const WEBHOOK_SECRET = "write-back webhook secret";
const DIR = "gitops/hedgehog/wb";
export const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");
export const VPCS = { group: "vpc.githedgehog.com", version: "v1beta1", plural: "vpcs" } as const;
export const ATTACHMENTS = { group: "vpc.githedgehog.com", version: "v1beta1", plural: "vpcattachments" } as const;

/** A VPC with one subnet 10.0.<n>.0/24. */
export const vpc = (name: string, n: number, vlan = 1000 + n) => `apiVersion: vpc.githedgehog.com/v1beta1
kind: VPC
metadata:
  name: ${name}
  namespace: default
spec:
  subnets:
    test-subnet:
      subnet: 10.0.${n}.0/24
      gateway: 10.0.${n}.1
      vlan: ${vlan}
`;
export const ATTACHMENT = `apiVersion: vpc.githedgehog.com/v1beta1
kind: VPCAttachment
metadata:
  name: test-vpc--server-03
spec:
  connection: server-03--unbundled--leaf-01
  subnet: test-vpc/test-subnet
`;

/** The wiring, two VPCs and an attachment: what a fabric's raw/ holds unless a test says otherwise. */
export const DEFAULT_RAW = {
  "raw/prepop.yaml": fixture("hedgehog/samples/vlab-wiring-prepop.yaml"),
  "raw/test-vpc.yaml": fixture("hedgehog/samples/hnp-raw-test-vpc.yaml"),
  "raw/test-vpc-2.yaml": fixture("hedgehog/samples/hnp-raw-test-vpc-2.yaml"),
  "raw/attachment.yaml": ATTACHMENT,
};

/** A push as GitHub sends it for `before..after` of the bare repository's main. */
export function pushPayload(repo: SeededRepository, before: string, after: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- GitHub's payload is arbitrary JSON here
  const body: any = JSON.parse(fixture("webhooks/push-directory.json"));
  const shas = git(repo.bare, "rev-list", "--reverse", `${before}..${after}`).trim().split("\n").filter(Boolean);
  body.before = before;
  body.after = after;
  body.commits = shas.map((sha) => {
    const [name, email, message] = git(repo.bare, "log", "-1", "--format=%cn%n%ce%n%s", sha).trim().split("\n");
    const files: Record<"added" | "removed" | "modified", string[]> = { added: [], removed: [], modified: [] };
    const parent = git(repo.bare, "rev-parse", `${sha}^`).trim();
    for (const line of git(repo.bare, "diff", "--no-renames", "--name-status", parent, sha).trim().split("\n").filter(Boolean)) {
      const [status, path] = line.split("\t");
      files[status === "A" ? "added" : status === "D" ? "removed" : "modified"].push(path!);
    }
    return { ...body.commits[0], id: sha, tree_id: git(repo.bare, "rev-parse", `${sha}^{tree}`).trim(), message, author: { name, email }, committer: { name, email }, ...files };
  });
  body.head_commit = body.commits.at(-1);
  return body;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the API's and GitHub's JSON
type Json = any;

export interface WriteBackEnvironment {
  readonly stack: TestStack;
  readonly github: GitHubSim | undefined;
  readonly kube: KubeSim;
  put(id: string, path: string, yaml: string, contentType?: string): ReturnType<TestStack["api"]>;
  resource(id: string, kind: string, name: string): Promise<Json>;
  live(spec: typeof VPCS | typeof ATTACHMENTS, name: string): { spec: { subnets: Record<string, { vlan: number }> } } | undefined;
  sync(id: string): Promise<Json>;
  /**
   * A repository seeded with `raw` (directory-relative; default DEFAULT_RAW), and the fabric
   * registered on it (init done; prune on, apply mode; on the simulated cluster unless `cluster` is false).
   */
  fabric(id: string, writeBack: "direct" | "pull-request", raw?: Record<string, string>, cluster?: boolean): Promise<{ repo: SeededRepository; directory: string }>;
  /** A REST call to the simulated GitHub on repository acme/<repo> (github provider only). */
  githubCall(repo: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }>;
  /** GitHub's push webhook for `before..after` of acme/<id>'s main; answers the run it started. */
  deliverPush(id: string, repo: SeededRepository, before: string, after: string): Promise<string>;
  close(): Promise<void>;
}

/** A local stack (its own simulated cluster: fabrics of one stack share it) and, for github, a simulated GitHub. */
export async function writeBackEnvironment(provider: "git" | "github"): Promise<WriteBackEnvironment> {
  let github: GitHubSim | undefined;
  let gitSettings: Record<string, unknown>;
  const token = randomBytes(12).toString("hex");
  if (provider === "github") {
    process.env.HH_GITOPS_SECRET_TEST_WRITE_BACK_TOKEN = token;
    github = await startGitHubSim({ token });
    gitSettings = { provider: "github", owner: "acme", apiUrl: github.url, credentials: "env:HH_GITOPS_SECRET_TEST_WRITE_BACK_TOKEN", branch: "main" };
  } else {
    gitSettings = { provider: "git", branch: "main" };
  }
  const stack = await startTestStack({ webhookSecret: WEBHOOK_SECRET });
  const kube = stack.kubeSim!;
  const repos: SeededRepository[] = [];
  return {
    stack,
    github,
    kube,
    put: (id, path, yaml, contentType = "application/yaml") => stack.api(`/fabrics/${id}${path}`, { method: "PUT", body: yaml, headers: { "content-type": contentType } }),
    resource: async (id, kind, name) => (await stack.api(`/fabrics/${id}/resources/${kind}/${name}`)).body,
    live: (spec, name) => kube.objects({ group: spec.group, resource: spec.plural }).find((o) => (o.metadata as { name: string }).name === name) as ReturnType<WriteBackEnvironment["live"]>,
    sync: async (id) => waitForRun(stack, id, (await stack.api(`/fabrics/${id}/sync`, { method: "POST" })).body.runId),
    async fabric(id, writeBack, raw = DEFAULT_RAW, cluster = true) {
      const directory = `${DIR}-${id}`;
      const repo = seedRepository(Object.fromEntries(Object.entries(raw).map(([path, text]) => [`${directory}/${path}`, text])));
      repos.push(repo);
      const settings = { ...gitSettings, ...(provider === "git" ? { url: repo.bare } : { repo: id }), directory, writeBack };
      github?.addRepository({ owner: "acme", repo: id, gitdir: repo.bare });
      const res = await stack.api("/fabrics", { method: "POST", body: { name: id, git: settings, ...(cluster ? { cluster: { simulated: true } } : {}), sync: { mode: "apply", prune: true, intervalMinutes: 10080 } } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect((await waitForRun(stack, id, res.body.initRun.runId)).status).toBe("succeeded");
      return { repo, directory };
    },
    async githubCall(repo, method, path, body) {
      if (!github) throw new Error("githubCall needs the github provider");
      const response = await fetch(`${github.url}/repos/acme/${repo}${path}`, {
        method,
        headers: { authorization: `token ${token}`, "content-type": "application/json" },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: response.status, body: (await response.json()) as Json };
    },
    async deliverPush(id, repo, before, after) {
      const { repository } = JSON.parse(fixture("webhooks/push-directory.json")) as { repository: object };
      const text = JSON.stringify({ ...(pushPayload(repo, before, after) as object), repository: { ...repository, name: id, full_name: `acme/${id}` } });
      const delivery = await stack.api("/webhooks/github", {
        method: "POST",
        body: text,
        auth: false,
        headers: { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": randomUUID(), "x-hub-signature-256": await sign(WEBHOOK_SECRET, text) },
      });
      expect(delivery.status).toBe(202);
      expect(delivery.body.fabrics).toEqual([expect.objectContaining({ fabricId: id, outcome: "started" })]);
      return delivery.body.fabrics[0].runId as string;
    },
    async close() {
      await stack.close();
      await github?.close();
      for (const repo of repos) repo.cleanup();
    },
  };
}
