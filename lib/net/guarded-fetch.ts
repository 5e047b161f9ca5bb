// Outbound HTTP that stays on the operator's allow-list: every hop is checked before it is sent, and
// redirects are followed here (never by the HTTP client) so that each Location is checked too. On a
// redirect to another origin the Authorization and Cookie headers stay behind.
import { RedirectRefusedError, HostNotAllowedError } from "./errors.js";
import { urlProblem, type HostPolicy } from "./hosts.js";

/** Redirects we follow; 304 and 300 are answers, not redirects. */
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** More than this many hops is a loop or an attack; real servers use one (GitHub's tarball: one). */
export const MAX_REDIRECTS = 5;

/** Throws HostNotAllowedError unless `url` may be requested. The message names the host, never the path or query. */
export function assertUrlAllowed(url: string, policy: HostPolicy, what = "request"): void {
  const problem = urlProblem(url, policy);
  if (problem !== null) throw new HostNotAllowedError(`${what} refused: the URL ${problem}`);
}

export function isRedirect(status: number): boolean {
  return REDIRECT_STATUSES.has(status);
}

export interface RedirectStep {
  readonly url: string;
  /** The method of the next hop: 303, and 301/302 after a POST, continue as GET without a body. */
  readonly method: string;
  readonly dropBody: boolean;
  /** The next hop is another origin: credentials stay behind. */
  readonly crossOrigin: boolean;
}

/** Where a redirect leads, checked against the policy; throws when it leads nowhere allowed. */
export function redirectStep(from: string, status: number, location: string | null, method: string, hop: number, policy: HostPolicy): RedirectStep {
  if (!location) throw new RedirectRefusedError(`the server answered ${status} without a Location`);
  if (hop >= MAX_REDIRECTS) throw new RedirectRefusedError(`more than ${MAX_REDIRECTS} redirects`);
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new RedirectRefusedError(`the server answered ${status} with a Location that is not a URL`);
  }
  assertUrlAllowed(next.href, policy, "redirect");
  const toGet = status === 303 || ((status === 301 || status === 302) && method === "POST");
  return {
    url: next.href,
    method: toGet && method !== "HEAD" ? "GET" : method,
    dropBody: toGet,
    crossOrigin: next.origin !== new URL(from).origin,
  };
}

/** A fetch that refuses hosts outside `policy` and follows up to MAX_REDIRECTS redirects itself, checking each. */
export function guardedFetch(policy: HostPolicy, base: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init) => {
    if (input instanceof Request) throw new TypeError("guardedFetch takes a URL, not a Request");
    let url = input instanceof URL ? input.href : input;
    let method = (init?.method ?? "GET").toUpperCase();
    const headers = new Headers(init?.headers);
    let body = init?.body;
    for (let hop = 0; ; hop++) {
      assertUrlAllowed(url, policy);
      const response = await base(url, { ...init, method, headers, body: body ?? null, redirect: "manual" });
      if (!isRedirect(response.status) || !response.headers.has("location")) return response;
      await response.body?.cancel().catch(() => undefined);
      const step = redirectStep(url, response.status, response.headers.get("location"), method, hop, policy);
      if (step.crossOrigin) {
        headers.delete("authorization");
        headers.delete("cookie");
      }
      if (step.dropBody) {
        body = undefined;
        headers.delete("content-type");
        headers.delete("content-length");
      } else if (body instanceof ReadableStream) {
        throw new RedirectRefusedError(`the server answered ${response.status} to a streamed request body, which cannot be sent again`);
      }
      method = step.method;
      url = step.url;
    }
  };
}
