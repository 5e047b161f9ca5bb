// Checks of pull requests on the real table and queues (DESIGN §17): they take no run lock (a sync
// starts beside them), one check per pull request is in flight (the same head joins it, a newer head
// replaces it and cancels it), and their messages travel in a FIFO lane of the pull request's own.
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineWiring } from "../../../infra/wiring-types.js";
import { wiring as realWiring } from "../../../infra/wiring.js";
import { FabricService } from "../../../lib/api/fabrics.js";
import { currentSettings, trustPolicy } from "../../../lib/config/index.js";
import { SqsStageQueue } from "../../../lib/pipeline/queue.js";
import type { PullRequestRef } from "../../../lib/pipeline/run-model.js";
import { RunService } from "../../../lib/pipeline/runs.js";
import { PullRequestCheckRepository } from "../../../lib/store/checks.js";
import { documentClient, FabricRepository } from "../../../lib/store/index.js";
import { RunRepository } from "../../../lib/store/runs.js";
import { TempRepos } from "../../support/git-repos.js";
import { startTestStack, type TestStack } from "../../support/local-stack.js";

const queuesOnly = defineWiring({ functions: {}, routes: [], queues: realWiring.queues, consumers: [], schedules: [] });
const now = new Date("2026-11-29T10:00:00Z");
const pr = (number: number, headSha: string): PullRequestRef => ({ number, headSha, headRef: `change-${number}`, baseRef: "main", url: null });
const sha = (c: string) => c.repeat(40);

describe("check runs of pull requests", () => {
  let stack: TestStack;
  let runs: RunRepository;
  let service: RunService;
  const repos = new TempRepos();

  beforeAll(async () => {
    stack = await startTestStack({ wiring: queuesOnly });
    const settings = currentSettings();
    const db = documentClient(settings);
    const fabrics = new FabricRepository(db, settings.tableName);
    runs = new RunRepository(db, settings.tableName);
    service = new RunService({
      fabrics,
      runs,
      queue: new SqsStageQueue(settings),
      random: () => randomBytes(3).toString("hex"),
      leaseSeconds: 300,
      checks: new PullRequestCheckRepository(db, settings.tableName),
    });
    await new FabricService(fabrics, trustPolicy(settings), service).register({ name: "f1", git: { provider: "git", url: await repos.bare() } }, now);
  });
  afterAll(async () => {
    await stack.close();
    await repos.removeAll();
  });

  /** The messages on the init and ingest queues (a sync of a fabric not yet initialized starts with init). */
  const messages = async () => {
    const received = [];
    for (const queue of ["init", "ingest"]) {
      const out = await stack.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: stack.queues[queue]!.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 300, AttributeNames: ["All"] }),
      );
      received.push(...(out.Messages ?? []).map((m) => ({ body: JSON.parse(m.Body!) as { runId: string; lane?: string }, group: m.Attributes?.MessageGroupId })));
    }
    return received;
  };
  const check = (number: number, head: string) => service.start({ fabricId: "f1", kind: "check", trigger: "webhook", triggerSha: head, now, pullRequest: pr(number, head) });

  it("takes no lock: a sync starts while a check is in flight, and the check's messages travel in the pull request's lane", async () => {
    const checked = await check(7, sha("a"));
    expect(checked).toMatchObject({ coalesced: false, run: { kind: "check", dryRun: true, chain: ["ingest"], triggerSha: sha("a"), pullRequest: pr(7, sha("a")) } });
    const synced = await service.start({ fabricId: "f1", kind: "sync", trigger: "api", now });
    expect(synced.coalesced).toBe(false);
    const sent = await messages();
    expect(sent.find((m) => m.body.runId === checked.runId)).toMatchObject({ body: { lane: "pr-7" }, group: "f1#pr-7" });
    expect(sent.find((m) => m.body.runId === synced.runId)).toMatchObject({ group: "f1" });
    expect(sent.find((m) => m.body.runId === synced.runId)!.body.lane).toBeUndefined();
    await service.finish(synced.run!, { status: "succeeded", error: null }, now);
  });

  it("the same head joins the check in flight; a newer head replaces it and cancels it; another pull request is independent", async () => {
    const first = await check(8, sha("b"));
    const same = await check(8, sha("b"));
    expect(same).toMatchObject({ runId: first.runId, coalesced: true });
    const other = await check(9, sha("b"));
    expect(other.coalesced).toBe(false);
    const newer = await check(8, sha("c"));
    expect(newer).toMatchObject({ coalesced: false, supersedes: first.runId });
    expect((await runs.get("f1", first.runId))!.cancelRequested).toBe(true);
    expect((await runs.get("f1", other.runId))!.cancelRequested).toBeUndefined();
    // Once a check has ended, its head is checked again when asked (reopened, ready for review).
    await service.finish(newer.run!, { status: "succeeded", error: null }, now);
    const again = await check(8, sha("c"));
    expect(again.runId).not.toBe(newer.runId);
    expect(again.coalesced).toBe(false);
  });
});
