import { ResourceApi, type ResourceDetailQuery, type ResourceListQuery } from "../../lib/api/resources.js";
import { kindNames } from "../../lib/api/kinds.js";
import { runtime } from "../../lib/pipeline/runtime.js";
import { httpHandler, json, type ApiRequest } from "./router.js";

const api = () => new ResourceApi({ ...runtime(), kinds: kindNames });
const id = (request: ApiRequest) => request.path.id ?? "";

export const handler = httpHandler({
  "GET /fabrics/{id}/resources": async (request) => json(200, await api().list(id(request), request.input.query as ResourceListQuery)),
  "GET /fabrics/{id}/resources/{kind}/{name}": async (request) =>
    json(200, await api().get(id(request), request.path.kind ?? "", request.path.name ?? "", request.input.query as ResourceDetailQuery)),
});
