// Which hosts the engine may talk to (DESIGN §14): the operator's allow-list, https only; loopback (any
// port, plain http too) only in the local deployment, where the simulated servers live. Pure: the same
// check runs at registration (422) and before every outbound request, redirects included.

/** The setting an operator changes to allow a host; named in every refusal. */
export const ALLOWED_HOSTS_SETTING = "HH_GITOPS_ALLOWED_HOSTS";

export const DEFAULT_ALLOWED_HOSTS: readonly string[] = ["github.com", "api.github.com", "codeload.github.com"];

export interface HostPolicy {
  /** Lowercase host names (or IP literals, IPv6 without brackets) that https requests may go to. */
  readonly allowedHosts: readonly string[];
  /** Local deployment: 127.0.0.1, localhost and ::1 are allowed too, over http or https. */
  readonly allowLoopback: boolean;
}

const LOOPBACK: ReadonlySet<string> = new Set(["127.0.0.1", "localhost", "::1"]);

/** A URL host as compared: lowercase, IPv6 without brackets, no trailing dot. */
export function canonicalHost(hostname: string): string {
  return hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "");
}

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.has(canonicalHost(hostname));
}

/** Why a request to `url` is not allowed, or null when it is. Messages name the host and the setting, never a query or user info. */
export function urlProblem(url: string, policy: HostPolicy): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a URL";
  }
  if (parsed.username !== "" || parsed.password !== "") return "must not carry a user name or password; use a credentials secret reference";
  const host = canonicalHost(parsed.hostname);
  const loopback = policy.allowLoopback && LOOPBACK.has(host);
  if (parsed.protocol === "http:" && !loopback) {
    return `uses plain http to host ${host}; https is required${policy.allowLoopback ? " (plain http only to 127.0.0.1, localhost or ::1)" : ""}`;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return `uses ${parsed.protocol.replace(/:$/, "")}; only https is allowed`;
  if (!loopback && !policy.allowedHosts.includes(host)) {
    return `names host ${host}, which is not in ${ALLOWED_HOSTS_SETTING} (${policy.allowedHosts.join(", ") || "empty"}); an operator adds it there`;
  }
  return null;
}

/** Parses the comma-separated setting; null when an entry is not a host name or IP literal. */
export function parseAllowedHosts(value: string): string[] | null {
  const hosts = value
    .split(",")
    .map((entry) => canonicalHost(entry.trim()))
    .filter((entry) => entry !== "");
  const valid = hosts.every((host) => /^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?)*$/.test(host) || /^[0-9a-f:.]+$/.test(host));
  return valid ? [...new Set(hosts)] : null;
}
