// One API request as the handlers see it, what it addresses (kube-apiserver's RequestInfo), and
// the request options every write validates the way kube-apiserver does.

import type { IncomingHttpHeaders } from "node:http";
import { goQuote } from "./go-text.js";
import { KubeResponseError } from "./errors.js";
import { statusBody } from "./status.js";
import type { FieldError } from "./status.js";
import { fieldErrors } from "./validate.js";

export type KubeVerb = "get" | "list" | "watch" | "create" | "update" | "patch" | "apply" | "delete" | "deletecollection";

export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What a request addresses, parsed from its path the way RequestInfoFactory does. */
export interface RequestInfo {
  readonly resourceRequest: boolean;
  readonly verb: KubeVerb | undefined;
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
  readonly segments: readonly string[];
}

export function contentType(req: ApiRequest): string {
  const raw = req.headers["content-type"];
  return (typeof raw === "string" ? raw : "").split(";")[0]?.trim().toLowerCase() ?? "";
}

export function isWatch(query: URLSearchParams): boolean {
  const value = query.get("watch");
  return value === "true" || value === "1";
}

export function requestInfo(req: ApiRequest): RequestInfo {
  const segments = req.path
    .split("/")
    .filter((s) => s !== "")
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  const base = { segments, group: "", version: "", resource: "", subresource: "", namespace: "", name: "" };
  if (segments[0] !== "apis" || segments.length < 4) return { ...base, resourceRequest: false, verb: undefined };
  const group = segments[1] as string;
  const version = segments[2] as string;
  let rest = segments.slice(3);
  let namespace = "";
  if (rest[0] === "namespaces" && rest.length >= 3) {
    namespace = rest[1] as string;
    rest = rest.slice(2);
  }
  const resource = rest[0] ?? "";
  const name = rest[1] ?? "";
  const subresource = rest.slice(2).join("/");
  let verb: KubeVerb | undefined;
  switch (req.method) {
    case "GET":
      verb = name !== "" ? "get" : isWatch(req.query) ? "watch" : "list";
      break;
    case "POST":
      verb = "create";
      break;
    case "PUT":
      verb = "update";
      break;
    case "PATCH":
      verb = contentType(req) === "application/apply-patch+yaml" ? "apply" : "patch";
      break;
    case "DELETE":
      verb = name !== "" ? "delete" : "deletecollection";
      break;
    default:
      verb = undefined;
  }
  return { segments, group, version, resource, subresource, namespace, name, resourceRequest: true, verb };
}

export type FieldValidation = "Ignore" | "Warn" | "Strict";

export interface WriteOptions {
  readonly dryRun: boolean;
  readonly fieldValidation: FieldValidation;
  readonly fieldManager: string | undefined;
  readonly force: boolean | undefined;
}

/** Which options kind kube-apiserver validates for a verb (named in its 422 messages). */
function optionsKind(verb: KubeVerb): string {
  if (verb === "create") return "CreateOptions";
  if (verb === "update") return "UpdateOptions";
  if (verb === "delete" || verb === "deletecollection") return "DeleteOptions";
  return "PatchOptions";
}

function optionsInvalid(kind: string, errors: readonly FieldError[]): KubeResponseError {
  const parts = errors.map((e) => `${e.field}: ${e.body}`);
  const message = `${kind}.meta.k8s.io "" is invalid: ${parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`}`;
  return new KubeResponseError(
    422,
    statusBody({
      code: 422,
      message,
      reason: "Invalid",
      details: { group: "meta.k8s.io", kind, causes: errors.map((e) => ({ reason: e.type, message: e.body, field: e.field })) },
    }),
  );
}

const PRINTABLE = /^[\P{C}]*$/u;

/**
 * Parses and validates the query options of a write. `userAgent` names the manager of imperative
 * writes without a fieldManager, as kube-apiserver derives it (the User-Agent up to its first "/").
 */
export function writeOptions(req: ApiRequest, verb: KubeVerb): WriteOptions {
  const errors: FieldError[] = [];
  const dryRunValues = req.query.getAll("dryRun");
  const badDryRun = dryRunValues.filter((v) => v !== "All");
  if (badDryRun.length > 0) {
    errors.push({ type: "FieldValueNotSupported", field: "dryRun", body: `Unsupported value: []string{${dryRunValues.map((v) => goQuote(v)).join(", ")}}: supported values: "All"` });
  }
  const rawValidation = req.query.get("fieldValidation");
  let fieldValidation: FieldValidation = "Warn";
  if (rawValidation !== null && rawValidation !== "") {
    if (rawValidation === "Ignore" || rawValidation === "Warn" || rawValidation === "Strict") fieldValidation = rawValidation;
    else errors.push(fieldErrors.notSupported("fieldValidation", rawValidation, ["", "Ignore", "Strict", "Warn"]));
  }
  const fieldManager = req.query.get("fieldManager") ?? undefined;
  if (fieldManager !== undefined) {
    if (fieldManager.length > 128) errors.push(fieldErrors.tooLong("fieldManager", 128));
    if (!PRINTABLE.test(fieldManager)) errors.push(fieldErrors.invalid("fieldManager", fieldManager, "must only contain printable characters"));
  }
  const rawForce = req.query.get("force");
  const force = rawForce === null ? undefined : rawForce === "true" || rawForce === "1";
  if (verb === "apply" && (fieldManager === undefined || fieldManager === "")) {
    errors.push(fieldErrors.required("fieldManager", "is required for apply patch"));
  }
  if (verb === "patch" && rawForce !== null) errors.push(fieldErrors.forbidden("force", "may not be specified for non-apply patch"));
  if (errors.length > 0) throw optionsInvalid(optionsKind(verb), errors);
  return { dryRun: dryRunValues.length > 0, fieldValidation, fieldManager, force };
}

/** The manager of an imperative write: fieldManager, else the User-Agent's product name. */
export function managerOf(req: ApiRequest, options: WriteOptions): string {
  if (options.fieldManager) return options.fieldManager;
  const agent = req.headers["user-agent"];
  const product = (typeof agent === "string" ? agent : "").split("/")[0] ?? "";
  return [...product].filter((ch) => PRINTABLE.test(ch)).join("").slice(0, 129);
}
