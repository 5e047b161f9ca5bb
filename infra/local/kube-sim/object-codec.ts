// Turning request bodies into custom objects the way kube-apiserver's decoders do: content types,
// JSON/YAML, apiVersion/kind checks, dropping unknown fields (warning or failing per the request's
// fieldValidation), structural defaults; and the messages each failure produces.

import { parse as parseYaml } from "yaml";
import type { ApiRequest, FieldValidation } from "./api-request.js";
import { contentType } from "./api-request.js";
import type { ResourceAtVersion } from "./catalog.js";
import { KubeResponseError } from "./errors.js";
import { readJson } from "./go-json.js";
import { goJsonKind, goQuote } from "./go-text.js";
import { isObject, sortKeys } from "./json-values.js";
import type { JsonObject } from "./json-values.js";
import { OBJECT_META } from "./schema.js";
import { badRequest, statusBody, unsupportedMediaType } from "./status.js";
import { applyDefaults, pruneUnknownFields } from "./structural.js";
import { dropMalformedMetadata } from "./validate.js";

export const OBJECT_MEDIA_TYPES = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"];

/** summarizeData: the first 30 bytes of a JSON body, for "unrecognized object" messages. */
function summarize(body: string): string {
  if (body.length === 0) return "<empty>";
  if (body.startsWith("{")) return body.length > 30 ? `${body.slice(0, 30)} ...` : body;
  const hex = Buffer.from(body).subarray(0, 30).toString("hex");
  return Buffer.byteLength(body) > 30 ? `${hex} ...` : hex;
}

function unrecognized(target: ResourceAtVersion, reason: string, body: string): KubeResponseError {
  return badRequest(`the object provided is unrecognized (must be of type ${target.type.kind}): ${reason} (${summarize(body)})`);
}

/** The media types a POST or PUT body may have (415 otherwise), checked before anything else. */
export function requireObjectMediaType(req: ApiRequest): void {
  const type = contentType(req);
  if (type !== "" && type !== "application/json" && type !== "application/yaml") throw unsupportedMediaType(OBJECT_MEDIA_TYPES);
}

function parseBody(req: ApiRequest, target: ResourceAtVersion): { value: unknown; duplicates: readonly string[] } {
  const type = contentType(req);
  if (type === "application/yaml") {
    try {
      return { value: parseYaml(req.body) as unknown, duplicates: [] };
    } catch (error) {
      throw unrecognized(target, `error converting YAML to JSON: ${(error as Error).message.split("\n")[0]}`, req.body);
    }
  }
  const parsed = readJson(req.body);
  if (!parsed.ok) throw unrecognized(target, `couldn't get version/kind; json parse error: ${parsed.message}`, req.body);
  return { value: parsed.value, duplicates: parsed.duplicates };
}

/** "the API version in the data ... does not match", with the odd warnings a same-group, unserved version gets. */
function checkTypeMeta(obj: JsonObject, target: ResourceAtVersion, body: string, warnings: string[]): void {
  const apiVersion = obj["apiVersion"];
  const kind = obj["kind"];
  if (typeof kind !== "string" || kind === "") throw unrecognized(target, `Object 'Kind' is missing in '${body}'`, body);
  if (typeof apiVersion !== "string" || apiVersion === "") throw unrecognized(target, `Object 'apiVersion' is missing in '${body}'`, body);
  const expected = `${target.type.group}/${target.version.name}`;
  if (apiVersion !== expected) {
    if (apiVersion.startsWith(`${target.type.group}/`)) {
      // Decoding into a version the CRD does not serve keeps only the type and object meta.
      for (const key of Object.keys(obj).sort()) {
        if (key !== "apiVersion" && key !== "kind" && key !== "metadata") warnings.push(`unknown field ${goQuote(key)}`);
      }
    }
    throw badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${expected})`);
  }
  if (kind !== target.type.kind) {
    throw badRequest(`${kind} in version ${goQuote(target.version.name)} cannot be handled as a ${target.type.kind}: no kind ${goQuote(kind)} is registered for version ${goQuote(expected)}`);
  }
}

function strictMessages(duplicates: readonly string[], unknown: readonly string[]): string[] {
  return [...duplicates.map((d) => `duplicate field ${goQuote(d)}`), ...unknown.map((u) => `unknown field ${goQuote(u)}`)];
}

/**
 * Prunes unknown fields and defaults in place. Under Warn the complaints become warnings; under
 * Strict they are returned for the caller to turn into its verb's error.
 */
function normalize(obj: JsonObject, target: ResourceAtVersion, duplicates: readonly string[], validation: FieldValidation, warnings: string[]): string[] {
  dropMalformedMetadata(obj, OBJECT_META);
  const unknown = pruneUnknownFields(obj, target.version.schema);
  applyDefaults(obj, target.version.schema);
  const messages = strictMessages(duplicates, unknown);
  if (validation === "Strict") return messages;
  if (validation === "Warn") warnings.push(...messages);
  return [];
}

/** The body of a POST or PUT as the object to store; warnings go to `warnings`. */
export function decodeObjectBody(req: ApiRequest, target: ResourceAtVersion, validation: FieldValidation, warnings: string[]): JsonObject {
  const { value, duplicates } = parseBody(req, target);
  if (!isObject(value)) {
    throw unrecognized(
      target,
      `couldn't get version/kind; json parse error: json: cannot unmarshal ${goJsonKind(value)} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`,
      req.body,
    );
  }
  checkTypeMeta(value, target, req.body, warnings);
  const strict = normalize(value, target, duplicates, validation, warnings);
  if (strict.length > 0) {
    throw badRequest(`${target.type.kind} in version ${goQuote(target.version.name)} cannot be handled as a ${target.type.kind}: strict decoding error: ${strict.join(", ")}`);
  }
  return value;
}

/** The result of a merge or JSON patch, decoded like a body; strict failures are 422s that quote the object. */
export function decodePatchedObject(patched: JsonObject, target: ResourceAtVersion, duplicates: readonly string[], validation: FieldValidation, warnings: string[]): JsonObject {
  const quoted = validation === "Strict" ? JSON.stringify(sortKeys(patched)) : "";
  const strict = normalize(patched, target, duplicates, validation, warnings);
  if (strict.length > 0) {
    const body = `Invalid value: ${goQuote(quoted)}: strict decoding error: ${strict.join(", ")}`;
    throw new KubeResponseError(
      422,
      statusBody({ code: 422, reason: "Invalid", message: ` "" is invalid: patch: ${body}`, details: { causes: [{ reason: "FieldValueInvalid", message: body, field: "patch" }] } }),
    );
  }
  return patched;
}

/** Structural normalization of an applied object (its unknown fields were already rejected). */
export function normalizeApplied(obj: JsonObject, target: ResourceAtVersion): JsonObject {
  normalize(obj, target, [], "Ignore", []);
  return obj;
}

/** An apply-patch body: JSON, or YAML (of which JSON is a subset). */
export function parseApplyBody(req: ApiRequest): { obj: JsonObject; duplicates: readonly string[] } {
  const text = req.body.trimStart();
  let value: unknown;
  let duplicates: readonly string[] = [];
  if (text.startsWith("{") || text.startsWith("[")) {
    const parsed = readJson(req.body);
    if (!parsed.ok) throw badRequest(`error decoding YAML: ${parsed.message}`);
    value = parsed.value;
    duplicates = parsed.duplicates;
  } else {
    try {
      value = parseYaml(req.body) as unknown;
    } catch (error) {
      throw badRequest(`error decoding YAML: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  if (!isObject(value)) throw badRequest(`error decoding YAML: cannot unmarshal ${goJsonKind(value)} into an object`);
  return { obj: value, duplicates };
}

/** Warning header lines (RFC 7234 style, as kube-apiserver writes them). */
export function warningHeader(texts: readonly string[]): string[] {
  return texts.map((text) => `299 - ${goQuote(text)}`);
}

/** An object as the request's version presents it (conversion strategy None: only apiVersion differs). */
export function presentAt(obj: JsonObject, target: ResourceAtVersion): JsonObject {
  const apiVersion = `${target.type.group}/${target.version.name}`;
  return obj["apiVersion"] === apiVersion ? obj : { ...obj, apiVersion };
}
