// The simulated GitHub: an HTTP server on 127.0.0.1 speaking the REST subset the github provider
// uses (and its one GraphQL query), over real bare repositories. Around the endpoints it behaves like
// api.github.com where our client can tell: token checks (401), x-ratelimit-* headers on every API
// answer that count down (not for 304s), ETag/If-None-Match, GitHub's secondary limits and request
// size limits when asked (`limits`, see limits.ts), a request log, and faults injected on demand.
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyAppJwt } from "./app-auth.js";
import { ApiRejectionError } from "./errors.js";
import { FaultQueue } from "./faults.js";
import { RateLimit } from "./rate-limit.js";
import { SecondaryLimits, secondaryRateLimitBody } from "./secondary-limits.js";
import { createRoutes, simulateConcurrentPush, type Reply, type Route, type SimState } from "./routes.js";
import { createFeedbackRoutes, FeedbackStore } from "./feedback-routes.js";
import { SimRepository } from "./sim-repository.js";
import type { GitHubSim, GitHubSimOptions, SimApp, SimRepositorySpec, SimRequest } from "./types.js";

interface CompiledRoute {
  readonly route: Route;
  /** As GitHub's docs write it, e.g. "/repos/{owner}/{repo}/git/ref/{ref}". */
  readonly display: string;
  readonly segments: readonly string[];
}

function compile(route: Route): CompiledRoute {
  return { route, display: route.pattern.replace(/\{\+/g, "{"), segments: route.pattern.split("/").slice(1) };
}

function match(compiled: CompiledRoute, method: string, rawSegments: readonly string[]): Record<string, string> | null {
  if (compiled.route.method !== method) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < compiled.segments.length; i++) {
    const segment = compiled.segments[i] as string;
    if (segment.startsWith("{+")) {
      const rest = rawSegments.slice(i);
      if (rest.length === 0 || rest.some((part) => part === "")) return null;
      // Octokit sends "heads%2Fmain" for {ref}; other clients send "heads/main". Both mean the same.
      params[segment.slice(2, -1)] = decodeURIComponent(rest.join("/"));
      return params;
    }
    const raw = rawSegments[i];
    if (raw === undefined || raw === "") return null;
    if (segment.startsWith("{")) params[segment.slice(1, -1)] = decodeURIComponent(raw);
    else if (segment !== raw) return null;
  }
  return rawSegments.length === compiled.segments.length ? params : null;
}

function bearer(request: IncomingMessage): string | null {
  const header = request.headers.authorization ?? "";
  const found = /^(?:token|bearer)\s+(\S+)$/i.exec(header);
  return found?.[1] ?? null;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startGitHubSim(options: GitHubSimOptions): Promise<GitHubSim> {
  const repositories = new Map<string, SimRepository>();
  const addRepository = (spec: SimRepositorySpec): void => {
    repositories.set(`${spec.owner}/${spec.repo}`.toLowerCase(), new SimRepository(spec.owner, spec.repo, spec.gitdir));
  };
  for (const spec of options.repos ?? []) addRepository(spec);

  const rateLimits = { core: new RateLimit(options.rateLimit ?? 5000), graphql: new RateLimit(options.rateLimit ?? 5000, "graphql") };
  const state: SimState = {
    options,
    installationTokens: new Set(),
    downloads: new Map(),
    rateLimits,
    repository: (owner, repo) => repositories.get(`${owner}/${repo}`.toLowerCase()),
    pulls: new Map(),
    baseUrl: "",
  };
  const feedback = new FeedbackStore(state);
  const routes = [...createRoutes(state), ...createFeedbackRoutes(state, feedback)].map(compile);
  const faults = new FaultQueue();
  const log: SimRequest[] = [];
  const unitMs = options.retryAfterUnitMs ?? 1000;
  const limits = options.limits ?? {};
  const secondary = new SecondaryLimits(limits, unitMs);
  const apps: readonly SimApp[] = options.apps ?? [];
  let notBefore = 0;

  const send = (response: ServerResponse, entry: SimRequest, reply: Reply, extraHeaders: Record<string, string>): void => {
    entry.status = reply.status;
    const headers: Record<string, string> = { "x-github-request-id": randomBytes(8).toString("hex").toUpperCase(), ...extraHeaders, ...reply.headers };
    if (reply.raw) {
      entry.responseBytes = reply.raw.byteLength;
      response.writeHead(reply.status, { ...headers, "content-length": String(reply.raw.byteLength) });
      response.end(reply.raw);
      return;
    }
    if (reply.body === undefined) {
      response.writeHead(reply.status, { ...headers, "content-length": "0" });
      response.end();
      return;
    }
    const json = Buffer.from(JSON.stringify(reply.body));
    entry.responseBytes = json.byteLength;
    response.writeHead(reply.status, { "content-type": "application/json; charset=utf-8", ...headers, "content-length": String(json.byteLength) });
    response.end(json);
  };

  const secondaryLimitReply = (retryAfterSeconds: number, status: 403 | 429 = limits.secondaryLimitStatus ?? 403): Reply => ({
    status,
    body: secondaryRateLimitBody(),
    headers: { "retry-after": String(retryAfterSeconds) },
  });

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const method = (request.method ?? "GET").toUpperCase();
    const url = new URL(request.url ?? "/", state.baseUrl);
    const raw = await readBody(request);
    const rawSegments = url.pathname.split("/").slice(1);
    let found: { compiled: CompiledRoute; params: Record<string, string> } | undefined;
    for (const compiled of routes) {
      const params = match(compiled, method, rawSegments);
      if (params) {
        found = { compiled, params };
        break;
      }
    }
    const route = found?.compiled.route;
    const isApi = route?.auth !== "none";
    const entry: SimRequest = {
      at: Date.now(),
      method,
      path: url.pathname,
      route: found?.compiled.display ?? "unmatched",
      status: 0,
      api: isApi,
      quotaUsed: false,
      createsContent: route?.createsContent === true,
    };
    log.push(entry);
    if (!isApi) {
      await serve(request, response, entry, found as NonNullable<typeof found>, raw, url, {});
      return;
    }
    // Every API answer carries the rate limit of the resource it spends, as GitHub's do.
    const resource = route?.resource === "graphql" ? rateLimits.graphql : rateLimits.core;
    const refused = secondary.enter();
    try {
      if (refused) {
        entry.limited = refused.limit;
        send(response, entry, secondaryLimitReply(refused.retryAfterSeconds), resource.headers());
        return;
      }
      if (Date.now() < notBefore) {
        entry.fault = "premature-retry";
        const seconds = Math.max(1, Math.ceil((notBefore - Date.now()) / unitMs));
        send(response, entry, secondaryLimitReply(seconds, 429), resource.headers());
        return;
      }
      const fault = faults.take(method, entry.route);
      if (fault) entry.fault = fault.kind;
      if (fault?.kind === "connection-reset") {
        request.socket.destroy();
        return;
      }
      if (fault?.kind === "server-error") {
        send(response, entry, { status: fault.status ?? 502, body: { message: "Server Error" } }, resource.headers());
        return;
      }
      if (fault?.kind === "too-many-requests" || fault?.kind === "secondary-rate-limit") {
        notBefore = Date.now() + fault.retryAfterSeconds * unitMs;
        send(response, entry, secondaryLimitReply(fault.retryAfterSeconds, fault.kind === "too-many-requests" ? 429 : 403), resource.headers());
        return;
      }
      if (fault?.kind === "branch-race" && found) {
        const repository = repositories.get(`${found.params.owner}/${found.params.repo}`.toLowerCase());
        const ref = found.params.ref ? `refs/${found.params.ref}` : parseJson(raw)?.ref;
        if (repository && typeof ref === "string" && ref.startsWith("refs/heads/")) await simulateConcurrentPush(repository, ref.slice("refs/heads/".length));
      }
      if (!found) {
        send(response, entry, { status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" } }, resource.headers());
        return;
      }
      await serve(request, response, entry, found, raw, url, resource.headers());
    } finally {
      secondary.leave();
    }
  };

  /** Authentication, the primary and secondary limits, then the route's handler. */
  const serve = async (
    request: IncomingMessage,
    response: ServerResponse,
    entry: SimRequest,
    found: { compiled: CompiledRoute; params: Record<string, string> },
    raw: Buffer,
    url: URL,
    rateHeaders: Record<string, string>,
  ): Promise<void> => {
    const { compiled, params } = found;
    const route = compiled.route;
    const resource = route.resource === "graphql" ? rateLimits.graphql : rateLimits.core;
    let app: SimApp | undefined;
    let installation = false;
    if (route.auth !== "none") {
      const credential = bearer(request);
      installation = credential !== null && state.installationTokens.has(credential);
      if (route.auth === "app") {
        app = credential ? (verifyAppJwt(credential, apps, Math.floor(Date.now() / 1000)) ?? undefined) : undefined;
        if (!app) {
          send(response, entry, { status: 401, body: { message: "A JSON web token could not be decoded", documentation_url: "https://docs.github.com/rest" } }, rateHeaders);
          return;
        }
      } else if (credential === null || (credential !== options.token && !state.installationTokens.has(credential))) {
        send(response, entry, { status: 401, body: { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" } }, rateHeaders);
        return;
      }
      if (route.auth === "token" && route.resource !== "free" && resource.remaining === 0) {
        send(response, entry, {
          status: 403,
          body: { message: "API rate limit exceeded for user ID 1.", documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api" },
        }, rateHeaders);
        return;
      }
    }

    let body: unknown;
    if (raw.byteLength > 0) {
      body = parseJson(raw);
      if (body === undefined) {
        send(response, entry, { status: 400, body: { message: "Problems parsing JSON", documentation_url: "https://docs.github.com/rest" } }, rateHeaders);
        return;
      }
    }
    if (route.auth === "token") {
      const isGraphql = route.resource === "graphql";
      const write = entry.method !== "GET" && entry.method !== "HEAD";
      const verdict = secondary.admit({
        restPoints: isGraphql ? 0 : write ? 5 : 1,
        // We serve no mutation, so every GraphQL request here is a query: one point.
        graphqlPoints: isGraphql ? 1 : 0,
        createsContent: entry.createsContent,
      });
      if (verdict) {
        entry.limited = verdict.limit;
        send(response, entry, secondaryLimitReply(verdict.retryAfterSeconds), rateHeaders);
        return;
      }
    }
    const repository = params.owner && params.repo ? repositories.get(`${params.owner}/${params.repo}`.toLowerCase()) : undefined;
    let reply: Reply;
    try {
      if (params.owner && params.repo && !repository) throw new ApiRejectionError(404, "Not Found");
      reply = await route.handler({ params, query: url.searchParams, body, bodyBytes: raw.byteLength, repository, app, installation, log: entry });
    } catch (error) {
      if (!(error instanceof ApiRejectionError)) throw error;
      reply = { status: error.status, body: error.body };
    }

    const headers: Record<string, string> = {};
    if (entry.method === "GET" && reply.status === 200 && reply.body !== undefined) {
      // GitHub's ETags are weak validators of the representation.
      const etag = `W/"${createHash("sha256").update(JSON.stringify(reply.body)).digest("hex").slice(0, 32)}"`;
      headers.etag = etag;
      const conditional = request.headers["if-none-match"];
      if (conditional && conditional.split(",").some((tag) => tag.trim() === etag)) reply = { status: 304 };
    }
    if (route.auth === "token" && route.resource !== "free" && reply.status !== 304) {
      resource.spend();
      entry.quotaUsed = true;
    }
    send(response, entry, reply, route.auth === "none" ? headers : { ...resource.headers(), ...headers });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      response.writeHead(500, { "content-type": "application/json; charset=utf-8" });
      response.end(JSON.stringify({ message: `simulator failure: ${error instanceof Error ? error.message : String(error)}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: state.baseUrl,
    routes: routes.filter((compiled) => compiled.route.auth !== "none").map((compiled) => ({ method: compiled.route.method, route: compiled.display })),
    requests: log,
    get rateLimit() {
      return { limit: rateLimits.core.limit, remaining: rateLimits.core.remaining, used: rateLimits.core.used };
    },
    addRepository,
    feedback: {
      openPullRequest: (spec) => feedback.open(spec),
      closePullRequest: (owner, repo, number) => feedback.close(owner, repo, number),
      get checkRuns() {
        return feedback.checkRuns;
      },
      get statuses() {
        return feedback.statuses;
      },
    },
    injectFault: (fault) => faults.add(fault),
    resetLog: () => {
      log.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function parseJson(raw: Buffer): { ref?: unknown } | undefined {
  try {
    return JSON.parse(raw.toString("utf8")) as { ref?: unknown };
  } catch {
    return undefined;
  }
}
