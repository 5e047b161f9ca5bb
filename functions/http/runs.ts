import { RunApi, type RunListQuery } from "../../lib/api/runs.js";
import { runtime } from "../../lib/pipeline/runtime.js";
import type { RunKind } from "../../lib/pipeline/run-model.js";
import { httpHandler, json, type ApiRequest, type RouteHandler } from "./router.js";

const api = () => new RunApi(runtime());
const id = (request: ApiRequest) => request.path.id ?? "";

const runLocation = (fabricId: string, runId: string) => `/fabrics/${fabricId}/runs/${runId}`;

/** 202 naming the run that does the work: a new one, or (coalesced) the follow-up of the run in flight. */
function start(kind: RunKind): RouteHandler {
  return async (request) => {
    const result = await api().start(id(request), kind, request.now);
    const location = runLocation(id(request), result.runId);
    const status = result.run?.status ?? (result.coalesced ? "waiting" : "queued");
    return json(202, { runId: result.runId, coalesced: result.coalesced, status, ...(result.after ? { after: result.after } : {}), location }, { location });
  };
}

export const handler = httpHandler({
  "POST /fabrics/{id}/init": start("init"),
  "POST /fabrics/{id}/ingest": start("ingest"),
  "POST /fabrics/{id}/sync": start("sync"),
  "POST /fabrics/{id}/plan": start("plan"),
  "GET /fabrics/{id}/status": async (request) => json(200, await api().status(id(request))),
  "GET /fabrics/{id}/runs": async (request) => json(200, await api().list(id(request), request.input.query as RunListQuery)),
  "GET /fabrics/{id}/runs/{runId}": async (request) => json(200, await api().get(id(request), request.path.runId ?? "")),
  // 200 when the run is cancelled (it had not started), 202 when it stops at its next stage boundary.
  "POST /fabrics/{id}/runs/{runId}/cancel": async (request) => {
    const runId = request.path.runId ?? "";
    const { run, outcome } = await api().cancel(id(request), runId, request.now);
    const location = runLocation(id(request), runId);
    return json(outcome === "cancelled" ? 200 : 202, { runId, status: outcome, run, location }, { location });
  },
});
