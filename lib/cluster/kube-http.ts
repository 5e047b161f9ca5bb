// The Kubernetes API over node:http/https, for the handful of calls the engine makes (client.ts).
//
// Why not @kubernetes/client-node: its KubeConfig alone is ~957 KB minified (with node-fetch, whatwg-url
// and tr46), a quarter of a second of import on every cold start of both stage workers, for five REST
// calls. Its HTTP layer had already been replaced (no redirects, the host guard on every request) and
// kubeconfigs are checked by us (kubeconfig.ts) before it saw them; what was left of it was URL
// building and its Configuration plumbing. The tests still use it, as an independent client, against
// the simulated cluster and the recorded transcripts.
//
// Every request: the host allow-list is checked first; no redirect is followed (a 3xx is an error
// answer); the cluster's rate limit (rate-limit.ts) is waited for; a 429 is waited out as the server's
// Retry-After asks, a bounded number of times (kube-apiserver's API Priority and Fairness answers 429
// with Retry-After when a flow's queues are full); nothing hangs longer than REQUEST_TIMEOUT_MS.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { assertUrlAllowed } from "../net/guarded-fetch.js";
import type { HostPolicy } from "../net/hosts.js";
import { DEFAULT_CLUSTER_RATE_LIMIT, systemClock, TokenBucket, type Clock, type RateLimitSettings } from "./rate-limit.js";

/** Where and how to reach one cluster: what a kubeconfig's current context says (kubeconfig.ts). */
export interface ClusterEndpoint {
  /** https://host[:port][/path], as the kubeconfig's `server`. */
  readonly server: string;
  /** PEM of the CA that signs the server's certificate (certificate-authority-data). */
  readonly ca?: string;
  /** Client certificate and key, PEM (client-certificate-data, client-key-data). */
  readonly cert?: string;
  readonly key?: string;
  readonly token?: string;
  readonly username?: string;
  readonly password?: string;
  readonly insecureSkipTlsVerify?: boolean;
  /** tls-server-name: the name to verify the certificate against, when it is not the server's host. */
  readonly tlsServerName?: string;
}

export interface KubeRequest {
  readonly method: "GET" | "PATCH" | "DELETE" | "POST" | "PUT";
  /** /apis/... without the server's own path prefix. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly contentType?: string;
  readonly accept?: string;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** What the request is, for messages ("apply VPC vpc-1"). */
  readonly what: string;
}

export interface KubeAnswer {
  readonly status: number;
  readonly body: string;
}

/** Counters of one connection since it was made: the run's metrics read them. */
export interface KubeTraffic {
  readonly requests: number;
  /** 429 answers (each waited out or given up on). */
  readonly throttled: number;
  /** Time spent waiting for the client-side rate limit and for Retry-After. */
  readonly waitedMs: number;
}

/** A non-2xx answer, after the 429s that were waited out. */
export class KubeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status}`);
    this.name = "KubeHttpError";
  }
}

export interface KubeHttpOptions {
  readonly rateLimit?: RateLimitSettings;
  /** 429s waited out per request before it fails (client-go: 10). */
  readonly maxThrottleRetries?: number;
  /** A Retry-After longer than this is not waited in-process: the request fails and the stage is retried later. */
  readonly maxRetryAfterSeconds?: number;
  readonly requestTimeoutMs?: number;
  readonly clock?: Clock;
}

/** Long enough for a 10,000-object list page; a hung server fails the request, and the stage retries. */
export const REQUEST_TIMEOUT_MS = 60_000;
const MAX_THROTTLE_RETRIES = 10;
const MAX_RETRY_AFTER_SECONDS = 30;
/** Answers larger than this are refused: 10,000 objects of a few KB each, with room to spare. */
const MAX_ANSWER_BYTES = 256 * 1024 * 1024;
/** Parallel connections to one cluster; the stages run at most 8 requests at once. */
const MAX_SOCKETS = 16;

/** Seconds from a Retry-After header (kube-apiserver sends whole seconds); 1 when absent or unreadable. */
export function retryAfterSeconds(header: string | string[] | undefined): number {
  const value = Array.isArray(header) ? header[0] : header;
  const seconds = value === undefined ? NaN : Number(value.trim());
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : 1;
}

export class KubeHttp {
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly bucket: TokenBucket;
  private readonly base: string;
  private readonly authorization: string | undefined;
  private readonly options: Required<Omit<KubeHttpOptions, "rateLimit" | "clock">> & { clock: Clock };
  private counters = { requests: 0, throttled: 0, waitedMs: 0 };

  constructor(
    readonly endpoint: ClusterEndpoint,
    private readonly hosts: HostPolicy,
    options: KubeHttpOptions = {},
  ) {
    assertUrlAllowed(endpoint.server, hosts, "Kubernetes request");
    this.base = endpoint.server.replace(/\/+$/, "");
    const tls = {
      ...(endpoint.ca ? { ca: endpoint.ca } : {}),
      ...(endpoint.cert ? { cert: endpoint.cert } : {}),
      ...(endpoint.key ? { key: endpoint.key } : {}),
      ...(endpoint.tlsServerName ? { servername: endpoint.tlsServerName } : {}),
      rejectUnauthorized: endpoint.insecureSkipTlsVerify !== true,
    };
    const common = { keepAlive: true, maxSockets: MAX_SOCKETS };
    this.agent = this.base.startsWith("https:") ? new HttpsAgent({ ...common, ...tls }) : new HttpAgent(common);
    this.authorization = endpoint.token
      ? `Bearer ${endpoint.token}`
      : endpoint.username !== undefined
        ? `Basic ${Buffer.from(`${endpoint.username}:${endpoint.password ?? ""}`).toString("base64")}`
        : undefined;
    const clock = options.clock ?? systemClock;
    this.bucket = new TokenBucket(options.rateLimit ?? DEFAULT_CLUSTER_RATE_LIMIT, clock);
    this.options = {
      maxThrottleRetries: options.maxThrottleRetries ?? MAX_THROTTLE_RETRIES,
      maxRetryAfterSeconds: options.maxRetryAfterSeconds ?? MAX_RETRY_AFTER_SECONDS,
      requestTimeoutMs: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
      clock,
    };
  }

  traffic(): KubeTraffic {
    return { ...this.counters, waitedMs: Math.round(this.counters.waitedMs) };
  }

  urlOf(request: Pick<KubeRequest, "path" | "query">): string {
    const query = Object.entries(request.query ?? {})
      .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
      .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`)
      .join("&");
    return `${this.base}${request.path}${query ? `?${query}` : ""}`;
  }

  /** Sends the request (after the rate limit), waiting out 429s; resolves with a 2xx answer, throws KubeHttpError otherwise. */
  async send(request: KubeRequest): Promise<KubeAnswer> {
    for (let throttled = 0; ; throttled++) {
      const paced = await this.bucket.take();
      this.counters.waitedMs += paced;
      const answer = await this.once(request);
      if (answer.status >= 200 && answer.status < 300) return answer;
      if (answer.status !== 429) throw new KubeHttpError(answer.status, answer.body, request.what);
      this.counters.throttled++;
      const wait = retryAfterSeconds(answer.retryAfter);
      if (throttled >= this.options.maxThrottleRetries || wait > this.options.maxRetryAfterSeconds) throw new KubeHttpError(429, answer.body, request.what);
      this.counters.waitedMs += wait * 1000;
      await this.options.clock.sleep(wait * 1000);
    }
  }

  private once(request: KubeRequest): Promise<KubeAnswer & { retryAfter?: string | string[] }> {
    const url = this.urlOf(request);
    // Checked again per request: the base is fixed, but nothing else may ever reach another host.
    assertUrlAllowed(url, this.hosts, "Kubernetes request");
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const headers: Record<string, string> = {
      accept: request.accept ?? "application/json",
      "user-agent": "hedgehog-gitops",
      ...(this.authorization ? { authorization: this.authorization } : {}),
      ...(body !== undefined ? { "content-type": request.contentType ?? "application/json", "content-length": String(Buffer.byteLength(body)) } : {}),
    };
    this.counters.requests++;
    const make = url.startsWith("https:") ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = make(url, { method: request.method, headers, agent: this.agent, timeout: this.options.requestTimeoutMs }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) {
            res.destroy(new Error(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on("error", reject);
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), ...(res.headers["retry-after"] !== undefined ? { retryAfter: res.headers["retry-after"] } : {}) }),
        );
      });
      req.on("timeout", () => req.destroy(Object.assign(new Error(`no answer within ${this.options.requestTimeoutMs} ms`), { code: "ETIMEDOUT" })));
      req.on("error", reject);
      req.end(body);
    });
  }

  /** Closes idle connections (a connection that is dropped from the cache). */
  close(): void {
    this.agent.destroy();
  }
}
