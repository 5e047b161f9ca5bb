// A sync run's result on the commit it synced, and the events of the local stack (DESIGN §17, issue
// #16): a check run "hedgehog-gitops / <fabric> (sync)" with the run's counts (GitHub App credentials),
// once however often the run's last message is delivered; events in <data dir>/events.jsonl, a drift
// announced once per live resourceVersion, not on every run that sees it.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import type { Context, SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitHubSim, type GitHubSim } from "../../infra/local/github-sim/index.js";
import { DETAIL_SCHEMAS, type DetailType } from "../../lib/events/index.js";
import { runCounts } from "../../lib/feedback/index.js";
import { eventually, startTestStack, waitForRun, type TestStack } from "../support/local-stack.js";
import { testGitHubApp } from "../support/pull-requests.js";
import { seedRepository, type SeededRepository } from "../support/seed-repo.js";

const FABRIC = "dc2";
const DIR = `gitops/hedgehog/${FABRIC}`;
const SYNC_CHECK = `hedgehog-gitops / ${FABRIC} (sync)`;
const VPCS = { group: "vpc.githedgehog.com", version: "v1beta1", plural: "vpcs", namespace: "default" } as const;
const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");

interface JsonEvent {
  readonly "detail-type": DetailType;
  readonly source: string;
  readonly detail: Record<string, unknown> & { eventId: string; runId: string; fabricId: string };
}

describe("results on synced commits, and events", () => {
  let stack: TestStack;
  let repo: SeededRepository;
  let github: GitHubSim;
  let kube: CustomObjectsApi;
  const app = testGitHubApp(5151, 88);

  const events = (): JsonEvent[] => {
    try {
      return readFileSync(join(stack.dataDir, "events.jsonl"), "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as JsonEvent);
    } catch {
      return [];
    }
  };
  /** Syncs and waits until the run's result is published. */
  const sync = async () => {
    const res = await stack.api(`/fabrics/${FABRIC}/sync`, { method: "POST" });
    expect(res.status).toBe(202);
    await waitForRun(stack, FABRIC, res.body.runId);
    return eventually(async () => {
      const run = (await stack.api(`/fabrics/${FABRIC}/runs/${res.body.runId}`)).body;
      return run.feedback ? run : undefined;
    }, 30_000, "the sync's result");
  };

  beforeAll(async () => {
    repo = seedRepository({
      [`${DIR}/raw/prepop.yaml`]: fixture("hedgehog/samples/vlab-wiring-prepop.yaml"),
      [`${DIR}/raw/test-vpc.yaml`]: fixture("hedgehog/samples/hnp-raw-test-vpc.yaml"),
      [`${DIR}/raw/broken-vpc.yaml`]: fixture("pipeline/broken-vpc.yaml"),
    });
    process.env.HH_GITOPS_SECRET_RUN_FEEDBACK_APP = app.secret;
    const token = randomUUID();
    github = await startGitHubSim({ token, apps: [app.sim], repos: [{ owner: "acme", repo: "fabric", gitdir: repo.bare }] });
    stack = await startTestStack();
    const kc = new KubeConfig();
    kc.loadFromOptions(stack.kubeSim!.kubeconfigOptions());
    kube = kc.makeApiClient(CustomObjectsApi);
    const res = await stack.api("/fabrics", {
      method: "POST",
      body: {
        name: FABRIC,
        git: { provider: "github", owner: "acme", repo: "fabric", apiUrl: github.url, credentials: "env:HH_GITOPS_SECRET_RUN_FEEDBACK_APP", branch: "main", directory: DIR },
        cluster: { simulated: true },
        sync: { mode: "apply" },
      },
    });
    expect(res.status).toBe(201);
    await waitForRun(stack, FABRIC, res.body.initRun.runId);
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    await github?.close();
    repo?.cleanup();
  });

  it("a sync run leaves a check on the commit it synced, whose counts are the run's", async () => {
    const run = await sync();
    expect(run.status).toBe("succeeded");
    const counts = runCounts(run);
    expect(counts).toMatchObject({ synced: 47, drifted: 0, rejected: 1 });
    expect(run.headAfter).toBe(repo.head());
    expect(run.feedback).toMatchObject({ channel: "check-run", commit: run.headAfter, name: SYNC_CHECK, conclusion: "failure" });
    const checks = github.feedback.checkRuns.filter((c) => c.name === SYNC_CHECK && c.headSha === run.headAfter);
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ status: "completed", conclusion: "failure", externalId: run.runId, annotations: [] });
    expect(checks[0]!.output.title).toBe(`synced ${counts.synced}, drifted ${counts.drifted}, rejected ${counts.rejected}`);
    expect(checks[0]!.output.summary).toContain(`| ${counts.synced} | ${counts.drifted} | ${counts.rejected} | ${counts.committed} | ${counts.pending} | ${counts.orphaned} | ${counts.applied} | ${counts.pruned} |`);
    expect(checks[0]!.detailsUrl).toBe(`${stack.url}/#/fabrics/${FABRIC}/runs/${run.runId}`);

    const finished = events().filter((e) => e["detail-type"] === "Run Finished" && e.detail.runId === run.runId);
    expect(finished).toHaveLength(1);
    expect(finished[0]!.detail).toMatchObject({ kind: "sync", status: "succeeded", commit: run.headAfter, counts: { ...counts } });
    const rejected = events().filter((e) => e["detail-type"] === "Resource Rejected" && e.detail.runId === run.runId);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.detail).toMatchObject({ stage: "ingest", file: `${DIR}/raw/broken-vpc.yaml` });
    // Every line is an EventBridge-shaped event whose detail matches its documented schema.
    for (const e of events()) {
      expect(e.source).toBe("hedgehog-gitops");
      expect(() => DETAIL_SCHEMAS[e["detail-type"]].parse(e.detail)).not.toThrow();
    }
  });

  it("publishes once: the run's last message delivered again leaves the same single check", async () => {
    const run = await sync();
    const before = github.feedback.checkRuns.filter((c) => c.headSha === run.headAfter && c.name === SYNC_CHECK);
    // A redelivery after a worker died between ending the run and recording where it published.
    const { RunRepository } = await import("../../lib/store/runs.js");
    const { documentClient } = await import("../../lib/store/client.js");
    const { currentSettings } = await import("../../lib/config/index.js");
    const { UpdateCommand } = await import("@aws-sdk/lib-dynamodb");
    const settings = currentSettings();
    await documentClient(settings).send(new UpdateCommand({ TableName: settings.tableName, Key: { pk: `FABRIC#${FABRIC}`, sk: `RUN#${run.runId}` }, UpdateExpression: "REMOVE feedback" }));
    const { handler } = await import("../../functions/workers/reconcile.js");
    const event: SQSEvent = {
      Records: [
        {
          messageId: randomUUID(),
          receiptHandle: "redelivered",
          body: JSON.stringify({ v: 1, fabricId: FABRIC, runId: run.runId, stage: "reconcile" }),
          attributes: { ApproximateReceiveCount: "2", SentTimestamp: "0", SenderId: "test", ApproximateFirstReceiveTimestamp: "0", MessageGroupId: FABRIC, MessageDeduplicationId: `${run.runId}:reconcile` },
          messageAttributes: {},
          md5OfBody: "",
          eventSource: "aws:sqs",
          eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:hedgehog-gitops-reconcile.fifo",
          awsRegion: "us-east-1",
        },
      ],
    };
    const context = { getRemainingTimeInMillis: () => 60_000, functionName: "reconcileWorker", awsRequestId: randomUUID() } as unknown as Context;
    expect(await handler(event, context)).toEqual({ batchItemFailures: [] });
    const again = (await new RunRepository(documentClient(settings), settings.tableName).get(FABRIC, run.runId))!;
    expect(again.feedback).toMatchObject({ channel: "check-run", checkRunId: run.feedback.checkRunId, requests: 0 });
    expect(github.feedback.checkRuns.filter((c) => c.headSha === run.headAfter && c.name === SYNC_CHECK)).toEqual(before);
    // The event is sent again, with the same id: consumers drop the repeat.
    const finished = events().filter((e) => e["detail-type"] === "Run Finished" && e.detail.runId === run.runId);
    expect(finished.map((e) => e.detail.eventId)).toEqual([finished[0]!.detail.eventId, finished[0]!.detail.eventId]);
  });

  it("a drift seen on three consecutive runs is one 'Resource Drifted' event; a new live version is another", async () => {
    expect((await stack.api(`/fabrics/${FABRIC}`, { method: "PATCH", body: { sync: { mode: "observe" } } })).status).toBe(200);
    await kube.patchNamespacedCustomObject(
      { ...VPCS, name: "test-vpc", body: { spec: { subnets: { "test-subnet": { vlan: 1555 } } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    const drifted = () => events().filter((e) => e["detail-type"] === "Resource Drifted");
    const runs = [await sync(), await sync(), await sync()];
    for (const run of runs) expect(runCounts(run).drifted).toBe(1);
    expect(drifted()).toHaveLength(1);
    expect(drifted()[0]!.detail).toMatchObject({
      runId: runs[0]!.runId,
      resource: { id: "vpc.githedgehog.com/VPC/default/test-vpc", kind: "VPC", name: "test-vpc" },
      mode: "observe",
      corrected: false,
      fields: [{ path: "/spec/subnets/test-subnet/vlan", desired: 1001, live: 1555 }],
      fieldsTotal: 1,
      gitFilePath: `${DIR}/managed/vpcs/test-vpc.yaml`,
    });
    // The check of each of those runs says so (the broken file was rejected once, by the first sync).
    const last = github.feedback.checkRuns.filter((c) => c.externalId === runs[2]!.runId)[0]!;
    expect(last).toMatchObject({ conclusion: "neutral" });
    expect(last.output.title).toBe("synced 46, drifted 1, rejected 0");

    await kube.patchNamespacedCustomObject(
      { ...VPCS, name: "test-vpc", body: { spec: { subnets: { "test-subnet": { vlan: 1556 } } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    const changed = await sync();
    expect(drifted()).toHaveLength(2);
    expect(drifted()[1]!.detail).toMatchObject({ runId: changed.runId, fields: [{ path: "/spec/subnets/test-subnet/vlan", desired: 1001, live: 1556 }] });
    expect(drifted()[1]!.detail.liveResourceVersion).not.toBe(drifted()[0]!.detail.liveResourceVersion);
  }, 60_000);
});
