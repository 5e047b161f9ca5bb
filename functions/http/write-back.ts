// Write-back (DESIGN §15): drafts, validate, publish, adopt. This function reads the fabric's Git and,
// when it has one, its cluster: a draft is judged by the CRDs and objects the cluster serves, as the
// next ingest will judge it, and a publish is refused at once when a draft conflicts with Git.
import { kindNames } from "../../lib/api/kinds.js";
import { WriteBackApi } from "../../lib/api/drafts.js";
import { reconcileRuntime } from "../../lib/pipeline/cluster-connector.js";
import { httpHandler, json, jsonBody, type ApiRequest } from "./router.js";

const api = () => new WriteBackApi({ ...reconcileRuntime(), kinds: kindNames });
const id = (request: ApiRequest) => request.path.id ?? "";
const kind = (request: ApiRequest) => request.path.kind ?? "";
const name = (request: ApiRequest) => request.path.name ?? "";
const document = (request: ApiRequest) => ({ text: request.rawBody, contentType: request.headers["content-type"] });
/** An empty body is `{}`: publish and adopt take none. */
const optionalJson = (request: ApiRequest) => (request.rawBody === undefined || request.rawBody.trim() === "" ? {} : jsonBody(request));

export const handler = httpHandler({
  "PUT /fabrics/{id}/resources/{kind}/{name}": async (request) => {
    const saved = await api().put(id(request), kind(request), name(request), request.query.namespace, document(request), request.actor, request.now);
    return json(saved.created ? 201 : 200, saved.body);
  },
  "DELETE /fabrics/{id}/resources/{kind}/{name}": async (request) => {
    const saved = await api().remove(id(request), kind(request), name(request), request.query.namespace, request.actor, request.now);
    return json(saved.created ? 201 : 200, saved.body);
  },
  "GET /fabrics/{id}/drafts": async (request) => json(200, await api().list(id(request))),
  "GET /fabrics/{id}/drafts/{kind}/{name}": async (request) => json(200, await api().get(id(request), kind(request), name(request), request.query.namespace)),
  "DELETE /fabrics/{id}/drafts/{kind}/{name}": async (request) => json(200, await api().discard(id(request), kind(request), name(request), request.query.namespace)),
  "POST /fabrics/{id}/validate": async (request) => json(200, await api().validate(id(request), document(request), request.query.file)),
  "POST /fabrics/{id}/drafts/publish": async (request) => {
    const started = await api().publish(id(request), optionalJson(request), request.actor, request.now);
    return json(202, started, { location: started.location });
  },
  "POST /fabrics/{id}/adopt": async (request) => {
    const started = await api().adopt(id(request), optionalJson(request), request.actor, request.now);
    return json(202, started, { location: started.location });
  },
});
