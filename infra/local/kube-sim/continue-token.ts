// List continue tokens in kube-apiserver's format: base64url (no padding) of
// {"v":"meta.k8s.io/v1","rv":<list revision>,"start":"<next key>\u0000"}.

import { readJson } from "./go-json.js";
import { isObject } from "./json-values.js";

const TOKEN_VERSION = "meta.k8s.io/v1";

export function encodeContinue(lastKey: string, revision: number): string {
  return Buffer.from(JSON.stringify({ v: TOKEN_VERSION, rv: revision, start: `${lastKey}\u0000` })).toString("base64url");
}

export type DecodedContinue = { readonly ok: true; readonly start: string; readonly revision: number } | { readonly ok: false; readonly reason: string };

export function decodeContinue(token: string): DecodedContinue {
  const illegal = /[^A-Za-z0-9_-]/.exec(token);
  if (illegal !== null || token.length % 4 === 1) {
    const at = illegal !== null ? illegal.index : token.length - 1;
    return { ok: false, reason: `continue key is not valid: illegal base64 data at input byte ${at}` };
  }
  const bytes = Buffer.from(token, "base64url").toString("latin1");
  const parsed = readJson(bytes, true);
  if (!parsed.ok) return { ok: false, reason: `continue key is not valid: ${parsed.message}` };
  const value = parsed.value;
  if (!isObject(value) || value["v"] !== TOKEN_VERSION) {
    return { ok: false, reason: "continue key is not valid: server does not recognize this encoded version" };
  }
  const start = value["start"];
  const revision = value["rv"];
  if (typeof start !== "string" || typeof revision !== "number" || start === "") {
    return { ok: false, reason: "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)" };
  }
  return { ok: true, start: Buffer.from(start, "latin1").toString("utf8"), revision };
}
