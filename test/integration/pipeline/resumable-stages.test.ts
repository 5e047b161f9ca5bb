// Resumable stages (issue #18) through the stage runner on the local stack's table and queues: an ingest
// whose commit used up its invocation continues in a second one that writes the records (one commit);
// a redelivered or superseded continuation does nothing twice; a stage that asks to continue without
// progress fails its run instead of looping.
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineWiring } from "../../../infra/wiring-types.js";
import { wiring as realWiring } from "../../../infra/wiring.js";
import { FabricService } from "../../../lib/api/fabrics.js";
import { trustPolicy } from "../../../lib/config/index.js";
import { workerRuntime as runtime } from "../../../lib/pipeline/connectors.js";
import { ingestStage } from "../../../lib/pipeline/ingest-stage.js";
import { initStage } from "../../../lib/pipeline/init-stage.js";
import type { StageMessage } from "../../../lib/pipeline/messages.js";
import { runStage, type StageRunnerDeps } from "../../../lib/pipeline/stage-runner.js";
import { rawServerFiles } from "../../support/generated-resources.js";
import { startTestStack, type TestStack } from "../../support/local-stack.js";
import { seedRepository, type SeededRepository } from "../../support/seed-repo.js";

const DIR = "gitops/hedgehog/f";
const queuesOnly = defineWiring({ functions: {}, routes: [], queues: realWiring.queues, consumers: [], schedules: [] });
const CLOCK = () => new Date("2026-11-22T12:00:00Z");
const DOCUMENTS = 1500;

describe("resumable stages", () => {
  let stack: TestStack;
  const repos: SeededRepository[] = [];
  beforeAll(async () => {
    stack = await startTestStack({ wiring: queuesOnly });
  });
  afterAll(async () => {
    await stack.close();
    for (const r of repos) r.cleanup();
  });

  async function fabricWithRun(name: string, files: Record<string, string>) {
    const repo = seedRepository(Object.fromEntries(Object.entries(files).map(([p, c]) => [p.replace(DIR, `gitops/hedgehog/${name}`), c])));
    repos.push(repo);
    const rt = runtime();
    await new FabricService(rt.fabrics, trustPolicy(rt.settings)).register({ name, git: { provider: "git", url: repo.bare } }, CLOCK());
    const started = await rt.runService.start({ fabricId: name, kind: "ingest", trigger: "api", now: CLOCK() });
    return { repo, rt, runId: started.runId };
  }

  /** The ingest queue's messages, drained. */
  async function drainIngestQueue(): Promise<StageMessage[]> {
    const out = await stack.sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.queues.ingest!.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 0 }));
    return (out.Messages ?? []).map((m) => JSON.parse(m.Body!) as StageMessage);
  }

  it("an ingest whose commit used up its invocation writes the records in a continuation: one commit, nothing twice", async () => {
    const { repo, rt, runId } = await fabricWithRun("ingest-cont", rawServerFiles(DIR, DOCUMENTS, 500));
    const deps: StageRunnerDeps = { ...rt, clock: CLOCK, stages: { init: initStage(rt), ingest: ingestStage(rt) } };
    const deliver = (message: StageMessage, remainingMs: number) => runStage({ message, receiveCount: 1, maxReceiveCount: 5, remainingTimeMs: () => remainingMs }, deps);
    const first: StageMessage = { v: 1, fabricId: "ingest-cont", runId, stage: "ingest" };
    await drainIngestQueue();

    // No time at all: the stage still commits (a commit is never split), then continues.
    await deliver(first, 1);
    const commits = repo.log();
    expect(commits.filter((m) => m.startsWith("hedgehog-gitops: ingest"))).toHaveLength(1);
    let run = (await rt.runs.get("ingest-cont", runId))!;
    expect(run.status).toBe("running");
    expect(run.stages.ingest).toMatchObject({ status: "running", continuations: 1, checkpoint: { plannedOn: expect.any(String), commit: repo.head() } });
    expect(await rt.resources.list((await rt.fabrics.require("ingest-cont")))).toHaveLength(0);
    const sent = await drainIngestQueue();
    expect(sent).toContainEqual({ v: 2, fabricId: "ingest-cont", runId, stage: "ingest", continuation: 1 });

    // The first message again (a redelivery): superseded by continuation 1, it changes nothing.
    await deliver(first, 60_000);
    run = (await rt.runs.get("ingest-cont", runId))!;
    expect(run.stages.ingest).toMatchObject({ status: "running", continuations: 1 });
    expect(await rt.resources.list((await rt.fabrics.require("ingest-cont")))).toHaveLength(0);

    // The continuation writes the records, attributed to the one commit.
    await deliver({ ...first, v: 2, continuation: 1 }, 60_000);
    run = (await rt.runs.get("ingest-cont", runId))!;
    expect(run.status).toBe("succeeded");
    expect(run.stages.ingest).toMatchObject({ status: "succeeded", continuations: 1, counts: { resources: DOCUMENTS, recordsWritten: DOCUMENTS } });
    expect(run.stages.ingest!.checkpoint).toBeUndefined();
    expect(run.headAfter).toBe(repo.head());
    const records = await rt.resources.list((await rt.fabrics.require("ingest-cont")));
    expect(records).toHaveLength(DOCUMENTS);
    expect(records.filter((r) => r.record.gitCommitSha !== repo.head() || r.recordVersion !== 1)).toEqual([]);

    // Redelivered once more: nothing is committed or written again.
    await deliver({ ...first, v: 2, continuation: 1 }, 60_000);
    expect(repo.log()).toEqual(commits);
    expect((await rt.resources.list((await rt.fabrics.require("ingest-cont")))).every((r) => r.recordVersion === 1)).toBe(true);
  }, 120_000);

  it("a stage that asks to continue without progress fails its run", async () => {
    const { rt, runId } = await fabricWithRun("stuck", rawServerFiles(DIR, 1));
    const invoked: (Readonly<Record<string, unknown>> | null)[] = [];
    const deps: StageRunnerDeps = {
      ...rt,
      clock: CLOCK,
      stages: {
        ingest: async ({ resume }) => {
          invoked.push(resume);
          return { counts: {}, continueFrom: { step: 1 } };
        },
      },
    };
    const deliver = (message: StageMessage) => runStage({ message, receiveCount: 1, maxReceiveCount: 5, remainingTimeMs: () => 60_000 }, deps);
    await deliver({ v: 1, fabricId: "stuck", runId, stage: "ingest" });
    await deliver({ v: 2, fabricId: "stuck", runId, stage: "ingest", continuation: 1 });
    expect(invoked).toEqual([null, { step: 1 }]);
    const run = (await rt.runs.get("stuck", runId))!;
    expect(run.status).toBe("failed");
    expect(run.error).toBe("ingest: the stage cannot be continued: it made no progress within its time budget");
    expect(run.stages.ingest!.status).toBe("failed");
  });
});
