// The edge of the HTTP API: API Gateway HTTP API (payload 2.0) event in, JSON or problem+json out.
// Route handlers receive a plain request and return a plain response; everything else is here.
import middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import * as z from "zod";
import { MalformedRequestError, PayloadTooLargeError, RequestValidationError, RouteNotFoundError } from "../../lib/api/errors.js";
import { operationOf, type OperationSpec } from "../../lib/api/openapi.js";
import { problemFromError, type Problem } from "../../lib/api/problems.js";
import { emptyBodySchema } from "../../lib/api/schemas/common.js";
import { logger, withInvocationLogger } from "../../lib/observability/logger.js";
import { wiring } from "../../infra/wiring.js";

/** Each route's body limit, as infra/wiring.ts declares it. API Gateway itself stops at 10 MB. */
const MAX_BODY_BYTES: ReadonlyMap<string, number> = new Map(wiring.routes.map((r) => [`${r.method} ${r.path}`, r.maxBodyBytes]));

function bodyBytes(event: APIGatewayProxyEventV2): number {
  if (event.body === undefined) return 0;
  // base64 of n bytes is 4·⌈n/3⌉ characters; the exact size needs no decoding.
  if (event.isBase64Encoded) return Buffer.byteLength(event.body, "base64");
  return Buffer.byteLength(event.body, "utf8");
}

function assertBodyFits(event: APIGatewayProxyEventV2): void {
  const limit = MAX_BODY_BYTES.get(event.routeKey);
  if (limit === undefined) return;
  const size = bodyBytes(event);
  if (size > limit) throw new PayloadTooLargeError(`the request body has ${size} bytes; ${event.routeKey} takes at most ${limit}`);
}

export interface ApiRequest {
  readonly routeKey: string;
  readonly method: string;
  /** The request path as received (the catch-all route matches it against the route table). */
  readonly rawPath: string;
  readonly path: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly rawBody: string | undefined;
  readonly requestId: string;
  /** The request time as API Gateway saw it; the only clock route handlers use. */
  readonly now: Date;
  /**
   * Who is asking, as the authorizer vouched: the IAM principal's ARN (auth iam), the JWT's email or
   * subject (auth jwt); `local` in the local stack, whose gateway checks the bearer token and passes no
   * authorizer. Commits of drafts and adoptions name it.
   */
  readonly actor: string;
  /**
   * The path parameters, query and JSON body as the route's operation (lib/api/openapi.ts) parsed them:
   * validated, with defaults. Cast them to the output type of the schema the operation names.
   */
  readonly input: { readonly path: unknown; readonly query: unknown; readonly body: unknown };
}

export interface ApiResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** The body is a string sent as it is, with the content type in `headers` (the console's files). */
  readonly raw?: boolean;
}

export type RouteHandler = (request: ApiRequest) => Promise<ApiResponse>;

/** Parses the body as JSON; an absent or non-JSON body is a 400 that says so. */
export function jsonBody(request: Pick<ApiRequest, "rawBody">): unknown {
  if (request.rawBody === undefined || request.rawBody.trim() === "") {
    throw new MalformedRequestError("the request needs a JSON body");
  }
  try {
    return JSON.parse(request.rawBody);
  } catch (error) {
    throw new MalformedRequestError(`the body is not valid JSON: ${(error as Error).message}`);
  }
}

const NO_QUERY = z.strictObject({});

function parsePart(schema: z.ZodType, value: unknown, part: "path" | "query" | "body"): unknown {
  const result = schema.safeParse(value);
  if (!result.success) throw RequestValidationError.fromZod(result.error, part);
  return result.data;
}

/**
 * What the operation declares, checked before its handler runs: path parameters, the query (strict:
 * an unknown parameter is a 422), and a JSON body (strict; a POST that declares none takes no body or
 * {}). A body the handler reads raw (the webhook's signature) is left alone.
 */
function validatedInput(op: OperationSpec | undefined, request: Omit<ApiRequest, "input">): ApiRequest["input"] {
  if (!op) return { path: request.path, query: request.query, body: undefined };
  const path = op.pathParams ? parsePart(op.pathParams, request.path, "path") : request.path;
  const query = parsePart(op.query ?? NO_QUERY, request.query, "query");
  const declared = op.requestBody ?? (op.method === "post" ? { schema: emptyBodySchema, required: false, raw: false } : undefined);
  let body: unknown;
  if (declared && !declared.raw) {
    const empty = request.rawBody === undefined || request.rawBody.trim() === "";
    body = parsePart(declared.schema, empty && !declared.required ? {} : jsonBody(request), "body");
  }
  return { path, query, body };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return { status, body, headers };
}

function toResult(response: ApiResponse): APIGatewayProxyStructuredResultV2 {
  if (response.raw) return { statusCode: response.status, headers: { ...response.headers }, body: String(response.body ?? "") };
  const hasBody = response.body !== undefined;
  return {
    statusCode: response.status,
    headers: { ...(hasBody ? { "content-type": "application/json" } : {}), ...response.headers },
    body: hasBody ? JSON.stringify(response.body) : "",
  };
}

function problemResult(p: Problem): APIGatewayProxyStructuredResultV2 {
  return { statusCode: p.status, headers: { "content-type": "application/problem+json" }, body: JSON.stringify(p) };
}

interface AuthorizerContext {
  readonly iam?: { readonly userArn?: unknown };
  readonly jwt?: { readonly claims?: Readonly<Record<string, unknown>> };
}

function actorOf(event: APIGatewayProxyEventV2): string {
  const authorizer = (event.requestContext as { authorizer?: AuthorizerContext }).authorizer;
  const claims = authorizer?.jwt?.claims ?? {};
  for (const value of [authorizer?.iam?.userArn, claims.email, claims.sub]) if (typeof value === "string" && value !== "") return value;
  return "local";
}

function toRequest(event: APIGatewayProxyEventV2): Omit<ApiRequest, "input"> {
  const body =
    event.body === undefined ? undefined : event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
  return {
    routeKey: event.routeKey,
    method: event.requestContext.http.method,
    rawPath: event.rawPath,
    path: (event.pathParameters ?? {}) as Record<string, string>,
    query: (event.queryStringParameters ?? {}) as Record<string, string>,
    headers: (event.headers ?? {}) as Record<string, string>,
    rawBody: body,
    requestId: event.requestContext.requestId,
    now: new Date(event.requestContext.timeEpoch),
    actor: actorOf(event),
  };
}

/** One Lambda handler for a group of routes, dispatched by API Gateway's routeKey ("METHOD /path/{param}"). */
export function httpHandler(routes: Readonly<Record<string, RouteHandler>>) {
  const base = async (event: APIGatewayProxyEventV2, _context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const route = routes[event.routeKey];
    try {
      if (!route) throw new RouteNotFoundError(`no route ${event.routeKey}`);
      assertBodyFits(event);
      const request = toRequest(event);
      return toResult(await route({ ...request, input: validatedInput(operationOf(event.routeKey), request) }));
    } catch (error) {
      const p = problemFromError(error);
      if (p.status >= 500) logger.error("request failed", { routeKey: event.routeKey, error: error as Error });
      return problemResult(p);
    }
  };
  return withInvocationLogger(middy(base));
}
