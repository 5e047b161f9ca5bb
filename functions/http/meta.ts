import { openApiDocument } from "../../lib/api/openapi.js";
import { httpHandler, json } from "./router.js";

let document: Record<string, unknown> | undefined;

export const handler = httpHandler({
  "GET /health": async () => json(200, { status: "ok" }),
  "GET /openapi.json": async () => json(200, (document ??= openApiDocument())),
});
