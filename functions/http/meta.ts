import { MethodNotAllowedError, RouteNotFoundError } from "../../lib/api/errors.js";
import { openApiDocument } from "../../lib/api/openapi.js";
import { problemFromError } from "../../lib/api/problems.js";
import { compileRoutes, matchRoute } from "../../infra/route-table.js";
import { DEFAULT_ROUTE_KEY } from "../../infra/wiring-types.js";
import { wiring } from "../../infra/wiring.js";
import { httpHandler, json, type ApiRequest, type ApiResponse } from "./router.js";

let document: Record<string, unknown> | undefined;
const routes = compileRoutes(wiring.routes);

/**
 * The catch-all route: what no route takes. A path that other methods take is a 405 naming them in
 * Allow (RFC 9110 §15.5.6); anything else a 404. Both problem+json, never API Gateway's own answer.
 */
async function fallback(request: ApiRequest): Promise<ApiResponse> {
  const method = request.method;
  const found = matchRoute(routes, method, request.rawPath);
  const error =
    found.kind === "method"
      ? new MethodNotAllowedError(`${request.rawPath} takes ${found.allow.join(", ")}, not ${method}`, found.allow)
      : new RouteNotFoundError(`no route ${method} ${request.rawPath}; the API is described at /openapi.json`);
  const problem = problemFromError(error);
  return { status: problem.status, body: problem, headers: { "content-type": "application/problem+json", ...(found.kind === "method" ? { allow: found.allow.join(", ") } : {}) } };
}

export const handler = httpHandler({
  "GET /health": async () => json(200, { status: "ok" }),
  "GET /openapi.json": async () => json(200, (document ??= openApiDocument())),
  [DEFAULT_ROUTE_KEY]: fallback,
});
