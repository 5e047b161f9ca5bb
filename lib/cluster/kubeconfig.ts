// A fabric's kubeconfig, from its secret (DESIGN §14): checked before the Kubernetes client sees it.
// Errors say "not a valid kubeconfig (<which setting>)" and name kubeconfig fields, never content —
// the YAML loader's own messages quote lines of the text, and the text may be any secret.
// A kubeconfig may not make the engine read a file or run a command (certificate-authority, tokenFile,
// client-certificate/-key paths, exec, auth-provider) or talk through a proxy; its server must be on
// the host allow-list.
import { load } from "js-yaml";
import { assertUrlAllowed } from "../net/guarded-fetch.js";
import type { HostPolicy } from "../net/hosts.js";
import { ClusterConfigError } from "./errors.js";
import type { ClusterEndpoint } from "./kube-http.js";

/** Fields that name a file, a command or another host, per kubeconfig list, with what to use instead. */
const REFUSED_FIELDS: readonly (readonly [list: "clusters" | "users", entry: "cluster" | "user", field: string, instead: string])[] = [
  ["clusters", "cluster", "certificate-authority", "embed the CA as certificate-authority-data"],
  ["clusters", "cluster", "proxy-url", "the engine connects to the server directly"],
  ["users", "user", "client-certificate", "embed it as client-certificate-data"],
  ["users", "user", "client-key", "embed it as client-key-data"],
  ["users", "user", "tokenFile", "put the token itself in token"],
  ["users", "user", "token-file", "put the token itself in token"],
  ["users", "user", "exec", "no command is run; use token or client-certificate-data"],
  ["users", "user", "auth-provider", "no auth provider is run; use token or client-certificate-data"],
];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Why the parsed document is not a kubeconfig we use, naming the field; null when it is. */
export function kubeconfigProblem(document: unknown): string | null {
  if (!isRecord(document)) return "not a YAML mapping";
  for (const list of ["clusters", "users", "contexts"] as const) {
    if (!Array.isArray(document[list]) || document[list].length === 0) return `${list} is missing or empty`;
  }
  if (typeof document["current-context"] !== "string" || document["current-context"] === "") return "current-context is missing";
  for (const [list, entry, field, instead] of REFUSED_FIELDS) {
    const items = document[list] as unknown[];
    for (const [index, item] of items.entries()) {
      const inner = isRecord(item) ? item[entry] : undefined;
      if (isRecord(inner) && field in inner) return `${list}[${index}].${entry}.${field} is not allowed (${instead})`;
    }
  }
  return null;
}

type Named = { readonly name?: unknown } & Record<string, unknown>;

/** The entry of `list` named `name`, and its inner object (`cluster`, `user`, `context`). */
function entryNamed(document: Record<string, unknown>, list: "clusters" | "users" | "contexts", inner: string, name: unknown): Record<string, unknown> | undefined {
  const entry = (document[list] as Named[]).find((item) => isRecord(item) && item.name === name);
  const value = entry?.[inner];
  return isRecord(value) ? value : undefined;
}

const decoded = (base64: unknown): string | undefined => (typeof base64 === "string" && base64 !== "" ? Buffer.from(base64, "base64").toString("utf8") : undefined);
const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/**
 * Loads `text` (the value of the secret named by `setting`, e.g. "cluster.kubeconfig") as kubectl reads
 * a kubeconfig's current context, and checks its server against the allow-list. Throws
 * ClusterConfigError or HostNotAllowedError.
 */
export function loadKubeconfig(source: string, setting: string, hosts: HostPolicy): ClusterEndpoint {
  const invalid = (why: string) => new ClusterConfigError(`not a valid kubeconfig (${setting}): ${why}`);
  let document: unknown;
  try {
    document = load(source);
  } catch {
    throw invalid("not YAML");
  }
  const problem = kubeconfigProblem(document);
  if (problem !== null) throw invalid(problem);
  const config = document as Record<string, unknown>;
  const context = entryNamed(config, "contexts", "context", config["current-context"]);
  if (!context) throw invalid("current-context names no context");
  const cluster = entryNamed(config, "clusters", "cluster", context["cluster"]);
  if (!cluster || typeof cluster["server"] !== "string" || cluster["server"] === "") throw invalid("current-context names no cluster");
  const user = context["user"] === undefined ? {} : entryNamed(config, "users", "user", context["user"]);
  if (!user) throw invalid("current-context names no user");
  const server = cluster["server"];
  assertUrlAllowed(server, hosts, `the kubeconfig's server (${setting})`);
  const endpoint: ClusterEndpoint = {
    server,
    ...(decoded(cluster["certificate-authority-data"]) ? { ca: decoded(cluster["certificate-authority-data"])! } : {}),
    ...(cluster["insecure-skip-tls-verify"] === true ? { insecureSkipTlsVerify: true } : {}),
    ...(text(cluster["tls-server-name"]) ? { tlsServerName: text(cluster["tls-server-name"])! } : {}),
    ...(text(user["token"]) ? { token: text(user["token"])! } : {}),
    ...(decoded(user["client-certificate-data"]) ? { cert: decoded(user["client-certificate-data"])! } : {}),
    ...(decoded(user["client-key-data"]) ? { key: decoded(user["client-key-data"])! } : {}),
    ...(text(user["username"]) ? { username: text(user["username"])!, password: text(user["password"]) ?? "" } : {}),
  };
  if ((endpoint.cert === undefined) !== (endpoint.key === undefined)) throw invalid("client-certificate-data and client-key-data go together");
  return endpoint;
}
