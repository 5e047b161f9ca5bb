// The simulated etcd: objects per resource type, one revision counter shared by all of them (so a
// list's resourceVersion is the store's revision, never lower than any item's), and a bounded
// history of changes that watches replay from.

import { metadataOf } from "./json-values.js";
import type { JsonObject } from "./json-values.js";

export type ChangeType = "ADDED" | "MODIFIED" | "DELETED";

export interface ChangeEvent {
  readonly type: ChangeType;
  /** `<group>/<plural>` of the object. */
  readonly resource: string;
  readonly revision: number;
  /** The object after the change; for DELETED, its last state carrying the deletion revision. */
  readonly object: JsonObject;
  /** The object before the change (MODIFIED and DELETED). */
  readonly previous?: JsonObject;
}

class Table {
  readonly objects = new Map<string, JsonObject>();
  private sorted: string[] | undefined;

  keys(): string[] {
    this.sorted ??= [...this.objects.keys()].sort();
    return this.sorted;
  }

  invalidate(): void {
    this.sorted = undefined;
  }
}

export function objectKey(namespace: string, name: string): string {
  return namespace === "" ? name : `${namespace}/${name}`;
}

function keyOf(obj: JsonObject): string {
  const meta = metadataOf(obj);
  return objectKey(String(meta["namespace"] ?? ""), String(meta["name"]));
}

/** Stored objects are frozen: a handler that edits one in place (instead of a copy) fails loudly. */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function withRevision(obj: JsonObject, revision: number): JsonObject {
  return deepFreeze({ ...obj, metadata: { ...metadataOf(obj), resourceVersion: String(revision) } });
}

export class ObjectStore {
  private readonly tables = new Map<string, Table>();
  private readonly history: ChangeEvent[] = [];
  private readonly listeners = new Set<(event: ChangeEvent) => void>();
  private current: number;
  /** Watches may resume from this revision or later; older ones are "too old". */
  private floor: number;

  constructor(
    initialRevision: number,
    private readonly historyLimit: number,
  ) {
    this.current = initialRevision;
    this.floor = initialRevision;
  }

  get revision(): number {
    return this.current;
  }

  /** The oldest revision a watch can start from. */
  get oldestWatchable(): number {
    return this.floor;
  }

  private table(resource: string): Table {
    let table = this.tables.get(resource);
    if (table === undefined) {
      table = new Table();
      this.tables.set(resource, table);
    }
    return table;
  }

  get(resource: string, namespace: string, name: string): JsonObject | undefined {
    return this.tables.get(resource)?.objects.get(objectKey(namespace, name));
  }

  /** Objects of a resource in key order (namespace, then name), optionally of one namespace. */
  list(resource: string, namespace?: string): { key: string; object: JsonObject }[] {
    const table = this.tables.get(resource);
    if (table === undefined) return [];
    const prefix = namespace === undefined ? undefined : `${namespace}/`;
    const out: { key: string; object: JsonObject }[] = [];
    for (const key of table.keys()) {
      if (prefix !== undefined && !key.startsWith(prefix)) continue;
      out.push({ key, object: table.objects.get(key) as JsonObject });
    }
    return out;
  }

  count(resource?: string): number {
    if (resource !== undefined) return this.tables.get(resource)?.objects.size ?? 0;
    let n = 0;
    for (const table of this.tables.values()) n += table.objects.size;
    return n;
  }

  resources(): string[] {
    return [...this.tables.keys()].sort();
  }

  /** Takes the next revision for a change kept outside the tables (a CRD the simulator serves). */
  advance(): number {
    this.current += 1;
    return this.current;
  }

  /** Stores a new object under the next revision and returns it as stored. */
  create(resource: string, obj: JsonObject): JsonObject {
    const stored = withRevision(obj, this.current + 1);
    const table = this.table(resource);
    table.objects.set(keyOf(stored), stored);
    table.invalidate();
    this.commit({ type: "ADDED", resource, revision: this.current + 1, object: stored });
    return stored;
  }

  update(resource: string, obj: JsonObject, previous: JsonObject): JsonObject {
    const stored = withRevision(obj, this.current + 1);
    this.table(resource).objects.set(keyOf(stored), stored);
    this.commit({ type: "MODIFIED", resource, revision: this.current + 1, object: stored, previous });
    return stored;
  }

  /** Removes the object; the DELETED event carries its last state with the deletion revision. */
  delete(resource: string, previous: JsonObject): JsonObject {
    const table = this.table(resource);
    table.objects.delete(keyOf(previous));
    table.invalidate();
    const last = withRevision(previous, this.current + 1);
    this.commit({ type: "DELETED", resource, revision: this.current + 1, object: last, previous });
    return last;
  }

  private commit(event: ChangeEvent): void {
    this.current = event.revision;
    this.history.push(event);
    if (this.history.length > this.historyLimit) {
      const evicted = this.history.splice(0, this.history.length - this.historyLimit);
      this.floor = (evicted[evicted.length - 1] as ChangeEvent).revision;
    }
    for (const listener of [...this.listeners]) listener(event);
  }

  /** Changes after `revision`, or undefined when the history no longer reaches back that far. */
  changesSince(revision: number): ChangeEvent[] | undefined {
    if (revision < this.floor) return undefined;
    let low = 0;
    let high = this.history.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.history[mid] as ChangeEvent).revision <= revision) low = mid + 1;
      else high = mid;
    }
    return this.history.slice(low);
  }

  subscribe(listener: (event: ChangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
