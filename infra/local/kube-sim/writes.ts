// Create (POST), replace (PUT), merge/JSON patch and server-side apply (PATCH), in the order of
// checks kube-apiserver applies, so that each failure gets the status a real cluster gives.

import { randomInt } from "node:crypto";
import { admit } from "./admission.js";
import type { ApiRequest, WriteOptions } from "./api-request.js";
import { contentType, managerOf, writeOptions } from "./api-request.js";
import { JsonPatchApplyError } from "./errors.js";
import { readJson } from "./go-json.js";
import { goJsonKind, rfc3339 } from "./go-text.js";
import { clone, deepEqual, isObject, metadataOf, sortKeys } from "./json-values.js";
import type { JsonObject } from "./json-values.js";
import { decodeManagedFields, encodeManagedFields, recordApply, recordUpdate } from "./managed-fields.js";
import type { ManagerEntry, WriteContext } from "./managed-fields.js";
import { decodeObjectBody, decodePatchedObject, normalizeApplied, parseApplyBody, presentAt, requireObjectMediaType } from "./object-codec.js";
import { jsonPatch, mergePatch } from "./patches.js";
import { kindSubject, resourceSubject, storeKey } from "./sim-context.js";
import type { ApiResponse, ResourceRequest, SimContext } from "./sim-context.js";
import {
  OPTIMISTIC_LOCK_MESSAGE,
  alreadyExists,
  badRequest,
  conflict,
  internalWithoutReason,
  invalid,
  notFound,
  patchRejected,
} from "./status.js";
import { mergeApplied, typedConversionError } from "./typed-value.js";
import { validateCustomObject } from "./validate.js";

/** System metadata the server owns: copied from the stored object on every update. */
const SERVER_OWNED_METADATA = ["uid", "creationTimestamp", "resourceVersion", "generation", "deletionTimestamp", "deletionGracePeriodSeconds"];

const NAME_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

function generateName(prefix: string): string {
  let suffix = "";
  for (let i = 0; i < 5; i += 1) suffix += NAME_SUFFIX_ALPHABET[randomInt(NAME_SUFFIX_ALPHABET.length)];
  return `${prefix.slice(0, 58)}${suffix}`;
}

function ensureMetadata(obj: JsonObject): JsonObject {
  if (!isObject(obj["metadata"])) obj["metadata"] = {};
  return obj["metadata"] as JsonObject;
}

function withoutManagedFields(obj: JsonObject): JsonObject {
  const { managedFields: _managedFields, ...meta } = metadataOf(obj);
  return { ...obj, metadata: meta };
}

/** Everything but type, metadata and status: what `generation` counts changes of. */
function content(obj: JsonObject): JsonObject {
  const { apiVersion: _apiVersion, kind: _kind, metadata: _metadata, status: _status, ...rest } = obj;
  return rest;
}

function setManagedFields(obj: JsonObject, entries: readonly ManagerEntry[]): void {
  const meta = ensureMetadata(obj);
  if (entries.length > 0) meta["managedFields"] = encodeManagedFields(entries);
  else delete meta["managedFields"];
}

function writeContext(ctx: SimContext, rr: ResourceRequest): WriteContext {
  return { schema: rr.target.version.schema, apiVersion: `${rr.target.type.group}/${rr.target.version.name}`, now: rfc3339(ctx.now()) };
}

/** Objects are stored at the storage version (conversion strategy None: apiVersion only). */
function toStorage(obj: JsonObject, rr: ResourceRequest): JsonObject {
  return sortKeys({ ...obj, apiVersion: `${rr.target.type.group}/${rr.target.type.storageVersion}` });
}

function nameMismatch(bodyName: string, urlName: string): never {
  throw badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${urlName})`);
}

function checkNamespaceOnUpdate(meta: JsonObject, rr: ResourceRequest): void {
  if (!rr.target.type.namespaced) return;
  const bodyNamespace = typeof meta["namespace"] === "string" ? meta["namespace"] : "";
  if (bodyNamespace !== "" && bodyNamespace !== rr.namespace) {
    throw badRequest(`the namespace of the object (${bodyNamespace}) does not match the namespace on the URL (${rr.namespace})`);
  }
  meta["namespace"] = rr.namespace;
}

function requireNamespace(ctx: SimContext, rr: ResourceRequest): void {
  if (rr.target.type.namespaced && !ctx.namespaces.has(rr.namespace)) throw notFound({ group: "", name: "namespaces" }, rr.namespace);
}

function validateOrThrow(obj: JsonObject, rr: ResourceRequest): void {
  const errors = validateCustomObject(obj, rr.target.version.schema, rr.target.type.namespaced);
  if (errors.length > 0) throw invalid(kindSubject(rr.target.type), String(metadataOf(obj)["name"] ?? ""), errors);
}

/** Stamps a new object with what the server sets on create. */
function prepareForCreate(ctx: SimContext, obj: JsonObject, rr: ResourceRequest): void {
  const meta = ensureMetadata(obj);
  if (rr.target.type.statusSubresource) delete obj["status"];
  meta["uid"] = ctx.newUid();
  meta["creationTimestamp"] = rfc3339(ctx.now());
  meta["generation"] = 1;
  for (const key of ["resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"]) delete meta[key];
}

async function finishCreate(ctx: SimContext, rr: ResourceRequest, obj: JsonObject, options: WriteOptions): Promise<ApiResponse> {
  validateOrThrow(obj, rr);
  requireNamespace(ctx, rr);
  const name = String(metadataOf(obj)["name"]);
  await admit(ctx.admission, rr.target.type, "CREATE", obj, null);
  if (ctx.store.get(storeKey(rr.target.type), rr.namespace, name) !== undefined) throw alreadyExists(resourceSubject(rr.target.type), name);
  const stored = toStorage(obj, rr);
  if (options.dryRun) return { status: 201, body: presentAt(stored, rr.target) };
  return { status: 201, body: presentAt(ctx.store.create(storeKey(rr.target.type), stored), rr.target) };
}

type Ownership = { readonly kind: "update"; readonly entries: readonly ManagerEntry[]; readonly manager: string } | { readonly kind: "apply"; readonly entries: readonly ManagerEntry[] };

/** The common end of every write to an existing object. */
async function finishUpdate(ctx: SimContext, rr: ResourceRequest, existing: JsonObject, next: JsonObject, ownership: Ownership, options: WriteOptions): Promise<ApiResponse> {
  const type = rr.target.type;
  const meta = ensureMetadata(next);
  const existingMeta = metadataOf(existing);
  meta["name"] = existingMeta["name"];
  if (type.namespaced) meta["namespace"] = existingMeta["namespace"];
  delete meta["selfLink"];
  for (const key of SERVER_OWNED_METADATA) {
    if (key in existingMeta) meta[key] = existingMeta[key];
    else delete meta[key];
  }
  if (type.statusSubresource) {
    if ("status" in existing) next["status"] = clone(existing["status"]);
    else delete next["status"];
  }
  const entries =
    ownership.kind === "apply"
      ? ownership.entries
      : recordUpdate(ownership.entries, withoutManagedFields(existing), withoutManagedFields(next), ownership.manager, writeContext(ctx, rr));
  setManagedFields(next, entries);
  if (!deepEqual(content(existing), content(next))) meta["generation"] = Number(existingMeta["generation"] ?? 0) + 1;

  validateOrThrow(next, rr);
  const terminating = existingMeta["deletionTimestamp"] !== undefined;
  const finalizers = Array.isArray(meta["finalizers"]) ? (meta["finalizers"] as string[]) : [];
  if (terminating) {
    const before = Array.isArray(existingMeta["finalizers"]) ? (existingMeta["finalizers"] as string[]) : [];
    const added = finalizers.filter((f) => !before.includes(f));
    if (added.length > 0) {
      throw invalid(kindSubject(type), String(meta["name"]), [
        {
          type: "FieldValueForbidden",
          field: "metadata.finalizers",
          body: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(", ")}}`,
        },
      ]);
    }
  }
  await admit(ctx.admission, type, "UPDATE", next, existing);

  const stored = toStorage(next, rr);
  if (deepEqual(stored, existing)) return { status: 200, body: presentAt(existing, rr.target) };
  if (options.dryRun) return { status: 200, body: presentAt(stored, rr.target) };
  if (terminating && finalizers.length === 0) {
    // The last finalizer is gone: the object is deleted, and this answer is its final state.
    ctx.store.delete(storeKey(type), stored);
    return { status: 200, body: presentAt(stored, rr.target) };
  }
  return { status: 200, body: presentAt(ctx.store.update(storeKey(type), stored, existing), rr.target) };
}

function getExisting(ctx: SimContext, rr: ResourceRequest): JsonObject {
  const existing = ctx.store.get(storeKey(rr.target.type), rr.namespace, rr.name);
  if (existing === undefined) throw notFound(resourceSubject(rr.target.type), rr.name);
  return existing;
}

export async function createObject(ctx: SimContext, req: ApiRequest, rr: ResourceRequest, warnings: string[]): Promise<ApiResponse> {
  requireObjectMediaType(req);
  const options = writeOptions(req, "create");
  const obj = decodeObjectBody(req, rr.target, options.fieldValidation, warnings);
  const meta = ensureMetadata(obj);
  if (rr.target.type.namespaced) {
    const bodyNamespace = typeof meta["namespace"] === "string" ? meta["namespace"] : "";
    if (bodyNamespace !== "" && bodyNamespace !== rr.namespace) throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    meta["namespace"] = rr.namespace;
  }
  if ((typeof meta["name"] !== "string" || meta["name"] === "") && typeof meta["generateName"] === "string" && meta["generateName"] !== "") {
    meta["name"] = generateName(meta["generateName"]);
  }
  prepareForCreate(ctx, obj, rr);
  const provided = decodeManagedFields(obj) ?? [];
  const entries = recordUpdate(provided, {}, withoutManagedFields(obj), managerOf(req, options), writeContext(ctx, rr));
  setManagedFields(obj, entries);
  return finishCreate(ctx, { ...rr, name: String(meta["name"] ?? "") }, obj, options);
}

export async function replaceObject(ctx: SimContext, req: ApiRequest, rr: ResourceRequest, warnings: string[]): Promise<ApiResponse> {
  requireObjectMediaType(req);
  const options = writeOptions(req, "update");
  const obj = decodeObjectBody(req, rr.target, options.fieldValidation, warnings);
  const meta = ensureMetadata(obj);
  const bodyName = typeof meta["name"] === "string" ? meta["name"] : "";
  if (bodyName !== rr.name) nameMismatch(bodyName, rr.name);
  checkNamespaceOnUpdate(meta, rr);
  const existing = getExisting(ctx, rr);
  const resourceVersion = typeof meta["resourceVersion"] === "string" ? meta["resourceVersion"] : "";
  if (resourceVersion === "") {
    throw invalid(resourceSubject(rr.target.type), rr.name, [
      { type: "FieldValueInvalid", field: "metadata.resourceVersion", body: "Invalid value: 0x0: must be specified for an update" },
    ]);
  }
  if (resourceVersion !== metadataOf(existing)["resourceVersion"]) throw conflict(resourceSubject(rr.target.type), rr.name, OPTIMISTIC_LOCK_MESSAGE);
  const entries = decodeManagedFields(obj) ?? decodeManagedFields(existing) ?? [];
  return finishUpdate(ctx, rr, existing, obj, { kind: "update", entries, manager: managerOf(req, options) }, options);
}

export async function patchObject(ctx: SimContext, req: ApiRequest, rr: ResourceRequest, warnings: string[]): Promise<ApiResponse> {
  const options = writeOptions(req, "patch");
  const merge = contentType(req) === "application/merge-patch+json";
  const parsed = readJson(req.body);
  if (!parsed.ok) throw badRequest(`error decoding patch: ${parsed.message}`);
  const patch = parsed.value;
  if (merge && !isObject(patch)) throw badRequest(`error decoding patch: json: cannot unmarshal ${goJsonKind(patch)} into Go value of type map[string]interface {}`);
  if (!merge && !Array.isArray(patch)) throw badRequest(`error decoding patch: json: cannot unmarshal ${goJsonKind(patch)} into Go value of type []handlers.jsonPatchOp`);
  const existing = getExisting(ctx, rr);
  const current = clone(presentAt(existing, rr.target));
  let patched: unknown;
  try {
    patched = merge ? mergePatch(current, patch) : jsonPatch(current, patch as unknown[]);
  } catch (error) {
    if (error instanceof JsonPatchApplyError) throw patchRejected();
    throw error;
  }
  if (!isObject(patched)) throw badRequest("the patch does not result in an object");
  const obj = decodePatchedObject(patched, rr.target, merge ? parsed.duplicates : [], options.fieldValidation, warnings);
  const meta = ensureMetadata(obj);
  const name = typeof meta["name"] === "string" ? meta["name"] : "";
  if (name !== rr.name) nameMismatch(name, rr.name);
  checkNamespaceOnUpdate(meta, rr);
  const existingMeta = metadataOf(existing);
  const resourceVersion = meta["resourceVersion"];
  if (typeof resourceVersion === "string" && resourceVersion !== "" && resourceVersion !== existingMeta["resourceVersion"]) {
    throw conflict(resourceSubject(rr.target.type), rr.name, OPTIMISTIC_LOCK_MESSAGE);
  }
  const uid = meta["uid"];
  if (typeof uid === "string" && uid !== "" && uid !== existingMeta["uid"]) {
    throw conflict(resourceSubject(rr.target.type), rr.name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${String(existingMeta["uid"])}`);
  }
  const entries = decodeManagedFields(obj) ?? decodeManagedFields(existing) ?? [];
  return finishUpdate(ctx, rr, existing, obj, { kind: "update", entries, manager: managerOf(req, options) }, options);
}

function gvkString(apiVersion: unknown, kind: unknown): string {
  const version = typeof apiVersion === "string" ? apiVersion : "";
  const slash = version.indexOf("/");
  const [group, ver] = slash >= 0 ? [version.slice(0, slash), version.slice(slash + 1)] : ["", version];
  return `${group}/${ver}, Kind=${typeof kind === "string" ? kind : ""}`;
}

export async function applyObject(ctx: SimContext, req: ApiRequest, rr: ResourceRequest): Promise<ApiResponse> {
  const options = writeOptions(req, "apply");
  const { obj: config } = parseApplyBody(req);
  const type = rr.target.type;
  const configMeta = isObject(config["metadata"]) ? config["metadata"] : {};
  if (configMeta["managedFields"] !== undefined && configMeta["managedFields"] !== null) throw badRequest("metadata.managedFields must be nil");
  if (config["apiVersion"] !== `${type.group}/${rr.target.version.name}` || config["kind"] !== type.kind) {
    throw badRequest(`invalid object type: ${gvkString(config["apiVersion"], config["kind"])}`);
  }
  const configName = typeof configMeta["name"] === "string" ? configMeta["name"] : "";
  if (configName !== "" && configName !== rr.name) nameMismatch(configName, rr.name);
  const configNamespace = typeof configMeta["namespace"] === "string" ? configMeta["namespace"] : "";
  if (type.namespaced && configNamespace !== "" && configNamespace !== rr.namespace) {
    throw badRequest(`the namespace of the object (${configNamespace}) does not match the namespace on the URL (${rr.namespace})`);
  }
  const typeError = typedConversionError(rr.target.version.schema, config);
  if (typeError !== undefined) {
    const where = type.namespaced ? `${rr.namespace}/${rr.name}` : rr.name;
    throw internalWithoutReason(`failed to create typed patch object (${where}; ${type.group}/${rr.target.version.name}, Kind=${type.kind}): ${typeError}`);
  }
  const existing = ctx.store.get(storeKey(type), rr.namespace, rr.name);
  const configVersion = configMeta["resourceVersion"];
  if (typeof configVersion === "string" && configVersion !== "" && configVersion !== metadataOf(existing ?? {})["resourceVersion"]) {
    throw conflict(resourceSubject(type), rr.name, OPTIMISTIC_LOCK_MESSAGE);
  }
  const live = existing === undefined ? {} : withoutManagedFields(presentAt(existing, rr.target));
  const merged = mergeApplied(rr.target.version.schema, live, config);
  const prior = existing === undefined ? [] : (decodeManagedFields(existing) ?? []);
  const manager = options.fieldManager as string;
  const { object, entries } = recordApply(prior, live, merged, config, manager, options.force === true, writeContext(ctx, rr));
  const meta = ensureMetadata(object);
  meta["name"] = rr.name;
  if (type.namespaced) meta["namespace"] = rr.namespace;
  // Unknown fields were rejected above; what remains may still need structural defaults.
  const applied = normalizeApplied(object, rr.target);
  if (existing !== undefined) return finishUpdate(ctx, rr, existing, applied, { kind: "apply", entries }, options);
  prepareForCreate(ctx, applied, rr);
  setManagedFields(applied, entries);
  return finishCreate(ctx, rr, applied, options);
}
