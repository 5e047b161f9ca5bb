// Every call the console makes to the API (DESIGN §9), in one place: routes, query parameters and body
// shapes live here and nowhere else, so adapting to the API's final shapes is a change of this file.
// Answers are returned as the API gives them; lib/operator/views.ts reads them.
import { credential, signedOut } from "./auth.js";

export type Obj = Record<string, unknown>;

/** A field the API named in a problem (RFC 9457 `errors[]`: JSON pointer into the request). */
export interface FieldProblem {
  readonly pointer: string;
  readonly message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly fields: readonly FieldProblem[],
    /** The whole answer (a 422 of validate or of a draft carries its findings). */
    readonly body: unknown = undefined,
  ) {
    super(detail || title || `HTTP ${status}`);
  }

  /**
   * The route itself is missing on this server (a feature of a newer API: drafts, validate, cancel):
   * 405, or a 404 that is not about a named fabric, run or resource.
   */
  get unavailable(): boolean {
    if (this.status === 405 || this.status === 501) return true;
    return this.status === 404 && !/^(Fabric|Run|Resource|Draft) not found$/i.test(this.title);
  }
}

/** The API's base: the folder the page was served from (works behind a stage path too). */
const base = () => new URL(".", location.href.replace(/#.*$/, ""));

function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "" && v !== false) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

async function call<T = Obj>(method: string, path: string, body?: { json?: unknown; yaml?: string }): Promise<{ status: number; body: T; location: string | null }> {
  const headers: Record<string, string> = { accept: "application/json, application/problem+json" };
  const token = credential();
  if (token) headers.authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (body?.json !== undefined) {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(body.json);
  } else if (body?.yaml !== undefined) {
    headers["content-type"] = "application/yaml";
    payload = body.yaml;
  }
  const res = await fetch(new URL(path.replace(/^\//, ""), base()), { method, headers, ...(payload !== undefined ? { body: payload } : {}), credentials: "omit" });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (!res.ok) {
    const p = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Obj;
    const fields = Array.isArray(p.errors) ? (p.errors as FieldProblem[]).filter((e) => typeof e?.pointer === "string") : [];
    const error = new ApiError(res.status, String(p.title ?? p.message ?? res.statusText), String(p.detail ?? p.message ?? ""), fields, parsed);
    if (res.status === 401) signedOut(error.detail || "the credential was not accepted");
    throw error;
  }
  return { status: res.status, body: parsed as T, location: res.headers.get("location") };
}

const enc = encodeURIComponent;
const fabricPath = (id: string) => `/fabrics/${enc(id)}`;

export interface ResourceFilter {
  readonly kind?: string;
  readonly state?: string;
  readonly source?: string;
  readonly error?: boolean;
  readonly cursor?: string;
  readonly limit?: number;
}

/** The run a trigger answered with (202): the run doing the work (issue 12: a follow-up run while one is in flight). */
export interface RunStarted {
  readonly runId: string;
  readonly status: string;
  readonly location: string;
  readonly after?: string;
  readonly coalesced?: boolean;
}

// The API of issue 13 may not accept ?error= yet (strict query → 422 on the unknown key): then the
// console filters the page it got. Remembered per page load.
let serverFiltersErrors = true;

export const api = {
  fabrics: async () => (await call<{ items: Obj[] }>("GET", "/fabrics")).body.items ?? [],
  fabric: async (id: string) => (await call("GET", fabricPath(id))).body,
  register: async (settings: Obj) => (await call("POST", "/fabrics", { json: settings })).body,
  status: async (id: string) => (await call("GET", `${fabricPath(id)}/status`)).body,

  async resources(id: string, filter: ResourceFilter = {}): Promise<{ items: Obj[]; next: string | null; total: number | null }> {
    const params = { kind: filter.kind, state: filter.state, source: filter.source, cursor: filter.cursor, limit: filter.limit };
    let body: Obj;
    let filterHere = false;
    try {
      body = (await call("GET", `${fabricPath(id)}/resources${query({ ...params, error: filter.error && serverFiltersErrors ? "true" : undefined })}`)).body;
      filterHere = Boolean(filter.error) && !serverFiltersErrors;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 422 || !filter.error || !error.fields.some((f) => /error/.test(f.pointer))) throw error;
      serverFiltersErrors = false;
      body = (await call("GET", `${fabricPath(id)}/resources${query(params)}`)).body;
      filterHere = true;
    }
    const items = ((body.items as Obj[]) ?? []).filter((r) => !filterHere || Boolean(r.error));
    const total = typeof body.total === "number" ? body.total : typeof body.count === "number" && !filterHere ? body.count : null;
    return { items, next: typeof body.next === "string" ? body.next : null, total };
  },

  resource: async (id: string, kind: string, name: string, namespace?: string) =>
    (await call("GET", `${fabricPath(id)}/resources/${enc(kind)}/${enc(name)}${query({ namespace: namespace && namespace !== "default" ? namespace : undefined })}`)).body,

  async runs(id: string, cursor?: string): Promise<{ items: Obj[]; next: string | null }> {
    const body = (await call("GET", `${fabricPath(id)}/runs${query({ cursor })}`)).body;
    return { items: (body.items as Obj[]) ?? [], next: typeof body.next === "string" ? body.next : null };
  },
  run: async (id: string, runId: string) => (await call("GET", `${fabricPath(id)}/runs/${enc(runId)}`)).body,

  async start(id: string, kind: "sync" | "plan" | "init"): Promise<RunStarted> {
    const { body, location } = await call<Obj>("POST", `${fabricPath(id)}/${kind}`);
    return {
      runId: String(body.runId),
      status: String(body.status ?? "queued"),
      location: String(body.location ?? location ?? ""),
      ...(typeof body.after === "string" ? { after: body.after } : {}),
      ...(typeof body.coalesced === "boolean" ? { coalesced: body.coalesced } : {}),
    };
  },
  cancel: async (id: string, runId: string) => (await call("POST", `${fabricPath(id)}/runs/${enc(runId)}/cancel`)).body,

  // Write-back (issue 14). The body of validate and of a draft is the YAML text as typed.
  validate: async (id: string, yaml: string) => (await call("POST", `${fabricPath(id)}/validate`, { yaml })).body,
  drafts: async (id: string) => (await call("GET", `${fabricPath(id)}/drafts`)).body,
  saveDraft: async (id: string, kind: string, name: string, namespace: string, yaml: string) =>
    (await call("PUT", `${fabricPath(id)}/resources/${enc(kind)}/${enc(name)}${query({ namespace: namespace !== "default" ? namespace : undefined })}`, { yaml })).body,
  discardDraft: async (id: string, kind: string, name: string, namespace: string) =>
    (await call("DELETE", `${fabricPath(id)}/drafts/${enc(kind)}/${enc(name)}${query({ namespace: namespace !== "default" ? namespace : undefined })}`)).body,
  publish: async (id: string) => (await call("POST", `${fabricPath(id)}/drafts/publish`, { json: {} })).body,
  adopt: async (id: string, resources: readonly { kind: string; namespace: string; name: string }[]) =>
    (await call("POST", `${fabricPath(id)}/adopt`, { json: { resources } })).body,
};
