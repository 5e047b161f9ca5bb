// GitHub push webhooks end to end on the local stack: signed deliveries over HTTP → verification,
// deduplication, push decisions → runs through SQS → init/ingest on a real bare repository served by
// the simulated GitHub. Payloads are GitHub's own (test/fixtures/webhooks, from @octokit/webhooks-examples).
import { sign } from "@octokit/webhooks-methods";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitHubSim, type GitHubSim } from "../../infra/local/github-sim/index.js";
import { currentSettings } from "../../lib/config/index.js";
import { HEDGEHOG_COMMITTER } from "../../lib/git/provider.js";
import { documentClient } from "../../lib/store/client.js";
import { DeliveryRepository } from "../../lib/store/deliveries.js";
import { RunRepository } from "../../lib/store/runs.js";
import { MAX_WEBHOOK_BODY_BYTES } from "../../lib/triggers/index.js";
import { startSecretsManager } from "../support/git-secrets-manager.js";
import { startTestStack, waitForIdle, waitForRun, type TestStack } from "../support/local-stack.js";
import { git, seedRepository, type SeededRepository } from "../support/seed-repo.js";

const SECRET = "It's a Secret to Everybody";
const DIR = "gitops/hedgehog/dc1";
const FABRIC = "dc1";
const fixtureText = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- GitHub's payloads are arbitrary JSON here
const payload = (name: string): any => JSON.parse(fixtureText(`webhooks/${name}.json`));
const vpc = (name: string, n: number) =>
  fixtureText("hedgehog/samples/hnp-raw-test-vpc.yaml").replace(/test-vpc/g, name).replace(/1001/g, String(1000 + n)).replace(/10\.0\.1\./g, `10.0.${n}.`);

interface Delivery {
  readonly event?: string;
  readonly id?: string;
  /** The signature header; default: the right one. null: none. */
  readonly signature?: string | null;
  readonly headers?: Record<string, string>;
}

describe("GitHub push webhooks", () => {
  let stack: TestStack;
  let repo: SeededRepository;
  let github: GitHubSim;
  let deliveries: DeliveryRepository;
  let runs: RunRepository;

  const deliver = async (body: unknown, options: Delivery = {}) => {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/044aadd",
      "x-github-event": options.event ?? "push",
      "x-github-delivery": options.id ?? randomUUID(),
      "x-github-hook-id": "292430182",
      ...options.headers,
    };
    const signature = options.signature === undefined ? await sign(SECRET, text) : options.signature;
    if (signature !== null) headers["x-hub-signature-256"] = signature;
    return stack.api("/webhooks/github", { method: "POST", body: text, headers, auth: false });
  };
  const runCount = async () => (await stack.api(`/fabrics/${FABRIC}/runs?limit=200`)).body.items.length as number;

  beforeAll(async () => {
    repo = seedRepository({ "README.md": "# fabric\n", [`${DIR}/raw/vpc-1.yaml`]: vpc("vpc-1", 1) });
    const token = randomBytes(12).toString("hex");
    process.env.HH_GITOPS_SECRET_TEST_WEBHOOK_GITHUB_TOKEN = token;
    github = await startGitHubSim({ token, repos: [{ owner: "acme", repo: "fabric", gitdir: repo.bare }] });
    stack = await startTestStack({ webhookSecret: SECRET });
    const settings = currentSettings();
    deliveries = new DeliveryRepository(documentClient(settings), settings.tableName);
    runs = new RunRepository(documentClient(settings), settings.tableName);
    const res = await stack.api("/fabrics", {
      method: "POST",
      body: {
        name: FABRIC,
        git: { provider: "github", owner: "acme", repo: "fabric", apiUrl: github.url, credentials: "env:HH_GITOPS_SECRET_TEST_WEBHOOK_GITHUB_TOKEN", branch: "main", directory: DIR },
      },
    });
    expect(res.status).toBe(201);
    expect((await waitForRun(stack, FABRIC, res.body.initRun.runId)).status).toBe("succeeded");
  });
  afterAll(async () => {
    await stack?.close();
    await github?.close();
    repo?.cleanup();
  });

  it("refuses missing, wrong and SHA-1-only signatures with 401, and records nothing", async () => {
    const before = await runCount();
    const body = payload("push-directory");
    const text = JSON.stringify(body);
    const cases: [string, Delivery][] = [
      ["missing", { signature: null }],
      ["wrong secret", { signature: await sign("not the secret", text) }],
      ["other body", { signature: await sign(SECRET, `${text}\n`) }],
      ["sha1 only", { signature: null, headers: { "x-hub-signature": "sha1=d03207e4b030cf234e3447bac4d93add4c6643d8" } }],
      ["malformed", { signature: "sha256=xyz" }],
    ];
    for (const [what, options] of cases) {
      const id = randomUUID();
      const res = await deliver(text, { ...options, id });
      expect(res.status, what).toBe(401);
      expect(res.headers.get("content-type"), what).toBe("application/problem+json");
      expect(res.body, what).toMatchObject({ status: 401, title: "Invalid signature" });
      expect(await deliveries.get(id), what).toBeNull();
    }
    expect((await deliver(text, { signature: null, headers: { "x-hub-signature": "sha1=00" } })).body.detail).toMatch(/SHA-1/);
    expect(await runCount()).toBe(before);
  });

  it("authenticates before it touches the table", async () => {
    // With the table unreachable, an unsigned delivery is still a clean 401; a signed one gets as far as the table.
    const saved = process.env.HH_GITOPS_DYNAMODB_ENDPOINT;
    process.env.HH_GITOPS_DYNAMODB_ENDPOINT = "http://127.0.0.1:9";
    try {
      const text = fixtureText("webhooks/push-directory.json");
      expect((await deliver(text, { signature: null })).status).toBe(401);
      expect((await deliver(text, { signature: await sign("guess", text) })).status).toBe(401);
      expect((await deliver(text)).status).toBe(500);
    } finally {
      process.env.HH_GITOPS_DYNAMODB_ENDPOINT = saved;
    }
  });

  it("answers a ping with 200", async () => {
    const res = await deliver(payload("ping"), { event: "ping" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ event: "ping", ok: true });
  });

  it("starts a sync for a push into the directory; a redelivery starts nothing", async () => {
    const before = await runCount();
    const body = payload("push-directory");
    const id = randomUUID();
    const res = await deliver(body, { id });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ event: "push", delivery: id, repository: "acme/fabric", ref: "refs/heads/main", after: body.after });
    expect(res.body.fabrics).toEqual([{ fabricId: FABRIC, outcome: "started", runId: expect.any(String), detail: `1 pushed file is under ${DIR}/` }]);
    const run = await waitForRun(stack, FABRIC, res.body.fabrics[0].runId);
    expect(run).toMatchObject({ status: "succeeded", kind: "sync", trigger: "webhook", triggerSha: body.after, chain: ["ingest"] });
    expect(repo.log()[0]).toBe(`hedgehog-gitops: ingest 1 file from ${DIR}/raw`);

    const recorded = (await deliveries.get(id))!;
    expect(recorded.event).toBe("push");
    expect(recorded.expiresAt).toBe(Math.floor(Date.parse(recorded.receivedAt) / 1000) + 7 * 24 * 3600);

    const again = await deliver(body, { id });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ duplicate: true, delivery: id, event: "push" });
    expect(await runCount()).toBe(before + 1);
  });

  it("ignores other branches, tags, branch deletions and pushes outside the directory, saying why", async () => {
    const before = await runCount();
    const expectIgnored = async (name: string, reason: string) => {
      const res = await deliver(payload(name));
      expect(res.status, name).toBe(202);
      expect(res.body.fabrics, name).toEqual([{ fabricId: FABRIC, outcome: "ignored", reason, detail: expect.any(String) }]);
    };
    await expectIgnored("push-other-branch", "branch");
    await expectIgnored("push-tag", "branch");
    await expectIgnored("push-branch-deleted", "deleted");
    await expectIgnored("push-outside-directory", "directory");
    const elsewhere = payload("push-directory");
    elsewhere.repository.full_name = "acme/other";
    elsewhere.repository.name = "other";
    const res = await deliver(elsewhere);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ fabrics: [], reason: "no-fabric", detail: "no fabric tracks acme/other" });
    expect(await runCount()).toBe(before);
  });

  it("ignores the push of our own ingest commit (no loop)", async () => {
    // The push GitHub would send for the commit the ingest run just made, built from the repository.
    const head = repo.head();
    const [name, email] = git(repo.bare, "log", "-1", "--format=%cn%n%ce", head).trim().split("\n");
    expect(email).toBe(HEDGEHOG_COMMITTER.email);
    const files: Record<"added" | "removed" | "modified", string[]> = { added: [], removed: [], modified: [] };
    for (const line of git(repo.bare, "show", "--no-renames", "--name-status", "--format=", head).trim().split("\n")) {
      const [status, path] = line.split("\t");
      files[status === "A" ? "added" : status === "D" ? "removed" : "modified"].push(path!);
    }
    expect(files.added.length + files.removed.length).toBeGreaterThan(0);
    const body = payload("push-own-commit");
    body.before = git(repo.bare, "rev-parse", `${head}^`).trim();
    body.after = head;
    body.commits = [{ ...body.commits[0], id: head, author: { name, email }, committer: { name, email }, ...files }];
    body.head_commit = body.commits[0];
    const before = await runCount();
    const res = await deliver(body);
    expect(res.status).toBe(202);
    expect(res.body.fabrics).toEqual([{ fabricId: FABRIC, outcome: "ignored", reason: "own-commit", detail: expect.any(String) }]);
    expect(await runCount()).toBe(before);
  });

  it("refuses deliveries without event or delivery headers (400) and push payloads without what we use (422)", async () => {
    const text = fixtureText("webhooks/push-directory.json");
    const noEvent = await stack.api("/webhooks/github", {
      method: "POST",
      body: text,
      auth: false,
      headers: { "content-type": "application/json", "x-github-delivery": randomUUID(), "x-hub-signature-256": await sign(SECRET, text) },
    });
    expect(noEvent.status).toBe(400);
    expect(noEvent.body.detail).toMatch(/X-GitHub-Event/);
    const broken = payload("push-directory");
    delete broken.after;
    const invalid = await deliver(broken);
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors).toEqual([{ pointer: "/after", message: expect.any(String) }]);
    expect((await deliver("{not json")).status).toBe(400);
  });

  it("50 concurrent deliveries for one fabric make at most 2 runs and one ingest commit", async () => {
    repo.push({ [`${DIR}/raw/vpc-2.yaml`]: vpc("vpc-2", 2) }, "add vpc-2");
    const runsBefore = await runCount();
    const commitsBefore = repo.log().length;
    const body = payload("push-directory");
    body.before = git(repo.bare, "rev-parse", "main^").trim();
    body.after = repo.head();
    body.commits = [{ ...body.commits[0], id: body.after, message: "add vpc-2", added: [`${DIR}/raw/vpc-2.yaml`], modified: [] }];

    // 50 different pushes (the same push twice is a replay, test/security/webhook-replay.test.ts): the
    // first is the real head, the others name other commits of the branch's history.
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => deliver(i === 0 ? body : { ...body, after: createHash("sha1").update(`push ${i}`).digest("hex") })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(202));
    const outcomes = results.map((r) => r.body.fabrics[0]);
    expect(outcomes.filter((o) => o.outcome === "started")).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === "coalesced")).toHaveLength(49);
    // The coalesced deliveries all name the one follow-up run, the run that does their work.
    const followUps = new Set(outcomes.filter((o) => o.outcome === "coalesced").map((o) => o.runId));
    expect(followUps.size).toBe(1);
    expect(followUps.has(outcomes.find((o) => o.outcome === "started").runId)).toBe(false);

    const all = await waitForIdle(stack, FABRIC);
    const fresh = all.slice(0, all.length - runsBefore);
    expect(fresh.length).toBeGreaterThanOrEqual(1);
    expect(fresh.length).toBeLessThanOrEqual(2); // the run, and the one rerun the burst coalesced into
    expect(fresh.every((r: { status: string }) => r.status === "succeeded")).toBe(true);
    expect(fresh.every((r: { trigger: string }) => r.trigger === "webhook")).toBe(true);

    const log = repo.log();
    expect(log.length - commitsBefore).toBe(1);
    expect(log.slice(0, 2)).toEqual([`hedgehog-gitops: ingest 1 file from ${DIR}/raw`, "add vpc-2"]);
    expect(repo.files(`${DIR}/managed`)).toEqual(expect.arrayContaining([`${DIR}/managed/vpcs/vpc-1.yaml`, `${DIR}/managed/vpcs/vpc-2.yaml`]));
    expect(repo.files(`${DIR}/raw`).filter((f) => /vpc-\d\.yaml$/.test(f))).toEqual([]);
    // The table agrees: both resources recorded, the fabric idle, no rerun pending.
    const resources = await stack.api(`/fabrics/${FABRIC}/resources`);
    expect(resources.body.items.map((r: { name: string }) => r.name).sort()).toEqual(["vpc-1", "vpc-2"]);
    expect(await runs.readLock(FABRIC)).toMatchObject({ activeRunId: null, followUpRunId: null });
  });

  it("takes the secret by reference (the cloud's HH_GITOPS_WEBHOOK_SECRET_REF) and answers 503 without one", async () => {
    const sm = await startSecretsManager({ "arn:aws:secretsmanager:us-east-1:123456789012:secret:webhook-AbCdEf": { string: SECRET } });
    const saved = { ...process.env };
    try {
      delete process.env.HH_GITOPS_WEBHOOK_SECRET;
      const none = await deliver(payload("ping"), { event: "ping" });
      expect(none.status).toBe(503);
      expect(none.body.detail).toMatch(/HH_GITOPS_WEBHOOK_SECRET/);

      process.env.HH_GITOPS_SECRETS_ENDPOINT = sm.endpoint;
      process.env.HH_GITOPS_WEBHOOK_SECRET_REF = "aws-sm:arn:aws:secretsmanager:us-east-1:123456789012:secret:webhook-AbCdEf";
      expect((await deliver(payload("ping"), { event: "ping" })).status).toBe(200);
      expect((await deliver(payload("ping"), { event: "ping", signature: await sign("old secret", "{}") })).status).toBe(401);
      expect(sm.calls).toHaveLength(1); // cached while warm

      process.env.HH_GITOPS_WEBHOOK_SECRET_REF = "aws-sm:missing";
      const unreadable = await deliver(payload("ping"), { event: "ping" });
      expect(unreadable.status).toBe(503);
      expect(unreadable.body.detail).toMatch(/aws-sm:missing/);

      // A value beside a reference wins.
      process.env.HH_GITOPS_WEBHOOK_SECRET = SECRET;
      expect((await deliver(payload("ping"), { event: "ping" })).status).toBe(200);
    } finally {
      for (const key of ["HH_GITOPS_WEBHOOK_SECRET", "HH_GITOPS_WEBHOOK_SECRET_REF", "HH_GITOPS_SECRETS_ENDPOINT"]) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
      await sm.close();
    }
  });

  it("verifies base64-encoded bodies and refuses bodies larger than GitHub sends (413)", async () => {
    // Straight to the handler: API Gateway (and the local gateway) cap bodies at 10 MB, below our limit.
    // Imported here, after the stack set the log level.
    const { handler: webhookHandler } = await import("../../functions/http/webhooks.js");
    const event = (body: string, signature: string, base64: boolean): APIGatewayProxyEventV2 =>
      ({
        version: "2.0",
        routeKey: "POST /webhooks/github",
        rawPath: "/webhooks/github",
        rawQueryString: "",
        headers: { "content-type": "application/json", "x-github-event": "ping", "x-github-delivery": randomUUID(), "x-hub-signature-256": signature },
        requestContext: { requestId: randomUUID(), timeEpoch: Date.now(), http: { method: "POST", path: "/webhooks/github" } },
        body: base64 ? Buffer.from(body, "utf8").toString("base64") : body,
        isBase64Encoded: base64,
      }) as unknown as APIGatewayProxyEventV2;
    const context = { functionName: "webhookApi", awsRequestId: randomUUID(), getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
    const ping = JSON.stringify({ zen: "Keep it logically awesome. 🦔", hook_id: 1 });
    const ok = await webhookHandler(event(ping, await sign(SECRET, ping), true), context);
    expect(ok).toMatchObject({ statusCode: 200 });
    const huge = `{"zen":"${"x".repeat(MAX_WEBHOOK_BODY_BYTES)}"}`;
    const tooLarge = await webhookHandler(event(huge, await sign(SECRET, "{}"), false), context);
    expect(tooLarge).toMatchObject({ statusCode: 413, headers: { "content-type": "application/problem+json" } });
  });
});
