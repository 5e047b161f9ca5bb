// DELETE of one object and of a collection. Without controllers there is no garbage collector: an
// object with finalizers is only marked terminating and waits for them to be removed; propagation
// policies change nothing.

import { admit } from "./admission.js";
import type { ApiRequest } from "./api-request.js";
import { writeOptions } from "./api-request.js";
import { readJson } from "./go-json.js";
import { rfc3339 } from "./go-text.js";
import { isObject, metadataOf, sortKeys } from "./json-values.js";
import type { JsonObject } from "./json-values.js";
import { presentAt } from "./object-codec.js";
import { listSelection } from "./reads.js";
import { kindSubject, resourceSubject, storeKey } from "./sim-context.js";
import type { ApiResponse, ResourceRequest, SimContext } from "./sim-context.js";
import { badRequest, conflict, notFound, statusBody } from "./status.js";

interface DeleteOptions {
  readonly dryRun: boolean;
  readonly uid?: string;
  readonly resourceVersion?: string;
}

function deleteOptions(req: ApiRequest): DeleteOptions {
  const fromQuery = writeOptions(req, "delete");
  if (req.body.trim() === "") return { dryRun: fromQuery.dryRun };
  const parsed = readJson(req.body);
  if (!parsed.ok) throw badRequest(`couldn't get version/kind; json parse error: ${parsed.message}`);
  const body = isObject(parsed.value) ? parsed.value : {};
  const preconditions = isObject(body["preconditions"]) ? body["preconditions"] : {};
  const dryRunInBody = Array.isArray(body["dryRun"]) && body["dryRun"].length > 0;
  return {
    dryRun: fromQuery.dryRun || dryRunInBody,
    ...(typeof preconditions["uid"] === "string" ? { uid: preconditions["uid"] } : {}),
    ...(typeof preconditions["resourceVersion"] === "string" ? { resourceVersion: preconditions["resourceVersion"] } : {}),
  };
}

function finalizersOf(obj: JsonObject): string[] {
  const finalizers = metadataOf(obj)["finalizers"];
  return Array.isArray(finalizers) ? (finalizers as string[]) : [];
}

/** Deletes (or starts deleting) one stored object; returns what the client sees of it. */
async function deleteOne(ctx: SimContext, rr: ResourceRequest, existing: JsonObject, dryRun: boolean): Promise<{ gone: boolean; object: JsonObject }> {
  const type = rr.target.type;
  await admit(ctx.admission, type, "DELETE", null, existing);
  const meta = metadataOf(existing);
  if (finalizersOf(existing).length > 0) {
    if (meta["deletionTimestamp"] !== undefined) return { gone: false, object: existing };
    const terminating = sortKeys({
      ...existing,
      metadata: { ...meta, deletionTimestamp: rfc3339(ctx.now()), deletionGracePeriodSeconds: 0, generation: Number(meta["generation"] ?? 0) + 1 },
    });
    if (dryRun) return { gone: false, object: terminating };
    return { gone: false, object: ctx.store.update(storeKey(type), terminating, existing) };
  }
  if (!dryRun) ctx.store.delete(storeKey(type), existing);
  return { gone: true, object: existing };
}

export async function deleteObject(ctx: SimContext, req: ApiRequest, rr: ResourceRequest): Promise<ApiResponse> {
  const options = deleteOptions(req);
  const type = rr.target.type;
  const existing = ctx.store.get(storeKey(type), rr.namespace, rr.name);
  if (existing === undefined) throw notFound(resourceSubject(type), rr.name);
  const meta = metadataOf(existing);
  if (options.uid !== undefined && options.uid !== meta["uid"]) {
    throw conflict(
      kindSubject(type),
      rr.name,
      `the UID in the precondition (${options.uid}) does not match the UID in record (${String(meta["uid"])}). The object might have been deleted and then recreated`,
    );
  }
  if (options.resourceVersion !== undefined && options.resourceVersion !== meta["resourceVersion"]) {
    throw conflict(
      kindSubject(type),
      rr.name,
      `the ResourceVersion in the precondition (${options.resourceVersion}) does not match the ResourceVersion in record (${String(meta["resourceVersion"])}). The object might have been modified`,
    );
  }
  const { gone, object } = await deleteOne(ctx, rr, existing, options.dryRun);
  if (!gone) return { status: 200, body: presentAt(object, rr.target) };
  return {
    status: 200,
    body: statusBody({ code: 200, success: true, details: { name: rr.name, group: type.group, kind: type.plural, uid: String(meta["uid"]) } }),
  };
}

/** DELETE on a collection: the selected objects, each deleted as by DELETE, returned as a list. */
export async function deleteCollection(ctx: SimContext, req: ApiRequest, rr: ResourceRequest): Promise<ApiResponse> {
  const options = deleteOptions(req);
  const type = rr.target.type;
  const revision = ctx.store.revision;
  const selected = listSelection(ctx, req, rr);
  const items: JsonObject[] = [];
  for (const existing of selected) {
    const { object } = await deleteOne(ctx, rr, existing, options.dryRun);
    items.push(presentAt(object, rr.target));
  }
  return {
    status: 200,
    body: { apiVersion: `${type.group}/${rr.target.version.name}`, items, kind: type.listKind, metadata: { continue: "", resourceVersion: String(revision) } },
  };
}
