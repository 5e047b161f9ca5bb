// The API's operations (OPERATIONS: THE list, one entry per wiring route) and the OpenAPI 3.1 document
// generated from them. Every parameter, header, request body and response body is a zod schema that
// the router (functions/http/router.ts) and the handlers validate with, so the document cannot say
// something the API does not do. A test checks that every route in infra/wiring.ts is described here,
// and nothing else; another validates the document; the e2e tests check every answer against it.
import * as z from "zod";
import { fabricInputSchema, fabricPatchSchema } from "../fabrics/schema.js";
import { WRITE_BACK_OPERATIONS } from "./write-back-operations.js";
import { pushEventSchema } from "../triggers/github-payload.js";
import { emptyBodySchema, problemSchema } from "./schemas/common.js";
import { fabricCreatedSchema, fabricListSchema, fabricSchema, forceQuerySchema } from "./schemas/fabrics.js";
import { healthSchema, openApiDocumentSchema, webhookAnswerSchema } from "./schemas/meta.js";
import { resourceDetailQuerySchema, resourceDetailSchema, resourceGoneSchema, resourceListQuerySchema, resourcePageSchema, resourcePathSchema } from "./schemas/resources.js";
import { runCancelledSchema, runDetailSchema, runListQuerySchema, runPageSchema, runStartedSchema, statusSchema } from "./schemas/runs.js";

export type Tag = "meta" | "console" | "fabrics" | "runs" | "resources" | "write-back" | "webhooks";

const TAGS: readonly { name: Tag; description: string }[] = [
  { name: "fabrics", description: "Register, read, change and forget fabrics" },
  { name: "runs", description: "Start, follow and cancel runs; a fabric's status" },
  { name: "resources", description: "A fabric's resources: state, attribution, objects, drift, history" },
  { name: "write-back", description: "Drafts, validation, publish and adopt: changes written to Git (DESIGN §15)" },
  { name: "write-back", description: "Drafts, validation, publish and adopt: changes written to Git (DESIGN §15)" },
  { name: "webhooks", description: "GitHub deliveries" },
  { name: "meta", description: "Health and this document" },
  { name: "console", description: "The operator console's page and files" },
];

export interface ResponseSpec {
  readonly description: string;
  /** The body's schema (JSON); absent: no body, or a non-JSON one (`contentType`). */
  readonly schema?: z.ZodType;
  /** Default application/json (application/problem+json for problems). */
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface HeaderSpec {
  readonly name: string;
  readonly required: boolean;
  readonly description: string;
  readonly schema: z.ZodType;
}

export interface RequestBodySpec {
  readonly schema: z.ZodType;
  /** false: an empty body is accepted too (taken as {}). */
  readonly required: boolean;
  /** application/yaml: the write-back routes read YAML or JSON (raw, parsed by their handler). */
  readonly contentType: "application/json" | "application/yaml";
  /** The handler reads the raw body itself (the webhook verifies its signature over the bytes): the router leaves it alone. */
  readonly raw?: boolean;
}

export interface OperationSpec {
  readonly method: "get" | "post" | "patch" | "delete" | "put";
  readonly path: string;
  readonly operationId: string;
  readonly tag: Tag;
  readonly summary: string;
  readonly auth: boolean;
  /** Strict object of the path parameters; absent: each is a plain string. */
  readonly pathParams?: z.ZodObject;
  /** Strict object of the query parameters; absent: none are accepted. */
  readonly query?: z.ZodObject;
  readonly headers?: readonly HeaderSpec[];
  /** Absent on a POST: no body, or {} (anything else is a 422). */
  readonly requestBody?: RequestBodySpec;
  readonly responses: Readonly<Record<string, ResponseSpec>>;
}

// ---- the problems an operation can answer ----------------------------------------------------------

const PROBLEM = "application/problem+json";
const problemResponse = (description: string): ResponseSpec => ({ description, schema: problemSchema, contentType: PROBLEM });

const unauthorized = { "401": problemResponse("no valid credentials (the local stack's bearer token; in the cloud API Gateway answers 403 for a missing SigV4 signature)") };
const internal = { "500": problemResponse("the request failed unexpectedly; the detail reveals nothing (see the service logs)") };
const fabricMissing = { "404": problemResponse("no such fabric") };
const badQuery = {
  "400": problemResponse("a malformed request: the body is not JSON, or a cursor was not one this API gave (the title names the part)"),
  "422": problemResponse("a path or query parameter, header or body field is invalid (the title names the part; errors[].pointer the field; at most 20, omittedErrors counts the rest)"),
};
const tooLarge = { "413": problemResponse("body larger than the route's limit (64 KiB for fabric requests)") };
const busy = { "503": problemResponse("busy: the fabric's run lock kept changing; try again") };

/** The answers of every route that reads or changes one fabric. */
const fabricRoute = { ...unauthorized, ...fabricMissing, ...badQuery, ...internal };

const json = (description: string, schema: z.ZodType, headers?: Readonly<Record<string, string>>): ResponseSpec => ({ description, schema, ...(headers ? { headers } : {}) });

const ifMatch: HeaderSpec = {
  name: "If-Match",
  required: false,
  description: "the fabric version last read (its ETag); a stale one is a 412, a malformed one a 422",
  schema: z.string().max(64),
};

const webhookHeaders: readonly HeaderSpec[] = [
  { name: "X-Hub-Signature-256", required: true, description: "sha256=<HMAC-SHA256 of the raw body, keyed with the webhook secret>", schema: z.string().max(256) },
  { name: "X-GitHub-Event", required: true, description: "push and ping are acted on; other events are answered and start nothing", schema: z.string().max(64) },
  { name: "X-GitHub-Delivery", required: true, description: "the delivery's GUID: a redelivery is answered { duplicate: true }", schema: z.string().max(128) },
];

const runStarted = (kind: "init" | "ingest" | "sync" | "plan"): OperationSpec => ({
  method: "post",
  path: `/fabrics/{id}/${kind}`,
  operationId: { init: "initFabric", ingest: "ingestFabric", sync: "syncFabric", plan: "planFabric" }[kind],
  tag: "runs",
  summary: {
    init: "Start a run that ensures the GitOps layout",
    ingest: "Start a run that ingests raw/",
    sync: "Start a run: init if needed, ingest, reconcile when a cluster is configured",
    plan: "Start a dry run of sync: the run record holds what would be committed, applied, pruned and rejected",
  }[kind],
  auth: true,
  responses: {
    "202": json(
      "run started; or, with a run in flight, the follow-up run that starts when it ends (coalesced: true, status waiting, after: the run in flight). Location: the run that does the work",
      runStartedSchema,
      { Location: "the run doing the work: /fabrics/{id}/runs/{runId}" },
    ),
    ...fabricRoute,
    ...tooLarge,
    ...busy,
  },
});

export const OPERATIONS: readonly OperationSpec[] = [
  { method: "get", path: "/health", operationId: "health", tag: "meta", summary: "Liveness", auth: false, responses: { "200": json("ok", healthSchema), ...internal } },
  { method: "get", path: "/openapi.json", operationId: "openApi", tag: "meta", summary: "This document", auth: false, responses: { "200": json("OpenAPI 3.1", openApiDocumentSchema), ...internal } },
  {
    method: "get",
    path: "/",
    operationId: "consolePage",
    tag: "console",
    summary: "The operator console (HTML page; its API calls carry the credential)",
    auth: false,
    // The OpenID Connect issuer redirects back here with these (auth "jwt"); the page reads them.
    query: z.looseObject({
      code: z.string().optional().describe("authorization code (OpenID Connect redirect)"),
      state: z.string().optional(),
      error: z.string().optional(),
      error_description: z.string().optional(),
    }),
    responses: { "200": { description: "the page", contentType: "text/html" }, ...internal },
  },
  {
    method: "get",
    path: "/console/{asset}",
    operationId: "consoleAsset",
    tag: "console",
    summary: "The console's files (content-hashed, immutable) and config.json (how the console signs in)",
    auth: false,
    responses: { "200": { description: "the file (JavaScript, CSS, JSON)", contentType: "*/*" }, "404": problemResponse("no such file"), ...internal },
  },
  {
    method: "post",
    path: "/fabrics",
    operationId: "registerFabric",
    tag: "fabrics",
    summary: "Register a fabric (starts its init run)",
    auth: true,
    requestBody: { schema: fabricInputSchema, required: true, contentType: "application/json" },
    responses: {
      "201": json("registered", fabricCreatedSchema, { Location: "/fabrics/{id}", ETag: "the fabric's version" }),
      "409": problemResponse("a fabric with this name exists"),
      ...unauthorized,
      ...badQuery,
      ...tooLarge,
      ...internal,
    },
  },
  { method: "get", path: "/fabrics", operationId: "listFabrics", tag: "fabrics", summary: "List fabrics", auth: true, responses: { "200": json("the fabrics", fabricListSchema), ...unauthorized, ...badQuery, ...internal } },
  {
    method: "get",
    path: "/fabrics/{id}",
    operationId: "getFabric",
    tag: "fabrics",
    summary: "Get a fabric",
    auth: true,
    responses: { "200": json("the fabric", fabricSchema, { ETag: "the fabric's version" }), ...fabricRoute },
  },
  {
    method: "patch",
    path: "/fabrics/{id}",
    operationId: "updateFabric",
    tag: "fabrics",
    summary: "Change a fabric's git, cluster, sync or hedgehog settings",
    auth: true,
    headers: [ifMatch],
    requestBody: { schema: fabricPatchSchema, required: true, contentType: "application/json" },
    responses: {
      "200": json("updated", fabricSchema, { ETag: "the fabric's new version" }),
      "409": problemResponse("changed concurrently"),
      "412": problemResponse("If-Match names a version that is no longer current"),
      ...fabricRoute,
      ...tooLarge,
    },
  },
  {
    method: "delete",
    path: "/fabrics/{id}",
    operationId: "deleteFabric",
    tag: "fabrics",
    summary: "Forget a fabric and its records (Git and the cluster are untouched); refused while a run is in flight unless ?force=true, which cancels it first",
    auth: true,
    query: forceQuerySchema,
    responses: { "204": { description: "deleted" }, "409": problemResponse("a run is in flight (the detail names it)"), ...fabricRoute, ...busy },
  },
  runStarted("init"),
  runStarted("ingest"),
  runStarted("sync"),
  runStarted("plan"),
  {
    method: "get",
    path: "/fabrics/{id}/status",
    operationId: "getStatus",
    tag: "runs",
    summary: "Directory status, last run, resource counts, the resources that need attention by name, and the last run's rejections",
    auth: true,
    responses: { "200": json("status", statusSchema), ...fabricRoute },
  },
  {
    method: "get",
    path: "/fabrics/{id}/runs",
    operationId: "listRuns",
    tag: "runs",
    summary: "Runs, newest first, a page at a time",
    auth: true,
    query: runListQuerySchema,
    responses: { "200": json("a page of runs", runPageSchema), ...fabricRoute },
  },
  {
    method: "get",
    path: "/fabrics/{id}/runs/{runId}",
    operationId: "getRun",
    tag: "runs",
    summary: "One run with its stages, their progress, and its rejections",
    auth: true,
    responses: { "200": json("the run", runDetailSchema), ...fabricRoute, "404": problemResponse("no such fabric or run") },
  },
  {
    method: "post",
    path: "/fabrics/{id}/runs/{runId}/cancel",
    operationId: "cancelRun",
    tag: "runs",
    summary: "Cancel a run: one still waiting at once, a queued or running one at its next stage boundary",
    auth: true,
    responses: {
      "200": json("cancelled (it had not started)", runCancelledSchema, { Location: "the run" }),
      "202": json("cancelling: it ends at its next stage boundary", runCancelledSchema, { Location: "the run" }),
      "409": problemResponse("the run has already ended"),
      ...fabricRoute,
      "404": problemResponse("no such fabric or run"),
      ...tooLarge,
      ...busy,
    },
  },
  {
    method: "get",
    path: "/fabrics/{id}/resources",
    operationId: "listResources",
    tag: "resources",
    summary: "Resources with their state, error and Git attribution, a page at a time (filters: kind, state, source, error)",
    auth: true,
    query: resourceListQuerySchema,
    responses: { "200": json("a page of resources", resourcePageSchema), ...fabricRoute },
  },
  {
    method: "get",
    path: "/fabrics/{id}/resources/{kind}/{name}",
    operationId: "getResource",
    tag: "resources",
    summary: "One resource: its record, the desired object (Git, normalized), the live one (server fields stripped), its drift and history (newest first)",
    auth: true,
    pathParams: resourcePathSchema,
    query: resourceDetailQuerySchema,
    responses: {
      "200": json("the resource", resourceDetailSchema),
      "410": { description: "the resource was pruned or is gone from Git and the cluster; the problem carries its history", schema: resourceGoneSchema, contentType: PROBLEM },
      ...fabricRoute,
      "404": problemResponse("no such fabric, or no such resource and no history of one"),
    },
  },
  {
    method: "post",
    path: "/webhooks/github",
    operationId: "githubWebhook",
    tag: "webhooks",
    summary: "GitHub webhook (push, pull_request, ping), authenticated by X-Hub-Signature-256 over the raw body; deduplicated by X-GitHub-Delivery",
    auth: false,
    headers: webhookHeaders,
    requestBody: { schema: pushEventSchema, required: true, contentType: "application/json", raw: true },
    responses: {
      "200": json("ping, a redelivery ({ duplicate: true }) or a replayed push or pull request", webhookAnswerSchema),
      "202": json("push or pull_request: per fabric of the repository, the run (sync or check) started or coalesced, or why it was ignored; other events: why nothing starts", webhookAnswerSchema),
      "400": problemResponse("X-GitHub-Event or X-GitHub-Delivery missing, or the payload is not JSON"),
      "401": problemResponse("signature missing, SHA-1 only, or not matching"),
      "413": problemResponse("body larger than GitHub ever sends (25 MiB)"),
      "422": problemResponse("push payload lacks a field we use"),
      "503": problemResponse("no webhook secret configured, or it cannot be read"),
      ...internal,
    },
  },
  ...WRITE_BACK_OPERATIONS,
];

/** The operation of an API Gateway route key ("GET /fabrics/{id}"). */
export function operationOf(routeKey: string): OperationSpec | undefined {
  return OPERATION_BY_ROUTE_KEY.get(routeKey);
}

const OPERATION_BY_ROUTE_KEY: ReadonlyMap<string, OperationSpec> = new Map(OPERATIONS.map((op) => [`${op.method.toUpperCase()} ${op.path}`, op]));

/** Answers of the catch-all route (no operation): an unknown path, a method the path does not take. */
export const FALLBACK_RESPONSES: Readonly<Record<string, ResponseSpec>> = {
  "404": problemResponse("no such route"),
  "405": { ...problemResponse("the path takes other methods"), headers: { Allow: "the methods the path takes" } },
};

// ---- the document ------------------------------------------------------------------------------

type JsonSchema = Record<string, unknown>;

/** Component names: every body schema gets one (responses as the API writes them, requests as it reads them). */
function componentNames(): { responses: Map<z.ZodType, string>; requests: Map<z.ZodType, string> } {
  const responses = new Map<z.ZodType, string>([
    [problemSchema, "Problem"],
    [healthSchema, "Health"],
    [openApiDocumentSchema, "OpenApiDocument"],
    [fabricSchema, "Fabric"],
    [fabricListSchema, "FabricList"],
    [fabricCreatedSchema, "FabricCreated"],
    [runStartedSchema, "RunStarted"],
    [runCancelledSchema, "RunCancelled"],
    [runDetailSchema, "RunDetail"],
    [runPageSchema, "RunPage"],
    [statusSchema, "Status"],
    [resourcePageSchema, "ResourcePage"],
    [resourceDetailSchema, "ResourceDetail"],
    [resourceGoneSchema, "ResourceGone"],
    [webhookAnswerSchema, "WebhookAnswer"],
  ]);
  const requests = new Map<z.ZodType, string>([
    [fabricInputSchema, "FabricInput"],
    [fabricPatchSchema, "FabricPatch"],
    [pushEventSchema, "PushEvent"],
    [emptyBodySchema, "EmptyBody"],
  ]);
  return { responses, requests };
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** The registry's schemas as components; refs between them point at #/components/schemas. */
function components(names: Map<z.ZodType, string>, io: "input" | "output"): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of names) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { io, uri: (id) => `#/components/schemas/${id}`, unrepresentable: "any" }) as { schemas: Record<string, JsonSchema> };
  return Object.fromEntries(Object.entries(schemas).map(([id, s]) => [id, withoutIds(s)]));
}

/** `$schema` and `$id` belong to a standalone schema, not to a component. */
function withoutIds(schema: JsonSchema): JsonSchema {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

function inlineSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  return withoutIds(z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema);
}

function parameters(op: OperationSpec): JsonSchema[] {
  const out: JsonSchema[] = [];
  const pathSchema = op.pathParams ? (inlineSchema(op.pathParams, "input") as { properties?: Record<string, JsonSchema> }) : undefined;
  for (const [, name] of op.path.matchAll(/\{(\w+)\}/g)) {
    out.push({ name, in: "path", required: true, schema: pathSchema?.properties?.[name!] ?? { type: "string" } });
  }
  if (op.query) {
    const query = inlineSchema(op.query, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      const { description, ...rest } = schema;
      out.push({ name, in: "query", required: (query.required ?? []).includes(name), ...(description ? { description } : {}), schema: rest });
    }
  }
  for (const header of op.headers ?? []) {
    out.push({ name: header.name, in: "header", required: header.required, description: header.description, schema: inlineSchema(header.schema, "input") });
  }
  return out;
}

function response(spec: ResponseSpec, names: Map<z.ZodType, string>): JsonSchema {
  const contentType = spec.contentType ?? "application/json";
  const schema = spec.schema ? (names.has(spec.schema) ? ref(names.get(spec.schema)!) : inlineSchema(spec.schema, "output")) : contentType === "application/json" ? undefined : { type: "string" };
  return {
    description: spec.description,
    ...(spec.headers ? { headers: Object.fromEntries(Object.entries(spec.headers).map(([name, description]) => [name, { description, schema: { type: "string" } }])) } : {}),
    ...(schema ? { content: { [contentType]: { schema } } } : {}),
  };
}

export function openApiDocument(): Record<string, unknown> {
  const names = componentNames();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const params = parameters(op);
    const body = op.requestBody ?? (op.method === "post" ? ({ schema: emptyBodySchema, required: false, contentType: "application/json" } satisfies RequestBodySpec) : undefined);
    (paths[op.path] ??= {})[op.method] = {
      operationId: op.operationId,
      tags: [op.tag],
      summary: op.summary,
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(body
        ? {
            requestBody: {
              required: body.required,
              content: { [body.contentType]: { schema: names.requests.has(body.schema) ? ref(names.requests.get(body.schema)!) : inlineSchema(body.schema, "input") } },
            },
          }
        : {}),
      responses: Object.fromEntries(Object.entries(op.responses).map(([code, spec]) => [code, response(spec, names.responses)])),
      ...(op.auth ? {} : { security: [] }),
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "hedgehog-gitops",
      version: "0.1.0",
      description:
        "A wrong method answers 405 with Allow, an unknown path 404, both as problem+json. Lists are paginated: `limit` (1-500, default 100), an opaque `cursor`, and `next` in the answer (a page also stops before 1 MB).",
    },
    tags: TAGS,
    components: {
      schemas: { ...components(names.responses, "output"), ...components(names.requests, "input") },
      securitySchemes: { bearer: { type: "http", scheme: "bearer" }, sigv4: { type: "apiKey", in: "header", name: "Authorization" } },
    },
    security: [{ bearer: [] }, { sigv4: [] }],
    paths,
  };
}
