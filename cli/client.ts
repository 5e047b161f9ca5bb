// Every call the CLI makes to the API (DESIGN §9), in one place: routes, query parameters and bodies
// live here and nowhere else. Authentication: a bearer token (HH_GITOPS_TOKEN, or the local stack's
// <data dir>/token), or with --aws a SigV4 signature from the default AWS credential chain.
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export type Obj = Record<string, unknown>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly fields: readonly { pointer: string; message: string }[],
    readonly body: unknown,
  ) {
    super(`${status} ${title}${detail ? `: ${detail}` : ""}`);
  }

  /** The route is missing on this server (a newer API's feature): 405, or a 404 not about a named thing. */
  get unavailable(): boolean {
    return this.status === 405 || this.status === 501 || (this.status === 404 && !/^(Fabric|Run|Resource|Draft) not found$/i.test(this.title));
  }
}

/** The server could not be reached at all. */
export class ConnectionError extends Error {}

export interface ClientOptions {
  readonly url: string;
  readonly aws: boolean;
  readonly env: NodeJS.ProcessEnv;
}

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData): string | Uint8Array =>
  typeof d === "string" ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

/** SHA-256 (and its HMAC) for the signer, from node:crypto. */
class Sha256 {
  private hash: Hash | Hmac;
  private readonly secret: string | Uint8Array | undefined;
  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : bytes(secret);
    this.hash = this.secret ? createHmac("sha256", this.secret) : createHash("sha256");
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.secret ? createHmac("sha256", this.secret) : createHash("sha256");
  }
}

/** The bearer token: HH_GITOPS_TOKEN, else the local stack's token file. */
export function localToken(env: NodeJS.ProcessEnv): string | null {
  if (env.HH_GITOPS_TOKEN) return env.HH_GITOPS_TOKEN;
  const file = join(env.HH_GITOPS_DATA_DIR ?? ".data", "token");
  return existsSync(file) ? readFileSync(file, "utf8").trim() : null;
}

/** execute-api hosts name their region; otherwise AWS_REGION. */
function regionOf(url: URL, env: NodeJS.ProcessEnv): string {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname)?.[1] ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1";
}

type Query = Record<string, string | number | boolean | undefined | null>;

export class Client {
  private readonly base: URL;
  private signer: Promise<{ sign(req: unknown): Promise<{ headers: Record<string, string> }> }> | undefined;

  constructor(private readonly options: ClientOptions) {
    this.base = new URL(options.url.endsWith("/") ? options.url : `${options.url}/`);
  }

  private async authorization(method: string, url: URL, headers: Record<string, string>, body: string | undefined): Promise<Record<string, string>> {
    if (!this.options.aws) {
      const token = localToken(this.options.env);
      return token ? { ...headers, authorization: `Bearer ${token}` } : headers;
    }
    this.signer ??= (async () => {
      const [{ SignatureV4 }, { defaultProvider }] = await Promise.all([import("@smithy/signature-v4"), import("@aws-sdk/credential-provider-node")]);
      return new SignatureV4({ service: "execute-api", region: regionOf(url, this.options.env), credentials: defaultProvider(), sha256: Sha256 }) as never;
    })();
    const signed = await (await this.signer).sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...headers, host: url.host },
      ...(body !== undefined ? { body } : {}),
    });
    return signed.headers;
  }

  async call<T = Obj>(method: string, path: string, options: { query?: Query; json?: unknown; yaml?: string } = {}): Promise<{ status: number; body: T; location: string | null }> {
    const url = new URL(path.replace(/^\//, ""), this.base);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined && v !== null && v !== "" && v !== false) url.searchParams.set(k, String(v));
    let headers: Record<string, string> = { accept: "application/json, application/problem+json" };
    let body: string | undefined;
    if (options.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.json);
    } else if (options.yaml !== undefined) {
      headers["content-type"] = "application/yaml";
      body = options.yaml;
    }
    headers = await this.authorization(method, url, headers, body);
    let res: Response;
    try {
      res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ConnectionError(`cannot reach ${this.base.origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    if (!res.ok) {
      const p = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Obj;
      const fields = Array.isArray(p.errors) ? (p.errors as { pointer: string; message: string }[]).filter((e) => typeof e?.pointer === "string") : [];
      throw new ApiError(res.status, String(p.title ?? p.message ?? res.statusText), String(p.detail ?? ""), fields, parsed);
    }
    return { status: res.status, body: parsed as T, location: res.headers.get("location") };
  }
}

const enc = encodeURIComponent;
const fabricPath = (id: string) => `/fabrics/${enc(id)}`;

export interface ResourceQuery {
  readonly kind?: string;
  readonly state?: string;
  readonly source?: string;
  readonly error?: boolean;
  readonly limit?: number;
  readonly cursor?: string;
}

/** The API's operations, named as the CLI uses them. */
export function operations(client: Client) {
  return {
    fabrics: async () => ((await client.call<{ items?: Obj[] }>("GET", "/fabrics")).body.items ?? []),
    fabric: async (id: string) => (await client.call("GET", fabricPath(id))).body,
    status: async (id: string) => (await client.call("GET", `${fabricPath(id)}/status`)).body,
    async resources(id: string, q: ResourceQuery = {}): Promise<Obj> {
      const query = { kind: q.kind, state: q.state, source: q.source, limit: q.limit, cursor: q.cursor };
      try {
        return (await client.call("GET", `${fabricPath(id)}/resources`, { query: { ...query, error: q.error ? "true" : undefined } })).body;
      } catch (error) {
        // A server before ?error= (issue 13) rejects the unknown key: filter its answer here.
        if (!(error instanceof ApiError) || error.status !== 422 || !q.error || !error.fields.some((f) => /error/.test(f.pointer))) throw error;
        const body = (await client.call("GET", `${fabricPath(id)}/resources`, { query })).body;
        const items = ((body.items as Obj[] | undefined) ?? []).filter((r) => Boolean(r.error));
        return { ...body, items, count: items.length };
      }
    },
    resource: async (id: string, kind: string, name: string, namespace?: string) =>
      (await client.call("GET", `${fabricPath(id)}/resources/${enc(kind)}/${enc(name)}`, { query: { namespace: namespace && namespace !== "default" ? namespace : undefined } })).body,
    runs: async (id: string, q: { limit?: number; cursor?: string } = {}) => (await client.call("GET", `${fabricPath(id)}/runs`, { query: q })).body,
    run: async (id: string, runId: string) => (await client.call("GET", `${fabricPath(id)}/runs/${enc(runId)}`)).body,
    start: async (id: string, kind: "sync" | "plan" | "init" | "ingest") => (await client.call("POST", `${fabricPath(id)}/${kind}`)).body,
    cancel: async (id: string, runId: string) => (await client.call("POST", `${fabricPath(id)}/runs/${enc(runId)}/cancel`)).body,
    drafts: async (id: string) => (await client.call("GET", `${fabricPath(id)}/drafts`)).body,
    publish: async (id: string) => (await client.call("POST", `${fabricPath(id)}/drafts/publish`, { json: {} })).body,
    /** Nothing selected: every cluster-only object. */
    adopt: async (id: string, selection: { resources?: readonly { kind: string; namespace: string; name: string }[]; kinds?: readonly string[] } = {}) =>
      (await client.call("POST", `${fabricPath(id)}/adopt`, { json: selection })).body,
  };
}

export type Operations = ReturnType<typeof operations>;
