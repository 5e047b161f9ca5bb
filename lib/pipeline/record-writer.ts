// How a stage writes what it learned about the resources, in one place for both stages: the history
// entries of every change, the records with the objects that changed, the records that are gone, and
// the fabric's roll-up. The order makes a stage that dies part-way safe to run again: history entries
// have deterministic keys (run and step), so writing them first and again is harmless; a record carries
// the hash of its stored objects, so it is written with them; the roll-up is compared with what is
// stored and rewritten by whichever stage finds it stale.
import { createHash } from "node:crypto";
import type { Stage } from "../config/settings.js";
import type { Registration, ResourceRepository, StoredResource } from "../store/resources.js";
import { historyEntry, type HistoryEntry } from "./history.js";
import type { ResourceObjects, ResourceRecord } from "./resource-model.js";
import { rollupOf } from "./rollup.js";

export interface RecordWrite {
  readonly fabric: Registration;
  readonly runId: string;
  readonly stage: Stage;
  /** The stage's position in its run's chain (orders a run's history entries). */
  readonly step: number;
  readonly at: string;
  /** What the stage read before (list()). */
  readonly stored: ReadonlyMap<string, StoredResource>;
  readonly upserts: readonly ResourceRecord[];
  readonly forgotten: readonly string[];
  /** Records removed because prune deleted their object (their history says "pruned"). */
  readonly pruned?: ReadonlySet<string>;
  /** Desired objects by id (ingest: the normalized Git object of each valid resource). */
  readonly desired?: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** Live objects by id, server fields stripped; null: not in the cluster (reconcile). */
  readonly live?: ReadonlyMap<string, Readonly<Record<string, unknown>> | null>;
  /** Called as records are written: how many of how many. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface RecordWriteResult {
  readonly written: number;
  readonly history: number;
}

/** Stable across key order and runs: the hash that says whether a stored object must be written again. */
export function objectHash(object: unknown): string {
  const canonical = JSON.stringify(object, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
  return createHash("sha256").update(canonical).digest("hex");
}

/** The records with the hashes of the objects stored with them, and the objects to write. */
function withObjects(input: RecordWrite): { records: ResourceRecord[]; objects: Map<string, ResourceObjects> } {
  const objects = new Map<string, ResourceObjects>();
  const records = input.upserts.map((record) => {
    let next = record;
    const entry: { desired?: Readonly<Record<string, unknown>> | null; live?: Readonly<Record<string, unknown>> | null } = {};
    const desired = input.desired?.get(record.id);
    if (desired !== undefined) {
      const hash = objectHash(desired);
      if (hash !== input.stored.get(record.id)?.record.desiredHash) entry.desired = desired;
      next = { ...next, desiredHash: hash };
    }
    if (input.live?.has(record.id)) {
      const live = input.live.get(record.id) ?? null;
      const hash = live === null ? null : objectHash(live);
      if (hash !== (input.stored.get(record.id)?.record.liveHash ?? null)) entry.live = live;
      next = { ...next, liveHash: hash };
    }
    if (entry.desired !== undefined || entry.live !== undefined) objects.set(record.id, entry);
    return next;
  });
  return { records, objects };
}

export async function writeRecords(store: ResourceRepository, input: RecordWrite): Promise<RecordWriteResult> {
  const { fabric, stored } = input;
  const { records, objects } = withObjects(input);
  const context = { at: input.at, runId: input.runId, stage: input.stage, step: input.step };
  const history: HistoryEntry[] = [];
  for (const record of records) {
    const entry = historyEntry(stored.get(record.id)?.record ?? null, record, context);
    if (entry) history.push(entry);
  }
  for (const id of input.forgotten) {
    const entry = historyEntry(stored.get(id)?.record ?? null, null, context, input.pruned?.has(id) ? "pruned" : "removed");
    if (entry) history.push(entry);
  }
  const rollupBefore = await store.getRollup(fabric);
  await store.writeHistory(fabric, history);
  const written = await store.writeChanged(fabric, records, stored, input.at, objects, input.onProgress);
  await store.delete(fabric, input.forgotten, stored);

  const final = new Map<string, ResourceRecord>([...stored].map(([id, s]) => [id, s.record]));
  for (const id of input.forgotten) final.delete(id);
  for (const record of records) final.set(record.id, record);
  await store.putRollup(fabric, rollupOf(final.values()), rollupBefore, input.at);
  return { written, history: history.length };
}
