// metadata.managedFields: who owns which fields, updated the way kube-apiserver's field manager
// does for imperative writes (operation Update) and server-side apply (operation Apply), including
// apply conflicts and the removal of fields an applier stops applying.

import type { KubeResponseError } from "./errors.js";
import { ancestors, appliedFields, compareObjects, fromFieldsV1, pathString, removePaths, toFieldsV1 } from "./field-paths.js";
import type { FieldSet } from "./field-paths.js";
import { goQuote } from "./go-text.js";
import { isObject } from "./json-values.js";
import type { JsonObject } from "./json-values.js";
import type { SchemaNode } from "./schema.js";
import { applyConflict } from "./status.js";

export interface ManagerEntry {
  readonly manager: string;
  readonly operation: "Apply" | "Update";
  readonly apiVersion: string;
  readonly time?: string;
  readonly subresource?: string;
  readonly fields: FieldSet;
}

/** BuildManagerIdentifier: appliers are one manager whatever apiVersion they applied with. */
function identity(entry: Pick<ManagerEntry, "manager" | "operation" | "apiVersion" | "subresource">): string {
  return JSON.stringify([entry.manager, entry.operation, entry.operation === "Update" ? entry.apiVersion : "", entry.subresource ?? ""]);
}

/** How a conflict message names a manager: Update managers come with their apiVersion. */
function describe(entry: ManagerEntry): string {
  let text = goQuote(entry.manager);
  if (entry.subresource) text += ` with subresource ${goQuote(entry.subresource)}`;
  if (entry.operation === "Update") text += ` using ${entry.apiVersion}`;
  return text;
}

/** Reads metadata.managedFields; undefined when absent or malformed (the caller then keeps the live ones). */
export function decodeManagedFields(obj: JsonObject): ManagerEntry[] | undefined {
  const raw = isObject(obj["metadata"]) ? obj["metadata"]["managedFields"] : undefined;
  if (!Array.isArray(raw) || raw.length === 0) return undefined;
  const entries: ManagerEntry[] = [];
  for (const item of raw) {
    if (!isObject(item)) return undefined;
    const operation = item["operation"];
    if (operation !== "Apply" && operation !== "Update") return undefined;
    if (item["fieldsType"] !== "FieldsV1" || typeof item["manager"] !== "string") return undefined;
    const fields = fromFieldsV1(item["fieldsV1"] ?? {});
    if (fields === undefined) return undefined;
    entries.push({
      manager: item["manager"],
      operation,
      apiVersion: typeof item["apiVersion"] === "string" ? item["apiVersion"] : "",
      ...(typeof item["time"] === "string" ? { time: item["time"] } : {}),
      ...(typeof item["subresource"] === "string" && item["subresource"] !== "" ? { subresource: item["subresource"] } : {}),
      fields,
    });
  }
  return entries;
}

/** The managedFields array, in kube-apiserver's order: operation, time, manager, apiVersion. */
export function encodeManagedFields(entries: readonly ManagerEntry[]): JsonObject[] {
  const seconds = (e: ManagerEntry): number => (e.time ? Date.parse(e.time) : 0);
  const sorted = [...entries].sort(
    (a, b) =>
      cmp(a.operation, b.operation) ||
      seconds(a) - seconds(b) ||
      cmp(a.manager, b.manager) ||
      cmp(a.apiVersion, b.apiVersion) ||
      cmp(a.subresource ?? "", b.subresource ?? ""),
  );
  return sorted.map((e) => ({
    apiVersion: e.apiVersion,
    fieldsType: "FieldsV1",
    fieldsV1: toFieldsV1(e.fields),
    manager: e.manager,
    operation: e.operation,
    ...(e.subresource ? { subresource: e.subresource } : {}),
    ...(e.time ? { time: e.time } : {}),
  }));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function minus(set: FieldSet, remove: Iterable<string>): FieldSet {
  const out = new Set(set);
  for (const key of remove) out.delete(key);
  return out;
}

function intersect(set: FieldSet, other: FieldSet): FieldSet {
  const out: FieldSet = new Set();
  for (const key of set) if (other.has(key)) out.add(key);
  return out;
}

export interface WriteContext {
  readonly schema: SchemaNode;
  readonly apiVersion: string;
  readonly now: string;
}

/**
 * An imperative write (create, PUT, merge or JSON patch) by `manager`: it takes the fields it added
 * or changed from everyone else, and removed fields leave every manager.
 */
export function recordUpdate(
  entries: readonly ManagerEntry[],
  before: JsonObject,
  after: JsonObject,
  manager: string,
  ctx: WriteContext,
): ManagerEntry[] {
  const { added, modified, removed } = compareObjects(ctx.schema, before, after);
  const taken = new Set([...added, ...modified]);
  const self = { manager, operation: "Update" as const, apiVersion: ctx.apiVersion };
  const selfId = identity(self);
  const out: ManagerEntry[] = [];
  let previous: ManagerEntry | undefined;
  for (const entry of entries) {
    if (identity(entry) === selfId) {
      previous = entry;
      continue;
    }
    const fields = minus(minus(entry.fields, taken), removed);
    if (fields.size > 0) out.push({ ...entry, fields });
  }
  const ownFields = new Set([...minus(previous?.fields ?? new Set(), removed), ...taken]);
  if (ownFields.size > 0) {
    // The timestamp moves only when this write took fields, i.e. when the object changed.
    const time = taken.size > 0 ? ctx.now : previous?.time;
    out.push({ ...self, ...(time ? { time } : {}), fields: ownFields });
  }
  return out;
}

export interface ApplyResult {
  readonly object: JsonObject;
  readonly entries: ManagerEntry[];
}

/**
 * Server-side apply of `config` by `manager` onto `live` (the empty object when creating):
 * merge, drop what this manager applied before and no longer applies (unless someone else owns
 * it), and check that no other manager's field changes unless `force`.
 */
export function recordApply(
  entries: readonly ManagerEntry[],
  live: JsonObject,
  merged: JsonObject,
  config: JsonObject,
  manager: string,
  force: boolean,
  ctx: WriteContext,
): ApplyResult {
  const self = { manager, operation: "Apply" as const, apiVersion: ctx.apiVersion };
  const selfId = identity(self);
  const previous = entries.find((e) => identity(e) === selfId);
  const others = entries.filter((e) => identity(e) !== selfId);
  const applied = appliedFields(ctx.schema, config);

  if (previous) {
    const owned = new Set([...applied, ...others.flatMap((e) => [...e.fields])]);
    const keep = ancestors(owned);
    const dropped = [...previous.fields].filter((key) => !owned.has(key) && !keep.has(key));
    removePaths(ctx.schema, merged, dropped);
  }

  const { added, modified, removed } = compareObjects(ctx.schema, live, merged);
  const changed = new Set([...added, ...modified]);
  const conflicts: { entry: ManagerEntry; key: string }[] = [];
  for (const entry of others) for (const key of intersect(entry.fields, changed)) conflicts.push({ entry, key });
  if (conflicts.length > 0 && !force) throw conflictError(conflicts);

  const out: ManagerEntry[] = [];
  for (const entry of others) {
    const fields = minus(minus(entry.fields, changed), removed);
    if (fields.size > 0) out.push({ ...entry, fields });
  }
  const objectChanged = changed.size > 0 || removed.size > 0;
  const time = objectChanged || previous?.time === undefined ? ctx.now : previous.time;
  if (applied.size > 0) out.push({ ...self, time, fields: applied });
  return { object: merged, entries: out };
}

function conflictError(conflicts: readonly { entry: ManagerEntry; key: string }[]): KubeResponseError {
  const sorted = [...conflicts].sort((a, b) => cmp(describe(a.entry), describe(b.entry)) || cmp(pathString(a.key), pathString(b.key)));
  const causes = sorted.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with ${describe(c.entry)}`, field: pathString(c.key) }));
  if (sorted.length === 1) {
    const only = sorted[0] as { entry: ManagerEntry; key: string };
    return applyConflict(`Apply failed with 1 conflict: conflict with ${describe(only.entry)}: ${pathString(only.key)}`, causes);
  }
  const lines: string[] = [];
  let current = "";
  for (const c of sorted) {
    const who = describe(c.entry);
    if (who !== current) lines.push(`conflicts with ${who}:`);
    current = who;
    lines.push(`- ${pathString(c.key)}`);
  }
  return applyConflict(`Apply failed with ${sorted.length} conflicts: ${lines.join("\n")}`, causes);
}
