// isomorphic-git's HTTP client, kept on the operator's allow-list (DESIGN §14): each request is checked
// before it is sent, and redirects are followed here, one checked hop at a time, instead of inside
// simple-get (which would follow up to ten, anywhere). Credentials stay behind on another origin.
import type { GitHttpRequest, GitHttpResponse, HttpClient } from "isomorphic-git";
import nodeHttp from "isomorphic-git/http/node";
import { assertUrlAllowed, isRedirect, redirectStep } from "../../net/guarded-fetch.js";
import type { HostPolicy } from "../../net/hosts.js";

async function collect(body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function drain(body: GitHttpResponse["body"]): Promise<void> {
  if (!body) return;
  for await (const _ of body) {
    // discard
  }
}

function withoutHeaders(headers: Record<string, string>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name.toLowerCase())));
}

export function guardedGitHttp(policy: HostPolicy, base: HttpClient = nodeHttp): HttpClient {
  return {
    async request(request: GitHttpRequest): Promise<GitHttpResponse> {
      let url = request.url;
      let method = (request.method ?? "GET").toUpperCase();
      let headers: Record<string, string> = { ...request.headers };
      // Collected once, so that a 307/308 can send it again (Git requests bodies are packs of one commit's objects).
      let body: Uint8Array | undefined = request.body ? await collect(request.body) : undefined;
      for (let hop = 0; ; hop++) {
        assertUrlAllowed(url, policy, "Git request");
        const response = await base.request({
          ...request,
          url,
          method,
          headers,
          // http/node sends an array body as one buffer, with a Content-Length.
          ...(body ? { body: [body] as unknown as AsyncIterableIterator<Uint8Array> } : { body: undefined }),
          fetchOptions: { ...request.fetchOptions, followRedirects: false },
        });
        const location = response.headers?.location ?? null;
        if (!isRedirect(response.statusCode) || location === null) return response;
        await drain(response.body);
        const step = redirectStep(url, response.statusCode, location, method, hop, policy);
        if (step.crossOrigin) headers = withoutHeaders(headers, ["authorization", "cookie"]);
        if (step.dropBody) {
          body = undefined;
          headers = withoutHeaders(headers, ["content-type", "content-length"]);
        }
        method = step.method;
        url = step.url;
      }
    },
  };
}
