// API Gateway HTTP API emulation: each request becomes a payload-2.0 event for the route's function.
// Auth "iam" routes take the local bearer token instead of SigV4.
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { RouteSpec } from "../wiring-types.js";
import type { LocalFunction } from "./lambda.js";
import { closeServer, listen } from "./listen.js";

// API Gateway's own limit on a request payload.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
const MAX_BODY_BYTES = 10 * 1024 * 1024;

interface CompiledRoute {
  readonly spec: RouteSpec;
  readonly routeKey: string;
  readonly pattern: RegExp;
  readonly params: readonly string[];
  readonly staticSegments: number;
  readonly fn: LocalFunction;
}

function compile(spec: RouteSpec, fn: LocalFunction): CompiledRoute {
  const params: string[] = [];
  const segments = spec.path.split("/").filter(Boolean);
  const source = segments
    .map((segment) => {
      const greedy = /^\{(\w+)\+\}$/.exec(segment);
      if (greedy) {
        params.push(greedy[1]!);
        return "/(.+)";
      }
      const param = /^\{(\w+)\}$/.exec(segment);
      if (param) {
        params.push(param[1]!);
        return "/([^/]+)";
      }
      return `/${segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`;
    })
    .join("");
  return {
    spec,
    routeKey: `${spec.method} ${spec.path}`,
    pattern: new RegExp(`^${source || "/"}$`),
    params,
    staticSegments: segments.filter((s) => !s.startsWith("{")).length,
    fn,
  };
}

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

async function readBody(req: IncomingMessage): Promise<Buffer | "too-large"> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return "too-large";
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function toEvent(req: IncomingMessage, url: URL, route: CompiledRoute, match: RegExpExecArray, body: Buffer): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (name === "cookie") cookies.push(...String(value).split(/;\s*/));
    else headers[name.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const pathParameters: Record<string, string> = {};
  route.params.forEach((name, i) => {
    pathParameters[name] = decodeURIComponent(match[i + 1] ?? "");
  });
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
  token: string;
  port: number;
  onError?: (error: unknown) => void;
}): Promise<HttpGateway> {
  const routes = options.routes
    .map(({ spec, fn }) => compile(spec, fn))
    .sort((a, b) => b.staticSegments - a.staticSegments || b.params.length - a.params.length);

  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      let found: { route: CompiledRoute; match: RegExpExecArray } | undefined;
      for (const route of routes) {
        if (route.spec.method !== req.method) continue;
        const match = route.pattern.exec(url.pathname);
        if (match) {
          found = { route, match };
          break;
        }
      }
      if (!found) {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ message: "Not Found" }));
        return;
      }
      if (found.route.spec.auth === "iam" && !tokenMatches(req.headers.authorization, options.token)) {
        sendProblem(res, 401, "Unauthorized", "a valid bearer token is required (Authorization: Bearer <HH_GITOPS_TOKEN>)", {
          "www-authenticate": "Bearer",
        });
        return;
      }
      const body = await readBody(req);
      if (body === "too-large") {
        sendProblem(res, 413, "Payload too large", `the request body exceeds ${MAX_BODY_BYTES} bytes`);
        return;
      }
      writeResult(res, await found.route.fn.invoke(toEvent(req, url, found.route, found.match, body)));
    } catch (error) {
      options.onError?.(error);
      // What API Gateway answers when the integration fails.
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ message: "Internal Server Error" }));
      }
    }
  });
  const port = await listen(server, options.port);
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}
