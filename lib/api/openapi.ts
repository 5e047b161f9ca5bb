// The OpenAPI document, generated from the same zod schemas that validate requests.
// A test checks that every route in infra/wiring.ts is described here, and nothing else.
import * as z from "zod";
import { fabricInputSchema, fabricPatchSchema } from "../fabrics/schema.js";
import { WRITE_BACK_OPERATIONS } from "./write-back-operations.js";

export interface OperationSpec {
  readonly method: "get" | "post" | "patch" | "delete" | "put";
  readonly path: string;
  readonly summary: string;
  readonly requestBody?: z.ZodType;
  /** Media types the request body may have (default application/json); each is described by `requestBody`. */
  readonly requestMediaTypes?: readonly string[];
  /** Response bodies by status, where described (the rest have a description only). */
  readonly responseBodies?: Readonly<Record<string, z.ZodType>>;
  readonly query?: readonly { readonly name: string; readonly description: string; readonly schema: Readonly<Record<string, unknown>> }[];
  readonly responses: Readonly<Record<string, string>>;
  readonly auth: boolean;
}

const problemResponses = { "401": "no valid credentials", "404": "no such fabric", "422": "invalid body (problem+json; at most 20 errors listed, omittedErrors counts the rest)" };
/** Bodies over the route's limit (infra/wiring.ts maxBodyBytes) are refused before the handler runs. */
const tooLarge = { "413": "body larger than 64 KiB (problem+json)" };

export const OPERATIONS: readonly OperationSpec[] = [
  { method: "get", path: "/health", summary: "Liveness", responses: { "200": "ok" }, auth: false },
  { method: "get", path: "/openapi.json", summary: "This document", responses: { "200": "OpenAPI 3.1" }, auth: false },
  { method: "get", path: "/", summary: "The operator console (HTML page; its API calls carry the credential)", responses: { "200": "text/html" }, auth: false },
  {
    method: "get",
    path: "/console/{asset}",
    summary: "The console's files (content-hashed, immutable) and config.json (how the console signs in)",
    responses: { "200": "the file", "404": "no such file (problem+json)" },
    auth: false,
  },
  {
    method: "post",
    path: "/fabrics",
    summary: "Register a fabric",
    requestBody: fabricInputSchema,
    responses: { "201": "registered", "400": "body is not JSON", "409": "a fabric with this name exists", ...tooLarge, ...problemResponses },
    auth: true,
  },
  { method: "get", path: "/fabrics", summary: "List fabrics", responses: { "200": "the fabrics" }, auth: true },
  { method: "get", path: "/fabrics/{id}", summary: "Get a fabric", responses: { "200": "the fabric", ...problemResponses }, auth: true },
  {
    method: "patch",
    path: "/fabrics/{id}",
    summary: "Change a fabric's git, cluster, sync or hedgehog settings",
    requestBody: fabricPatchSchema,
    responses: { "200": "updated", "409": "changed concurrently", "412": "If-Match version is stale", ...tooLarge, ...problemResponses },
    auth: true,
  },
  {
    method: "delete",
    path: "/fabrics/{id}",
    summary: "Forget a fabric and its records (Git and the cluster are untouched); refused while a run is in flight unless ?force=true, which cancels it first",
    query: [{ name: "force", description: "true: cancel the run in flight, then delete", schema: { type: "string", enum: ["true", "false"] } }],
    responses: { "204": "deleted", "409": "a run is in flight (the detail names it)", ...problemResponses },
    auth: true,
  },
  ...(["init", "ingest", "sync", "plan"] as const).map(
    (kind): OperationSpec => ({
      method: "post",
      path: `/fabrics/{id}/${kind}`,
      summary: {
        init: "Start a run that ensures the GitOps layout",
        ingest: "Start a run that ingests raw/",
        sync: "Start a run: init if needed, ingest, reconcile when a cluster is configured",
        plan: "Start a dry run of sync: the run record holds what would be committed, applied and pruned",
      }[kind],
      responses: {
        "202": "run started; or, with a run in flight, the follow-up run that starts when it ends (coalesced: true, status waiting, after: the run in flight). Location: the run that does the work",
        "503": "busy, retry",
        ...problemResponses,
      },
      auth: true,
    }),
  ),
  { method: "get", path: "/fabrics/{id}/status", summary: "Directory status, last run, resource counts", responses: { "200": "status", ...problemResponses }, auth: true },
  { method: "get", path: "/fabrics/{id}/runs", summary: "Runs, newest first (?limit=)", responses: { "200": "runs", ...problemResponses }, auth: true },
  { method: "get", path: "/fabrics/{id}/runs/{runId}", summary: "One run with its stages", responses: { "200": "run", ...problemResponses }, auth: true },
  {
    method: "post",
    path: "/fabrics/{id}/runs/{runId}/cancel",
    summary: "Cancel a run: one still waiting at once, a queued or running one at its next stage boundary",
    responses: { "200": "cancelled (it had not started)", "202": "cancelling: it ends at its next stage boundary", "409": "the run has already ended", ...problemResponses },
    auth: true,
  },
  {
    method: "get",
    path: "/fabrics/{id}/resources",
    summary: "Resources (?kind=&state=&source=) with their Git attribution",
    responses: { "200": "resources", ...problemResponses },
    auth: true,
  },
  {
    method: "get",
    path: "/fabrics/{id}/resources/{kind}/{name}",
    summary: "One resource (?namespace=, default 'default'), with its drift",
    responses: { "200": "resource", ...problemResponses },
    auth: true,
  },
  {
    method: "post",
    path: "/webhooks/github",
    summary: "GitHub webhook (push, ping), authenticated by X-Hub-Signature-256 over the raw body; deduplicated by X-GitHub-Delivery",
    responses: {
      "200": "ping, or a redelivery ({ duplicate: true })",
      "202": "push: per fabric of the repository, the run started or coalesced, or why it was ignored",
      "400": "X-GitHub-Event or X-GitHub-Delivery missing, or the payload is not JSON",
      "401": "signature missing, SHA-1 only, or not matching",
      "413": "body larger than GitHub ever sends (25 MiB)",
      "422": "push payload lacks a field we use",
      "503": "no webhook secret configured, or it cannot be read",
    },
    auth: false,
  },
  ...WRITE_BACK_OPERATIONS,
];

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const params = [
      ...[...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
        name: m[1],
        in: "path",
        required: true,
        schema: { type: "string" },
      })),
      ...(op.query ?? []).map((q) => ({ name: q.name, in: "query", required: false, description: q.description, schema: q.schema })),
    ];
    (paths[op.path] ??= {})[op.method] = {
      summary: op.summary,
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(op.requestBody
        ? {
            requestBody: {
              required: true,
              content: Object.fromEntries((op.requestMediaTypes ?? ["application/json"]).map((type) => [type, { schema: z.toJSONSchema(op.requestBody!, { io: "input" }) }])),
            },
          }
        : {}),
      responses: Object.fromEntries(
        Object.entries(op.responses).map(([code, description]) => {
          const body = op.responseBodies?.[code];
          const media = code.startsWith("2") ? "application/json" : "application/problem+json";
          return [code, { description, ...(body ? { content: { [media]: { schema: z.toJSONSchema(body, { io: "output" }) } } } : {}) }];
        }),
      ),
      ...(op.auth ? {} : { security: [] }),
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "hedgehog-gitops", version: "0.1.0" },
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" }, sigv4: { type: "apiKey", in: "header", name: "Authorization" } } },
    security: [{ bearer: [] }, { sigv4: [] }],
    paths,
  };
}
