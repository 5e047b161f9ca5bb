// A smart-HTTP Git server for tests: a node http server on 127.0.0.1 that runs `git http-backend`
// as a CGI program for every request, serving the bare repositories under `root`. With `token`, it
// asks for HTTP Basic auth (401 + WWW-Authenticate) and accepts any user name with that password.
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { GIT_ENV } from "./git-repos.js";

export interface GitHttpBackend {
  /** URL of the repository at `root/<name>`. */
  repoUrl(name: string): string;
  /** Requests served so far (including 401 challenges). */
  readonly requests: { method: string; path: string; status: number }[];
  close(): Promise<void>;
}

function authorized(request: IncomingMessage, token: string | undefined): string | null {
  if (token === undefined) return "anonymous";
  const match = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? "");
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon > 0 && decoded.slice(colon + 1) === token ? decoded.slice(0, colon) : null;
}

function runCgi(request: IncomingMessage, response: ServerResponse, root: string, user: string, log: { status: number }): void {
  const url = new URL(request.url ?? "/", "http://localhost");
  const child = spawn("git", ["http-backend"], {
    env: {
      ...GIT_ENV,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: "1",
      // Pushing needs an authenticated user (REMOTE_USER) and receive-pack switched on.
      REMOTE_USER: user,
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: "http.receivepack",
      GIT_CONFIG_VALUE_0: "true",
      REQUEST_METHOD: request.method ?? "GET",
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: request.headers["content-type"] ?? "",
      REMOTE_ADDR: "127.0.0.1",
      ...(request.headers["content-length"] ? { CONTENT_LENGTH: request.headers["content-length"] } : {}),
      ...(request.headers["content-encoding"] ? { HTTP_CONTENT_ENCODING: request.headers["content-encoding"] } : {}),
      ...(request.headers["git-protocol"] ? { GIT_PROTOCOL: String(request.headers["git-protocol"]) } : {}),
    },
  });
  request.pipe(child.stdin);
  let buffered = Buffer.alloc(0);
  let headersDone = false;
  child.stdout.on("data", (chunk: Buffer) => {
    if (headersDone) {
      response.write(chunk);
      return;
    }
    buffered = Buffer.concat([buffered, chunk]);
    const end = buffered.indexOf("\r\n\r\n");
    if (end === -1) return;
    headersDone = true;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of buffered.subarray(0, end).toString("latin1").split("\r\n")) {
      const colon = line.indexOf(":");
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === "status") status = parseInt(value, 10);
      else headers[name] = value;
    }
    log.status = status;
    response.writeHead(status, headers);
    response.write(buffered.subarray(end + 4));
  });
  child.stdout.on("end", () => response.end());
  child.on("error", () => response.destroy());
}

export async function startGitHttpBackend(options: { root: string; token?: string }): Promise<GitHttpBackend> {
  const requests: { method: string; path: string; status: number }[] = [];
  const server = createServer((request, response) => {
    const entry = { method: request.method ?? "GET", path: request.url ?? "/", status: 0 };
    requests.push(entry);
    const user = authorized(request, options.token);
    if (user === null) {
      entry.status = 401;
      request.resume();
      response.writeHead(401, { "www-authenticate": 'Basic realm="git"', "content-type": "text/plain" });
      response.end("authentication required\n");
      return;
    }
    runCgi(request, response, options.root, user, entry);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    repoUrl: (name) => `${base}/${name}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
