// DELETE /fabrics/x while its run ingests, then x registered again (issue #12 item 9): the old run's
// record writes never reach the new registration, and a stage that finds its run gone stops before its
// next irreversible step. Stages are driven directly (runStage) and held at exact points, so that the
// race is reproduced every time, not by chance.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { defineWiring } from "../../../infra/wiring-types.js";
import { wiring as realWiring } from "../../../infra/wiring.js";
import { FabricService } from "../../../lib/api/fabrics.js";
import { trustPolicy } from "../../../lib/config/index.js";
import type { Fabric } from "../../../lib/fabrics/schema.js";
import type { GitProvider } from "../../../lib/git/provider.js";
import { workerRuntime as runtime } from "../../../lib/pipeline/connectors.js";
import { ingestStage } from "../../../lib/pipeline/ingest-stage.js";
import { initStage } from "../../../lib/pipeline/init-stage.js";
import type { ResourceRecord } from "../../../lib/pipeline/resource-model.js";
import { runStage, type StageRunnerDeps } from "../../../lib/pipeline/stage-runner.js";
import { documentClient } from "../../../lib/store/client.js";
import { ResourceRepository, type Registration, type StoredResource } from "../../../lib/store/resources.js";
import { rawServerFiles } from "../../support/generated-resources.js";
import { startTestStack, type TestStack } from "../../support/local-stack.js";
import { seedRepository, type SeededRepository } from "../../support/seed-repo.js";

const queuesOnly = defineWiring({ functions: {}, routes: [], queues: realWiring.queues, consumers: [], schedules: [] });
const DIR = "gitops/hedgehog/x";

/** A point a stage stops at until the test lets it go on. */
function gate() {
  let reached!: () => void;
  let release!: () => void;
  const arrived = new Promise<void>((resolve) => (reached = resolve));
  const opened = new Promise<void>((resolve) => (release = resolve));
  return { arrived, release, pass: async () => (reached(), opened) };
}

describe("delete during a run", () => {
  let stack: TestStack;
  const repos: SeededRepository[] = [];
  beforeAll(async () => {
    stack = await startTestStack({ wiring: queuesOnly });
  });
  afterAll(async () => {
    await stack.close();
    for (const r of repos) r.cleanup();
  });

  async function startedRun(files: Record<string, string>) {
    const rt = runtime();
    const repo = seedRepository(files);
    repos.push(repo);
    const registry = new FabricService(rt.fabrics, trustPolicy(rt.settings), rt.runService);
    const fabric = await registry.register({ name: "x", git: { provider: "git", url: repo.bare, directory: DIR } }, new Date());
    const run = await rt.runService.start({ fabricId: "x", kind: "sync", trigger: "api", now: new Date() });
    const base: StageRunnerDeps = { ...rt, clock: () => new Date(), stages: { init: initStage(rt), ingest: ingestStage(rt) } };
    const deliver = (deps: StageRunnerDeps, stage: "init" | "ingest") =>
      runStage({ message: { v: 1, fabricId: "x", runId: run.runId, stage }, receiveCount: 1, maxReceiveCount: 5 }, deps);
    await deliver(base, "init");
    return { rt, repo, registry, fabric, run, base, deliver };
  }

  it("record writes that land after the fabric was deleted and registered again are never the new registration's", async () => {
    const { rt, registry, fabric: first, base, deliver } = await startedRun(rawServerFiles(DIR, 148, 148));
    const writes = gate();
    class HeldResources extends ResourceRepository {
      override async writeChanged(registration: Registration, records: readonly ResourceRecord[], stored: ReadonlyMap<string, StoredResource>, at: string) {
        await writes.pass();
        return super.writeChanged(registration, records, stored, at);
      }
    }
    const held = new HeldResources(documentClient(rt.settings), rt.settings.tableName);
    const ingesting = deliver({ ...base, resources: held, stages: { ...base.stages, ingest: ingestStage({ ...rt, resources: held }) } }, "ingest");
    await writes.arrived;

    // The operator deletes x (its run is in flight: only with force) and registers x again elsewhere.
    await expect(registry.remove("x", { now: new Date() })).rejects.toThrow(/has run .* in flight/);
    await registry.remove("x", { force: true, now: new Date() });
    const other = seedRepository({ [`${DIR}/raw/other.yaml`]: "apiVersion: wiring.githedgehog.com/v1beta1\nkind: Server\nmetadata:\n  name: other\nspec: {}\n" });
    repos.push(other);
    const second = await registry.register({ name: "x", git: { provider: "git", url: other.bare, directory: DIR } }, new Date());
    expect(second.uid).not.toBe(first.uid);

    writes.release();
    await ingesting;
    expect(await rt.resources.list(second)).toEqual([]);
    // And what the old stage wrote did not stay behind in the partition either.
    const items = await documentClient(rt.settings).send(
      new QueryCommand({ TableName: rt.settings.tableName, KeyConditionExpression: "pk = :pk AND begins_with(sk, :p)", ExpressionAttributeValues: { ":pk": "FABRIC#x", ":p": "RES#" } }),
    );
    expect(items.Items ?? []).toEqual([]);
    await registry.remove("x", { force: true, now: new Date() });
  });

  it("a stage whose run was failed as lost meanwhile (its lease expired) stops before it commits", async () => {
    const { rt, repo, registry, run, base, deliver } = await startedRun(rawServerFiles(DIR, 10, 10));
    const reading = gate();
    const gitFor = async (fabric: Fabric): Promise<GitProvider> => {
      const real = await rt.gitFor(fabric);
      return Object.assign(Object.create(real) as GitProvider, {
        readBlobs: async (shas: Iterable<string>) => {
          await reading.pass();
          return real.readBlobs(shas);
        },
      });
    };
    const ingesting = deliver({ ...base, stages: { ...base.stages, ingest: ingestStage({ ...rt, gitFor }) } }, "ingest");
    await reading.arrived;
    const commitsBefore = repo.log().length;
    // Seen from a trigger well after the lease: the worker is presumed lost, the run failed, a new one starts.
    const later = new Date(Date.now() + (rt.settings.runLeaseSeconds + 60) * 1000);
    const next = await rt.runService.start({ fabricId: "x", kind: "sync", trigger: "api", now: later });
    expect(next.coalesced).toBe(false);
    expect(await rt.runs.get("x", run.runId)).toMatchObject({ status: "failed", error: expect.stringMatching(/^worker lost/) });
    reading.release();
    await ingesting;
    // The lost stage wrote nothing: no commit, no record; its run stays failed.
    expect(repo.log()).toHaveLength(commitsBefore);
    expect(await rt.resources.list((await rt.fabrics.require("x")))).toEqual([]);
    expect(await rt.runs.get("x", run.runId)).toMatchObject({ status: "failed" });
    await registry.remove("x", { force: true, now: new Date() });
  });
});
