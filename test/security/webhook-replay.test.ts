// Finding: a signed push replayed under a new X-GitHub-Delivery id (the id is not covered by the
// signature) started runs again. Now the same push (repository, ref, after) within 10 minutes starts
// nothing, whatever its delivery id, and the answer says why.
import { sign } from "@octokit/webhooks-methods";
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitHubSim, type GitHubSim } from "../../infra/local/github-sim/index.js";
import { currentSettings } from "../../lib/config/index.js";
import { documentClient } from "../../lib/store/client.js";
import { DeliveryRepository } from "../../lib/store/deliveries.js";
import { PUSH_REPLAY_WINDOW_MS } from "../../lib/triggers/index.js";
import { seedRepository, type SeededRepository } from "../support/seed-repo.js";
import { waitForRunResult } from "../support/local-stack.js";
import { startTestStack, waitForRun, type TestStack } from "./support.js";

const SECRET = "replay-webhook-secret";
const DIR = "gitops/hedgehog/dc1";
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- GitHub's payload, as JSON
const push: any = JSON.parse(readFileSync(new URL("../fixtures/webhooks/push-directory.json", import.meta.url), "utf8"));

describe("webhook push replay", () => {
  let stack: TestStack;
  let github: GitHubSim;
  let repo: SeededRepository;
  const text = JSON.stringify(push);

  const deliver = async (id: string) =>
    stack.api("/webhooks/github", {
      method: "POST",
      body: text,
      auth: false,
      headers: { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": id, "x-hub-signature-256": await sign(SECRET, text) },
    });
  const runCount = async () => (await stack.api("/fabrics/dc1/runs?limit=200")).body.items.length as number;

  beforeAll(async () => {
    repo = seedRepository({ [`${DIR}/raw/README.md`]: "x\n" });
    const token = randomBytes(12).toString("hex");
    github = await startGitHubSim({ token, repos: [{ owner: "acme", repo: "fabric", gitdir: repo.bare }] });
    stack = await startTestStack({ webhookSecret: SECRET, env: { HH_GITOPS_SECRET_REPLAY_TOKEN: token } });
    const res = await stack.api("/fabrics", {
      method: "POST",
      body: { name: "dc1", git: { provider: "github", owner: "acme", repo: "fabric", apiUrl: github.url, credentials: "env:HH_GITOPS_SECRET_REPLAY_TOKEN", directory: DIR } },
    });
    expect(res.status).toBe(201);
    await waitForRun(stack, "dc1", res.body.initRun.runId);
  });
  afterAll(async () => {
    await stack.close();
    await github.close();
    repo.cleanup();
  });

  it("starts the push once; the same signed push under fresh delivery ids starts nothing and says why", async () => {
    const first = randomUUID();
    const started = await deliver(first);
    expect(started.status).toBe(202);
    expect(started.body.fabrics[0]).toMatchObject({ fabricId: "dc1", outcome: "started" });
    // Its result on the synced commit (a commit status) is written after the run ends: counted before the replays.
    await waitForRunResult(stack, "dc1", started.body.fabrics[0].runId);
    const runs = await runCount();
    const githubRequests = github.requests.length;

    const replays = await Promise.all(Array.from({ length: 10 }, () => deliver(randomUUID())));
    for (const replay of replays) {
      expect(replay.status).toBe(200);
      expect(replay.body).toMatchObject({
        event: "push",
        replay: true,
        repository: "acme/fabric",
        ref: push.ref,
        after: push.after,
        firstDelivery: first,
        detail: expect.stringMatching(/the same push .* arrived at .* in delivery .*; a push starts runs once within 10 minutes/),
      });
    }
    expect(await runCount()).toBe(runs);
    expect(github.requests.length).toBe(githubRequests);
  });

  it("forgets a push after the window (the record carries its own expiry; TTL deletes it later)", async () => {
    const settings = currentSettings();
    const deliveries = new DeliveryRepository(documentClient(settings), settings.tableName);
    const key = { repository: "acme/other", ref: "refs/heads/main", after: "a".repeat(40) };
    const at = new Date("2031-05-01T10:00:00Z");
    const record = (deliveryId: string, receivedAt: Date) =>
      deliveries.recordPush({ ...key, deliveryId, receivedAt, retainUntil: new Date(receivedAt.getTime() + PUSH_REPLAY_WINDOW_MS) });
    expect(await record("d1", at)).toBeNull();
    expect(await record("d2", new Date(at.getTime() + PUSH_REPLAY_WINDOW_MS - 1000))).toEqual({ deliveryId: "d1", receivedAt: at.toISOString() });
    expect(await record("d3", new Date(at.getTime() + PUSH_REPLAY_WINDOW_MS + 1000))).toBeNull();
    // Repository names compare case-insensitively, as GitHub's do.
    expect(await record("d4", new Date(at.getTime() + PUSH_REPLAY_WINDOW_MS + 2000))).not.toBeNull();
    expect(await deliveries.recordPush({ ...key, repository: "ACME/Other", deliveryId: "d5", receivedAt: new Date(at.getTime() + PUSH_REPLAY_WINDOW_MS + 3000), retainUntil: new Date(at.getTime() + 2 * PUSH_REPLAY_WINDOW_MS) })).not.toBeNull();
  });
});
