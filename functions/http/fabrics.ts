import { RequestValidationError } from "../../lib/api/errors.js";
import { FabricService } from "../../lib/api/fabrics.js";
import { trustPolicy } from "../../lib/config/trust.js";
import { logger } from "../../lib/observability/logger.js";
import { runtime } from "../../lib/pipeline/runtime.js";
import { httpHandler, json, jsonBody, type ApiRequest } from "./router.js";

const service = () => new FabricService(runtime().fabrics, trustPolicy(runtime().settings), runtime().runService);

/** The operation's query schema (forceQuerySchema) has checked the value. */
const force = (request: ApiRequest) => (request.input.query as { force?: "true" | "false" }).force === "true";

/** A malformed If-Match is the caller's mistake in a header (422), not a failed precondition (412). */
function ifMatch(request: ApiRequest): number | undefined {
  const header = request.headers["if-match"];
  if (header === undefined) return undefined;
  const version = Number(header.replace(/^W\//, "").replace(/"/g, ""));
  if (!Number.isInteger(version) || header.trim() === "") {
    throw new RequestValidationError([{ pointer: "header:/if-match", message: `must be a fabric version (its ETag), got ${header}` }], "header");
  }
  return version;
}

const etag = (version: number) => ({ etag: `"${version}"` });
const id = (request: ApiRequest) => request.path.id ?? "";

export const handler = httpHandler({
  "POST /fabrics": async (request) => {
    const fabric = await service().register(jsonBody(request), request.now);
    // Registration starts an init run; if that cannot start now, the fabric is still registered.
    let initRun: { runId: string } | { error: string };
    try {
      initRun = { runId: (await runtime().runService.start({ fabricId: fabric.id, kind: "init", trigger: "api", now: request.now })).runId };
    } catch (error) {
      logger.warn("could not start the init run of a new fabric", { fabricId: fabric.id, error: error as Error });
      initRun = { error: error instanceof Error ? error.message : String(error) };
    }
    return json(201, { ...fabric, initRun }, { location: `/fabrics/${fabric.id}`, ...etag(fabric.version) });
  },
  "GET /fabrics": async () => json(200, { items: await service().list() }),
  "GET /fabrics/{id}": async (request) => {
    const fabric = await service().get(id(request));
    return json(200, fabric, etag(fabric.version));
  },
  "PATCH /fabrics/{id}": async (request) => {
    const fabric = await service().update(id(request), jsonBody(request), request.now, ifMatch(request));
    return json(200, fabric, etag(fabric.version));
  },
  "DELETE /fabrics/{id}": async (request) => {
    await service().remove(id(request), { force: force(request), now: request.now });
    return { status: 204 };
  },
});
