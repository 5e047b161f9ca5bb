// Outbound network policy: the operator's host allow-list and a fetch that keeps to it.
export { HostNotAllowedError, RedirectRefusedError } from "./errors.js";
export { ALLOWED_HOSTS_SETTING, DEFAULT_ALLOWED_HOSTS, canonicalHost, isLoopbackHost, parseAllowedHosts, urlProblem, type HostPolicy } from "./hosts.js";
export { MAX_REDIRECTS, assertUrlAllowed, guardedFetch, isRedirect, redirectStep, type RedirectStep } from "./guarded-fetch.js";
