import { describe, expect, it } from "vitest";
import { isRetryable } from "../../../lib/errors.js";
import {
  FORGOTTEN,
  IllegalTransitionError,
  OBSERVATIONS,
  RESOURCE_STATES,
  TRANSITIONS,
  UNTRACKED,
  canTransition,
  next,
  replay,
} from "../../../lib/state/index.js";
import type { FromState, Observation } from "../../../lib/state/index.js";

// The expected table, written out independently of lib/state so that a change to any cell there
// fails here. "-" marks an illegal cell. Columns follow the header row.
const EXPECTED = `
            ingested  edited-via-api discarded apply-sent cluster-matches cluster-differs cluster-missing removed-from-git cluster-only no-cluster pruned
untracked   committed draft          -         -          -               -               -               -                orphaned     -          -
draft       committed draft          forgotten -          draft           draft           draft           draft            draft        draft      -
committed   committed draft          -         pending    synced          drifted         committed       forgotten        -            committed  -
pending     pending   draft          -         pending    synced          drifted         committed       orphaned         -            committed  -
synced      pending   draft          -         -          synced          drifted         committed       orphaned         -            committed  -
drifted     pending   draft          -         pending    synced          drifted         committed       orphaned         -            committed  -
orphaned    pending   draft          -         -          -               -               forgotten       -                orphaned     forgotten  forgotten
`;

function parseExpected(text: string): Map<string, string | null> {
  const rows = text.trim().split("\n").map((line) => line.trim().split(/\s+/));
  const [header, ...body] = rows;
  if (header === undefined) throw new Error("empty table");
  const cells = new Map<string, string | null>();
  for (const row of body) {
    const [from, ...targets] = row;
    targets.forEach((target, i) => cells.set(`${from} ${header[i]}`, target === "-" ? null : target));
  }
  return cells;
}

const expected = parseExpected(EXPECTED);
const FROM_STATES: readonly FromState[] = [UNTRACKED, ...RESOURCE_STATES];

describe("transition table", () => {
  it("has a deliberate cell for every state and observation, and nothing else", () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...FROM_STATES].sort());
    for (const from of FROM_STATES) {
      expect(Object.keys(TRANSITIONS[from]).sort()).toEqual([...OBSERVATIONS].sort());
    }
    expect(expected.size).toBe(FROM_STATES.length * OBSERVATIONS.length);
  });

  const legal = [...expected].filter(([, to]) => to !== null);
  const forbidden = [...expected].filter(([, to]) => to === null);

  it.each(legal)("%s -> %s", (cell, to) => {
    const [from, observation] = cell.split(" ") as [FromState, Observation];
    expect(next(from, observation)).toBe(to);
    expect(canTransition(from, observation)).toBe(true);
  });

  it.each(forbidden)("%s is illegal", (cell) => {
    const [from, observation] = cell.split(" ") as [FromState, Observation];
    expect(canTransition(from, observation)).toBe(false);
    let thrown: unknown;
    try {
      next(from, observation);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(IllegalTransitionError);
    const error = thrown as IllegalTransitionError;
    expect(error.from).toBe(from);
    expect(error.observation).toBe(observation);
    expect(error.reason.length).toBeGreaterThan(10);
    expect(error.message).toContain(`${from} cannot take "${observation}"`);
    expect(isRetryable(error)).toBe(false);
  });

  it("rejects values outside the vocabulary", () => {
    expect(() => next("bogus" as FromState, "ingested")).toThrow(IllegalTransitionError);
    expect(() => next("synced", "bogus" as Observation)).toThrow(IllegalTransitionError);
    expect(canTransition("synced", "bogus" as Observation)).toBe(false);
  });

  it("never leads back to untracked", () => {
    for (const from of FROM_STATES) {
      for (const observation of OBSERVATIONS) {
        if (canTransition(from, observation)) expect(next(from, observation)).not.toBe(UNTRACKED);
      }
    }
  });
});

describe("reconciler scenarios", () => {
  it("apply mode: ingest, apply, observe", () => {
    expect(replay(UNTRACKED, ["ingested", "cluster-missing", "apply-sent", "cluster-matches"])).toBe("synced");
  });

  it("drift is detected and corrected", () => {
    expect(replay("synced", ["cluster-differs"])).toBe("drifted");
    expect(replay("synced", ["cluster-differs", "apply-sent", "cluster-matches"])).toBe("synced");
  });

  it("observe mode leaves drift reported", () => {
    expect(replay("synced", ["cluster-differs", "cluster-differs"])).toBe("drifted");
  });

  it("a Git change of a synced resource waits for the cluster", () => {
    expect(replay("synced", ["ingested"])).toBe("pending");
    expect(replay("synced", ["ingested", "apply-sent", "cluster-differs"])).toBe("drifted");
  });

  it("removal from Git orphans the cluster object until it is pruned", () => {
    expect(replay("synced", ["removed-from-git", "cluster-only", "pruned"])).toBe(FORGOTTEN);
  });

  it("an API draft is committed by ingest, then reconciled", () => {
    expect(replay(UNTRACKED, ["edited-via-api", "cluster-missing", "ingested", "apply-sent", "cluster-matches"])).toBe("synced");
  });

  it("without a cluster, Git resources stay committed and orphans are dropped", () => {
    expect(replay("drifted", ["no-cluster"])).toBe("committed");
    expect(replay("orphaned", ["no-cluster"])).toBe(FORGOTTEN);
  });

  it("an empty replay keeps the state", () => {
    expect(replay("pending", [])).toBe("pending");
  });

  it("stops at the first illegal observation, and after the record is forgotten", () => {
    expect(() => replay("synced", ["cluster-matches", "apply-sent"])).toThrow(/synced cannot take "apply-sent"/);
    expect(() => replay("orphaned", ["pruned", "cluster-only"])).toThrow(/forgotten cannot take "cluster-only"/);
  });
});
