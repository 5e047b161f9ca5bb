// Replays every recorded exchange with kube-apiserver v1.32 (test/fixtures/kube-transcripts,
// copied from /work/shared/kube-transcripts) against the simulator, one fresh simulator per file,
// and requires each answer to match the recorded one. What "match" allows for is documented in
// transcript-matcher.ts. No step is skipped.

import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKubeSim } from "../../../infra/local/kube-sim/index.js";
import type { KubeSim } from "../../../infra/local/kube-sim/index.js";
import { hedgehogCrds as crds } from "./crds.js";
import { Bindings, canonicalStatus, compare } from "./transcript-matcher.js";
import { Replayer } from "./transcript-replayer.js";
import type { RecordedStep } from "./transcript-replayer.js";

const transcriptDir = fileURLToPath(new URL("../../fixtures/kube-transcripts", import.meta.url));

/** Every timestamp the simulator writes is this one, so `<timestamp>` in a request has one meaning. */
const FROZEN_NOW = "2026-11-22T10:00:00Z";
const TOKEN = "conformance-admin-token";

const files = readdirSync(transcriptDir)
  .filter((f) => /^\d\d-.*\.json$/.test(f))
  .sort();

describe("transcripts", () => {
  it("are all here (14 files, every Hedgehog CRD loaded)", () => {
    expect(files).toHaveLength(14);
    expect(crds).toHaveLength(19);
  });
});

for (const file of files) {
  const steps = JSON.parse(readFileSync(join(transcriptDir, file), "utf8")) as RecordedStep[];

  describe(file, () => {
    let sim: KubeSim;
    let replayer: Replayer;

    beforeAll(async () => {
      sim = await startKubeSim({ crds, token: TOKEN, clock: () => new Date(FROZEN_NOW) });
      replayer = new Replayer(sim.url, TOKEN, FROZEN_NOW);
    });

    afterAll(async () => {
      replayer.close();
      await sim.close();
    });

    for (const step of steps) {
      const id = `${file}#${step.step}`;
      it(`step ${step.step}: ${step.name}`, async () => {
        const problems = await replayer.replay(step);
        expect(problems, `${id} ${step.name}\n${problems.join("\n")}`).toEqual([]);
      });
    }
  });
}

describe("the comparator", () => {
  const bindings = (): Bindings => new Bindings(FROZEN_NOW);

  it("binds placeholders and insists on them afterwards", () => {
    const b = bindings();
    expect(compare({ rv: "<rv:1>" }, { rv: "1001" }, b)).toEqual([]);
    expect(compare({ rv: "<rv:1>" }, { rv: "1002" }, b)).toHaveLength(1);
    expect(compare({ rv: "<rv:2>" }, { rv: "1001" }, b)).toHaveLength(1);
  });

  it("requires resourceVersions to keep the recorded order", () => {
    const b = bindings();
    expect(compare("<rv:2>", "1005", b)).toEqual([]);
    expect(compare("<rv:1>", "1009", b)).toHaveLength(1);
    expect(compare("<rv:1>", "1003", b)).toEqual([]);
  });

  it("finds placeholders inside messages", () => {
    const b = bindings();
    expect(compare('record (<uid:1>). x "<timestamp>"', 'record (0f8a6b9e-55ce-4bd4-9b53-2c1a1d4f2b10). x "2026-11-22T10:00:00Z"', b)).toEqual([]);
    expect(compare("record (<uid:1>).", "record (not-a-uid).", bindings())).toHaveLength(1);
  });

  it("reports missing, extra and different keys, and array lengths", () => {
    expect(compare({ a: 1, b: [1, 2], d: 4 }, { a: 2, c: 3, b: [1] }, bindings())).toHaveLength(4);
  });

  it("compares several causes, and the bracketed message, as a set", () => {
    const status = (order: number[]): unknown => {
      const causes = order.map((i) => ({ reason: "FieldValueRequired", message: "Required value", field: `spec.f${i}` }));
      return { kind: "Status", message: `X "n" is invalid: [${causes.map((c) => `${c.field}: ${c.message}`).join(", ")}]`, details: { causes } };
    };
    expect(compare(canonicalStatus(status([1, 2])), canonicalStatus(status([2, 1])), bindings())).toEqual([]);
    expect(compare(canonicalStatus(status([1, 2])), canonicalStatus(status([1, 3])), bindings()).length).toBeGreaterThan(0);
  });
});
