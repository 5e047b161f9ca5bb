// GET of one object and of a collection (selectors, limit/continue pagination).

import type { ApiRequest } from "./api-request.js";
import { decodeContinue, encodeContinue } from "./continue-token.js";
import { labelsOf, metadataOf } from "./json-values.js";
import type { JsonObject } from "./json-values.js";
import { presentAt } from "./object-codec.js";
import { parseFieldSelector, parseLabelSelector } from "./selectors.js";
import type { FieldSelector, LabelSelector } from "./selectors.js";
import { resourceSubject, storeKey } from "./sim-context.js";
import type { ApiResponse, ResourceRequest, SimContext } from "./sim-context.js";
import { badRequest, notFound } from "./status.js";

export interface Selection {
  readonly labels: LabelSelector;
  readonly fields: FieldSelector;
  /** No selector given: kube-apiserver then reports remainingItemCount. */
  readonly empty: boolean;
}

export function selection(req: ApiRequest): Selection {
  const labelText = req.query.get("labelSelector") ?? undefined;
  const fieldText = req.query.get("fieldSelector") ?? undefined;
  return {
    labels: parseLabelSelector(labelText),
    fields: parseFieldSelector(fieldText),
    empty: (labelText ?? "").trim() === "" && (fieldText ?? "").trim() === "",
  };
}

export function selects(sel: Selection, obj: JsonObject): boolean {
  const meta = metadataOf(obj);
  return sel.labels.matches(labelsOf(obj)) && sel.fields.matches({ "metadata.name": String(meta["name"] ?? ""), "metadata.namespace": String(meta["namespace"] ?? "") });
}

/** The stored objects a collection request selects, in key order. */
export function listSelection(ctx: SimContext, req: ApiRequest, rr: ResourceRequest): JsonObject[] {
  const sel = selection(req);
  const all = ctx.store.list(storeKey(rr.target.type), rr.namespace === "" ? undefined : rr.namespace);
  return all.filter((entry) => selects(sel, entry.object)).map((entry) => entry.object);
}

export function getObject(ctx: SimContext, rr: ResourceRequest): ApiResponse {
  const obj = ctx.store.get(storeKey(rr.target.type), rr.namespace, rr.name);
  if (obj === undefined) throw notFound(resourceSubject(rr.target.type), rr.name);
  return { status: 200, body: presentAt(obj, rr.target) };
}

function parseLimit(text: string | null): number {
  if (text === null || text === "") return 0;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 0) throw badRequest(`invalid limit: ${text}`);
  return limit;
}

export function listObjects(ctx: SimContext, req: ApiRequest, rr: ResourceRequest): ApiResponse {
  const type = rr.target.type;
  const sel = selection(req);
  const limit = parseLimit(req.query.get("limit"));
  const token = req.query.get("continue");
  let start = "";
  let revision = ctx.store.revision;
  if (token !== null && token !== "") {
    const decoded = decodeContinue(token);
    if (!decoded.ok) throw badRequest(`invalid continue token: ${decoded.reason}`);
    // The sim keeps no snapshots: later pages read current data but report the first page's revision.
    start = decoded.start;
    revision = decoded.revision;
  }
  const namespaced = rr.namespace !== "";
  const relative = (key: string): string => (namespaced ? key.slice(rr.namespace.length + 1) : key);
  const candidates = ctx.store
    .list(storeKey(type), namespaced ? rr.namespace : undefined)
    .filter((entry) => relative(entry.key) >= start && selects(sel, entry.object));
  const page = limit > 0 ? candidates.slice(0, limit) : candidates;
  const remaining = candidates.length - page.length;
  const metadata: JsonObject = { continue: "" };
  const last = page[page.length - 1];
  if (remaining > 0 && last !== undefined) {
    metadata["continue"] = encodeContinue(relative(last.key), revision);
    if (sel.empty) metadata["remainingItemCount"] = remaining;
  }
  metadata["resourceVersion"] = String(revision);
  return {
    status: 200,
    body: { apiVersion: `${type.group}/${rr.target.version.name}`, items: page.map((entry) => presentAt(entry.object, rr.target)), kind: type.listKind, metadata },
  };
}
