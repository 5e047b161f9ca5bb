import { RunApi } from "../../lib/api/runs.js";
import { runtime } from "../../lib/pipeline/runtime.js";
import type { RunKind } from "../../lib/pipeline/run-model.js";
import { httpHandler, json, type ApiRequest, type RouteHandler } from "./router.js";

const api = () => new RunApi(runtime());
const id = (request: ApiRequest) => request.path.id ?? "";

function start(kind: RunKind): RouteHandler {
  return async (request) => {
    const result = await api().start(id(request), kind, request.now);
    const location = `/fabrics/${id(request)}/runs/${result.runId}`;
    return json(202, { runId: result.runId, coalesced: result.coalesced, status: result.run?.status ?? "queued", location }, { location });
  };
}

export const handler = httpHandler({
  "POST /fabrics/{id}/init": start("init"),
  "POST /fabrics/{id}/ingest": start("ingest"),
  "POST /fabrics/{id}/sync": start("sync"),
  "POST /fabrics/{id}/plan": start("plan"),
  "GET /fabrics/{id}/status": async (request) => json(200, await api().status(id(request))),
  "GET /fabrics/{id}/runs": async (request) => {
    const limit = Math.min(Math.max(Number(request.query.limit ?? 50) || 50, 1), 200);
    return json(200, { items: await api().list(id(request), limit) });
  },
  "GET /fabrics/{id}/runs/{runId}": async (request) => json(200, await api().get(id(request), request.path.runId ?? "")),
});
