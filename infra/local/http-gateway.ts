// API Gateway HTTP API emulation: each request becomes a payload-2.0 event for the route's function.
// Auth "iam" routes take the local bearer token instead of SigV4.
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { compileRoutes, matchRoute, type CompiledRoute as CompiledRouteOf } from "../route-table.js";
import { DEFAULT_ROUTE_KEY, type RouteSpec } from "../wiring-types.js";
import type { LocalFunction } from "./lambda.js";
import { closeServer, listen } from "./listen.js";
import { RateLimitedLog } from "./rate-limited-log.js";

/**
 * Limits of the local HTTP server (DESIGN §14). Without them 20,000 slow connections exhaust the
 * process's file descriptors, and DynamoDB calls of every handler fail with EMFILE.
 */
export interface HttpServerLimits {
  /** Open connections at most; more are closed at once (default 256). */
  readonly maxConnections: number;
  /** Time to receive a request's headers (default 10 s). */
  readonly headersTimeoutMs: number;
  /** Time to receive a whole request, body included (default 60 s). */
  readonly requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (default 5 s). */
  readonly keepAliveTimeoutMs: number;
  /** How often the two timeouts above are checked (Node's connectionsCheckingInterval; default 1 s). */
  readonly checkIntervalMs: number;
}

export const DEFAULT_HTTP_SERVER_LIMITS: HttpServerLimits = {
  maxConnections: 256,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 1_000,
};

interface LocalRoute extends RouteSpec {
  readonly fn: LocalFunction;
}

type CompiledRoute = CompiledRouteOf<LocalRoute>;

const TEXT_TYPES = /^(application\/(json|.*\+json|xml|x-www-form-urlencoded|yaml)|text\/)/i;

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer\s+(.+)$/i.exec(header ?? "")?.[1];
  // Constant time: compare fixed-length digests.
  return presented !== undefined && timingSafeEqual(digest(presented), digest(token));
}

function sendProblem(res: ServerResponse, status: number, title: string, detail: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/problem+json", ...headers });
  res.end(JSON.stringify({ type: "about:blank", title, status, detail }));
}

/** The body, or "too-large" as soon as it passes `limit` (the rest is then discarded, not kept). */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too-large"> {
  const chunks: Buffer[] = [];
  let size = 0;
  // Not destroyed on an early return: the connection must stay up to carry the 413.
  for await (const chunk of req.iterator({ destroyOnReturn: false })) {
    size += (chunk as Buffer).length;
    if (size > limit) return "too-large";
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Path parameters percent-decoded, or null when the path is not valid percent-encoding (API Gateway answers 400 too). */
function pathParameters(route: CompiledRoute, match: RegExpExecArray): Record<string, string> | null {
  const parameters: Record<string, string> = {};
  try {
    route.params.forEach((name, i) => {
      parameters[name] = decodeURIComponent(match[i + 1] ?? "");
    });
  } catch {
    return null;
  }
  return parameters;
}

function toEvent(req: IncomingMessage, url: URL, route: { routeKey: string; params: readonly string[] }, pathParameters: Record<string, string>, body: Buffer): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (name === "cookie") cookies.push(...String(value).split(/;\s*/));
    else headers[name.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const now = Date.now();
  const isText = TEXT_TYPES.test(headers["content-type"] ?? "");
  return {
    version: "2.0",
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ""),
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(route.params.length > 0 ? { pathParameters } : {}),
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: headers.host ?? "127.0.0.1",
      domainPrefix: "local",
      http: {
        method: req.method ?? "GET",
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: "$default",
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    ...(body.length > 0 ? { body: isText ? body.toString("utf8") : body.toString("base64"), isBase64Encoded: !isText } : { isBase64Encoded: false }),
  };
}

function writeResult(res: ServerResponse, result: unknown) {
  // A handler may return a bare value: API Gateway then answers 200 with it as JSON.
  const structured =
    result !== null && typeof result === "object" && "statusCode" in result
      ? (result as APIGatewayProxyStructuredResultV2)
      : { statusCode: 200, headers: { "content-type": "application/json" }, body: typeof result === "string" ? result : JSON.stringify(result) };
  const headers: Record<string, string | string[]> = { ...(structured.headers as Record<string, string>) };
  if (structured.cookies?.length) headers["set-cookie"] = structured.cookies;
  const body = structured.body ?? "";
  res.writeHead(structured.statusCode ?? 200, headers);
  res.end(structured.isBase64Encoded ? Buffer.from(body, "base64") : body);
}

export interface HttpGateway {
  readonly url: string;
  close(): Promise<void>;
}

export async function startHttpGateway(options: {
  routes: readonly { spec: RouteSpec; fn: LocalFunction }[];
  /** The catch-all: gets every request no route takes, as API Gateway's `$default` route does. */
  defaultRoute?: LocalFunction;
  token: string;
  port: number;
  onError?: (error: unknown) => void;
  limits?: Partial<HttpServerLimits>;
  /** Where notices about refused, aborted and timed-out connections go, at most 10 a minute (default console.warn). */
  log?: (line: string) => void;
}): Promise<HttpGateway> {
  const routes = compileRoutes<LocalRoute>(options.routes.map(({ spec, fn }) => ({ ...spec, fn })));
  const limits = { ...DEFAULT_HTTP_SERVER_LIMITS, ...options.limits };
  const notices = new RateLimitedLog(options.log ?? ((line) => console.warn(`local HTTP server: ${line}`)));

  const server: Server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
    async (req, res) => {
      // The connection closed before our answer was sent: the client gave up (or was cut off).
      res.on("close", () => {
        if (!res.writableFinished) notices.note(`${req.method ?? "?"} ${(req.url ?? "").slice(0, 200)}: the client went away before the answer`);
      });
      try {
        let url: URL;
        try {
          url = new URL(req.url ?? "/", "http://127.0.0.1");
        } catch {
          sendProblem(res, 400, "Bad request", "the request target is not a valid URL");
          return;
        }
        const found = matchRoute(routes, req.method ?? "GET", url.pathname);
        if (found.kind !== "route") {
          // API Gateway hands it to the $default route (its body unread here: the answer needs none).
          if (options.defaultRoute) {
            writeResult(res, await options.defaultRoute.invoke(toEvent(req, url, { routeKey: DEFAULT_ROUTE_KEY, params: [] }, {}, Buffer.alloc(0))));
          } else {
            res.writeHead(404, { "content-type": "application/json" });
            res.end(JSON.stringify({ message: "Not Found" }));
          }
          return;
        }
        if (found.route.spec.auth === "iam" && !tokenMatches(req.headers.authorization, options.token)) {
          sendProblem(res, 401, "Unauthorized", "a valid bearer token is required (Authorization: Bearer <HH_GITOPS_TOKEN>)", {
            "www-authenticate": "Bearer",
          });
          return;
        }
        const parameters = pathParameters(found.route, found.match);
        if (parameters === null) {
          sendProblem(res, 400, "Malformed request", "the request path is not valid percent-encoding");
          return;
        }
        // Refused before a byte of the body is read when the client declares its size; counted otherwise.
        const { routeKey, spec } = found.route;
        const limit = spec.maxBodyBytes;
        const declared = Number(req.headers["content-length"] ?? 0);
        const tooLarge = () => sendProblem(res, 413, "Payload too large", `the request body exceeds ${limit} bytes, the limit of ${routeKey}`, { connection: "close" });
        if (declared > limit) {
          tooLarge();
          return;
        }
        const body = await readBody(req, limit);
        if (body === "too-large") {
          tooLarge();
          return;
        }
        writeResult(res, await found.route.spec.fn.invoke(toEvent(req, url, found.route, parameters, body)));
      } catch (error) {
        options.onError?.(error);
        // What API Gateway answers when the integration fails.
        if (!res.headersSent) {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ message: "Internal Server Error" }));
        }
      }
    },
  );
  server.maxConnections = limits.maxConnections;
  server.on("drop", (data?: { remoteAddress?: string }) => notices.note(`a connection from ${data?.remoteAddress ?? "?"} was refused: ${limits.maxConnections} connections are open (maxConnections)`));
  // With a listener Node leaves the answer to us: 408 for a request that took too long, 431 for
  // oversized headers, 400 otherwise; nothing on a connection that is already gone.
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    const code = error.code ?? "";
    if (code === "ECONNRESET" || !socket.writable) {
      notices.note(`a client went away (${code || error.message})`);
      socket.destroy();
      return;
    }
    const status = code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
    notices.note(`a connection was closed with ${status}: ${code || error.message}`);
    socket.end(`HTTP/1.1 ${status} ${status === 408 ? "Request Timeout" : status === 431 ? "Request Header Fields Too Large" : "Bad Request"}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });
  const port = await listen(server, options.port);
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}
