// The Kubernetes client's HTTP layer, replaced so that every request is checked against the host
// allow-list before it is sent, and no redirect is followed (the client's default, node-fetch, follows
// up to 20 to any host, with the cluster's client certificate). The API server does not redirect the
// calls we make; a 3xx comes back as an error answer.
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import {
  CustomObjectsApi,
  ResponseContext,
  ServerConfiguration,
  createConfiguration,
  wrapHttpLibrary,
  type KubeConfig,
  type RequestContext,
} from "@kubernetes/client-node";
import { assertUrlAllowed } from "../net/guarded-fetch.js";
import type { HostPolicy } from "../net/hosts.js";

function send(request: RequestContext, hosts: HostPolicy): Promise<ResponseContext> {
  const url = request.getUrl();
  assertUrlAllowed(url, hosts, "Kubernetes request");
  const body = request.getBody();
  if (body !== undefined && typeof body !== "string") throw new TypeError("only string request bodies are sent to the Kubernetes API");
  const make = url.startsWith("https:") ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = make(url, { method: request.getHttpMethod(), headers: request.getHeaders(), agent: request.getAgent(), signal: request.getSignal() }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const data = Buffer.concat(chunks);
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
        resolve(new ResponseContext(res.statusCode ?? 0, headers, { text: async () => data.toString("utf8"), binary: async () => data }));
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** The CustomObjectsApi of `config`'s current cluster, through the guarded HTTP layer. */
export function customObjectsApi(config: KubeConfig, hosts: HostPolicy): CustomObjectsApi {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error("No active cluster!");
  return new CustomObjectsApi(
    createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: config },
      httpApi: wrapHttpLibrary({ send: (request) => send(request, hosts) }),
    }),
  );
}
