// A crash anywhere in the ingest stage, then redelivery of the same message, ends in the same repository
// and table state as an uninterrupted run: nothing lost, nothing duplicated (DESIGN §6).
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { defineWiring } from "../../../infra/wiring-types.js";
import { wiring as realWiring } from "../../../infra/wiring.js";
import { FabricService } from "../../../lib/api/fabrics.js";
import { trustPolicy } from "../../../lib/config/index.js";
import { RetryableError } from "../../../lib/errors.js";
import type { Fabric } from "../../../lib/fabrics/schema.js";
import type { GitProvider } from "../../../lib/git/provider.js";
import { StageRetryLaterError } from "../../../lib/pipeline/errors.js";
import { ingestStage } from "../../../lib/pipeline/ingest-stage.js";
import { initStage } from "../../../lib/pipeline/init-stage.js";
import type { ResourceRecord } from "../../../lib/pipeline/resource-model.js";
import { workerRuntime as runtime } from "../../../lib/pipeline/connectors.js";
import { runStage, type StageRunnerDeps } from "../../../lib/pipeline/stage-runner.js";
import { ResourceRepository, type Registration, type StoredResource } from "../../../lib/store/resources.js";
import { startTestStack, type TestStack } from "../../support/local-stack.js";
import { seedRepository, type SeededRepository } from "../../support/seed-repo.js";

const DIR = "gitops/hedgehog/f";
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), "utf8");
const queuesOnly = defineWiring({ functions: {}, routes: [], queues: realWiring.queues, consumers: [], schedules: [] });
const CLOCK = () => new Date("2026-11-22T12:00:00Z");

// Retryable, like a Lambda that dies mid-invocation: the message is not deleted and comes back.
class SimulatedCrash extends RetryableError {}

type CrashPoint = "after-planning" | "after-commit" | "midway-records" | null;

function crashingDeps(point: CrashPoint): { gitFor: (f: Fabric) => Promise<GitProvider>; resources: ResourceRepository } {
  const rt = runtime();
  let armed = point !== null;
  const gitFor = async (fabric: Fabric): Promise<GitProvider> => {
    const real = await rt.gitFor(fabric);
    return Object.assign(Object.create(real) as GitProvider, {
      commit: async (request: Parameters<GitProvider["commit"]>[0]) => {
        if (armed && point === "after-planning") {
          armed = false;
          throw new SimulatedCrash("crash after planning");
        }
        const sha = await real.commit(request);
        if (armed && point === "after-commit") {
          armed = false;
          throw new SimulatedCrash("crash after the commit");
        }
        return sha;
      },
    });
  };
  class CrashingResources extends ResourceRepository {
    override async writeChanged(registration: Registration, records: readonly ResourceRecord[], stored: ReadonlyMap<string, StoredResource>, at: string) {
      if (armed && point === "midway-records") {
        armed = false;
        await super.writeChanged(registration, records.slice(0, Math.floor(records.length / 2)), stored, at);
        throw new SimulatedCrash("crash midway through the record writes");
      }
      return super.writeChanged(registration, records, stored, at);
    }
  }
  const resources = new CrashingResources((rt.resources as unknown as { db: never }).db, rt.settings.tableName);
  return { gitFor, resources };
}

describe("ingest crash recovery", () => {
  const repos: SeededRepository[] = [];
  const stacks: TestStack[] = [];
  afterAll(async () => {
    for (const s of stacks) await s.close();
    for (const r of repos) r.cleanup();
  });

  /**
   * A fresh table and a fresh copy of the scenario's repository (same fabric name, so the commits are
   * byte-identical), init, then ingest with a crash and a redelivery.
   */
  async function scenario(crash: CrashPoint) {
    const name = "fabric-1";
    const stack = await startTestStack({ wiring: queuesOnly });
    stacks.push(stack);
    const repo = seedRepository({
      [`${DIR}/raw/prepop.yaml`]: fixture("hedgehog/samples/vlab-wiring-prepop.yaml"),
      [`${DIR}/raw/test-vpc.yaml`]: fixture("hedgehog/samples/hnp-raw-test-vpc.yaml"),
      [`${DIR}/raw/configmap.yaml`]: fixture("pipeline/configmap.yaml"),
      [`${DIR}/raw/broken-vpc.yaml`]: fixture("pipeline/broken-vpc.yaml"),
    });
    repos.push(repo);
    const rt = runtime();
    await new FabricService(rt.fabrics, trustPolicy(rt.settings)).register({ name, git: { provider: "git", url: repo.bare, directory: DIR } }, CLOCK());
    const started = await rt.runService.start({ fabricId: name, kind: "sync", trigger: "api", now: CLOCK() });
    const base: StageRunnerDeps = { ...rt, clock: CLOCK, stages: { init: initStage(rt), ingest: ingestStage(rt) } };
    // No time left for an in-stage retry: a crash ends the delivery, as a dying Lambda's would.
    const deliver = (deps: StageRunnerDeps, stage: "init" | "ingest", receiveCount: number) =>
      runStage({ message: { v: 1, fabricId: name, runId: started.runId, stage }, receiveCount, maxReceiveCount: 5, remainingTimeMs: () => 0 }, deps);

    await deliver(base, "init", 1);
    if (crash) {
      const crashing = crashingDeps(crash);
      const deps = { ...base, stages: { ...base.stages, ingest: ingestStage({ ...rt, ...crashing }) } };
      await expect(deliver(deps, "ingest", 1)).rejects.toThrow(StageRetryLaterError);
    }
    await deliver(base, "ingest", crash ? 2 : 1);
    // A late duplicate of the same message changes nothing either.
    await deliver(base, "ingest", 3);

    const run = (await rt.runs.get(name, started.runId))!;
    const records = (await rt.resources.list((await rt.fabrics.require(name)))).map((s) => ({ ...s.record, recordVersion: s.recordVersion })).sort((a, b) => (a.id < b.id ? -1 : 1));
    await stack.close();
    return { repo, run, records };
  }

  let reference: Awaited<ReturnType<typeof scenario>>;
  it("an uninterrupted run is the reference", async () => {
    reference = await scenario(null);
    expect(reference.run.status).toBe("succeeded");
    expect(reference.repo.log()).toHaveLength(3);
    expect(reference.records).toHaveLength(47);
    expect(reference.records.every((r) => r.recordVersion === 1)).toBe(true);
  });

  it.each(["after-planning", "after-commit", "midway-records"] as const)("a crash %s, then redelivery, ends in the same state", async (point) => {
    const result = await scenario(point);
    expect(result.run.status).toBe("succeeded");
    expect(result.run.stages.ingest?.errors.join()).toContain("SimulatedCrash");
    // Same commits (same shas: fixed clock), same files, same records — and no record written twice.
    expect(result.repo.log()).toEqual(reference.repo.log());
    expect(result.repo.tree()).toEqual(reference.repo.tree());
    expect(result.repo.head()).toBe(reference.repo.head());
    expect(result.records).toEqual(reference.records);
  });
});
