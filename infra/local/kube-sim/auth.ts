// Authentication and authorization as the recording shows them: the configured bearer token is a
// cluster admin; any other token is 401; no token is system:anonymous, and an admin impersonating
// someone else acts as that user — neither has RBAC rights here, so both get 403.

import { timingSafeEqual } from "node:crypto";
import type { ApiRequest, RequestInfo } from "./api-request.js";
import { KubeResponseError } from "./errors.js";
import { goQuote } from "./go-text.js";
import { forbidden, statusBody, unauthorized } from "./status.js";

/** Paths kube-apiserver lets anyone read (system:public-info-viewer). */
const PUBLIC_PATHS = new Set(["/version", "/healthz", "/livez", "/readyz"]);

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function user(req: ApiRequest, token: string): string | undefined {
  const header = req.headers["authorization"];
  if (typeof header !== "string" || header === "") return "system:anonymous";
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (match === null || !sameToken((match[1] as string).trim(), token)) throw unauthorized();
  const impersonated = req.headers["impersonate-user"];
  return typeof impersonated === "string" && impersonated !== "" ? impersonated : undefined;
}

function denied(info: RequestInfo, who: string, path: string): KubeResponseError {
  if (!info.resourceRequest || info.verb === undefined || info.resource === "") {
    const message = `forbidden: User ${goQuote(who)} cannot get path ${goQuote(path)}`;
    return new KubeResponseError(403, statusBody({ code: 403, message, reason: "Forbidden", details: {} }), { "x-content-type-options": "nosniff" });
  }
  const qualified = info.group === "" ? info.resource : `${info.resource}.${info.group}`;
  const subject = info.name === "" ? qualified : `${qualified} ${goQuote(info.name)}`;
  const verb = info.verb === "apply" ? "patch" : info.verb;
  const scope = info.namespace === "" ? "at the cluster scope" : `in the namespace ${goQuote(info.namespace)}`;
  const message = `${subject} is forbidden: User ${goQuote(who)} cannot ${verb} resource ${goQuote(info.resource)} in API group ${goQuote(info.group)} ${scope}`;
  return forbidden(message, { name: info.name, group: info.group, kind: info.resource });
}

/** Throws the 401/403 a request gets; returns when the admin may proceed. */
export function authorize(req: ApiRequest, info: RequestInfo, token: string): void {
  const who = user(req, token);
  if (who === undefined) return;
  if (who === "system:anonymous" && PUBLIC_PATHS.has(req.path)) return;
  throw denied(info, who, req.path);
}
