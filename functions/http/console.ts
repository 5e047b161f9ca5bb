// The operator console (DESIGN §16): the page at `/` and its files under /console/. Public: the page
// holds no data; every API call it makes carries the operator's credential.
import { RouteNotFoundError } from "../../lib/api/errors.js";
import { parseConsoleAuth, type ConsoleAuth } from "../../lib/config/console.js";
import { consoleResponse } from "../../lib/console/assets.js";
import { httpHandler, type ApiRequest, type ApiResponse } from "./router.js";

let auth: ConsoleAuth | undefined;

function serve(file: string | undefined): ApiResponse {
  const response = consoleResponse(file, (auth ??= parseConsoleAuth(process.env)));
  if (!response) throw new RouteNotFoundError(`the console has no file ${file}`);
  return { status: response.status, headers: response.headers, body: response.body, raw: true };
}

export const handler = httpHandler({
  "GET /": async () => serve(undefined),
  "GET /console/{asset}": async (request: ApiRequest) => serve(request.path.asset ?? ""),
});
