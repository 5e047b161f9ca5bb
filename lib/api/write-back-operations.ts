// The write-back routes in the OpenAPI document (DESIGN §9, §15), with their request and response
// schemas (write-back-schemas.ts). Listed in lib/api/openapi.ts's OPERATIONS.
import * as z from "zod";
import type { OperationSpec, ResponseSpec } from "./openapi.js";
import { problemSchema } from "./schemas/common.js";
import {
  adoptRequestSchema,
  conflictSchema,
  draftDetailSchema,
  draftDiscardedSchema,
  draftListSchema,
  draftSavedSchema,
  findingSchema,
  publishRequestSchema,
  resourceDocumentSchema,
  validationSchema,
  writeBackStartedSchema,
} from "./write-back-schemas.js";

const PROBLEM = "application/problem+json";
const problem = (description: string, schema: z.ZodType = problemSchema): ResponseSpec => ({ description, schema, contentType: PROBLEM });
const json = (description: string, schema: z.ZodType, headers?: Readonly<Record<string, string>>): ResponseSpec => ({ description, schema, ...(headers ? { headers } : {}) });

/** A problem with the findings ingest would write (a refused draft or document). */
const refusedSchema = problemSchema.extend({ findings: z.array(findingSchema).optional() }).describe("problem+json with `findings`: the findings ingest would write, and `errors` one per finding");
/** A publish refused because drafts' files changed in Git. */
const conflictsSchema = problemSchema.extend({ conflicts: z.array(conflictSchema) }).describe("problem+json with `conflicts`: each draft whose file changed in Git, and the commit that changed it");

const fabricRoute = {
  "400": problem("a malformed request: no body where one is needed, or a body that is not YAML/JSON"),
  "401": problem("no valid credentials"),
  "404": problem("no such fabric"),
  "422": problem("a path or query parameter or body field is invalid"),
  "500": problem("the request failed unexpectedly"),
};
const namespaceQuery = z.strictObject({ namespace: z.string().min(1).max(63).optional().describe("the resource's namespace (default: default)") });
const started = json("the run (or the follow-up of the run in flight); branch names where the commit goes", writeBackStartedSchema, { Location: "the run: /fabrics/{id}/runs/{runId}" });
const notFromApi = problem("the fabric's branch has no commit yet, or the resource shares its managed file with others (change that file in Git), or 500 drafts are held already");

export const WRITE_BACK_OPERATIONS: readonly OperationSpec[] = [
  {
    method: "put",
    path: "/fabrics/{id}/resources/{kind}/{name}",
    operationId: "putDraft",
    tag: "write-back",
    summary:
      "Make (or change) a draft of a resource: the body (YAML or JSON, one document of this kind, name and ?namespace=) is validated as ingest validates raw/, against managed/ and the other drafts, by the catalog the fabric is judged by",
    auth: true,
    query: namespaceQuery,
    requestBody: { schema: resourceDocumentSchema, required: true, contentType: "application/yaml", raw: true },
    responses: {
      "200": json("the draft changed", draftSavedSchema),
      "201": json("the draft made; the resource's state is draft", draftSavedSchema),
      ...fabricRoute,
      "409": notFromApi,
      "413": problem("body over 256 KiB"),
      "415": problem("the body is not YAML or JSON"),
      "422": problem("refused: the findings (its own errors, and what it would break elsewhere); or the document does not match the URL", refusedSchema),
    },
  },
  {
    method: "delete",
    path: "/fabrics/{id}/resources/{kind}/{name}",
    operationId: "deleteDraft",
    tag: "write-back",
    summary: "Make a draft that removes a resource from Git (managed/); refused when the rest of the fabric still needs it",
    auth: true,
    query: namespaceQuery,
    responses: {
      "200": json("the draft changed to a removal", draftSavedSchema),
      "201": json("the removal drafted", draftSavedSchema),
      ...fabricRoute,
      "404": problem("no such fabric, or Git does not hold the resource"),
      "409": notFromApi,
      "422": problem("refused: what the removal would break", refusedSchema),
    },
  },
  {
    method: "get",
    path: "/fabrics/{id}/drafts",
    operationId: "listDrafts",
    tag: "write-back",
    summary: "The fabric's drafts",
    auth: true,
    responses: { "200": json("drafts", draftListSchema), ...fabricRoute },
  },
  {
    method: "get",
    path: "/fabrics/{id}/drafts/{kind}/{name}",
    operationId: "getDraft",
    tag: "write-back",
    summary: "One draft, with the resource and the file it would write",
    auth: true,
    query: namespaceQuery,
    responses: { "200": json("the draft", draftDetailSchema), ...fabricRoute, "404": problem("no such fabric or draft") },
  },
  {
    method: "delete",
    path: "/fabrics/{id}/drafts/{kind}/{name}",
    operationId: "discardDraft",
    tag: "write-back",
    summary: "Discard a draft: the resource is as Git has it again (committed until the next sync compares it)",
    auth: true,
    query: namespaceQuery,
    responses: { "200": json("discarded", draftDiscardedSchema), ...fabricRoute, "404": problem("no such fabric or draft"), "409": problem("the draft changed meanwhile") },
  },
  {
    method: "post",
    path: "/fabrics/{id}/validate",
    operationId: "validateDocuments",
    tag: "write-back",
    summary: "Validate documents (YAML or JSON) as ingest would, against managed/ and the drafts; nothing is stored. ?file= names them in the findings",
    auth: true,
    query: z.strictObject({ file: z.string().min(1).max(200).optional().describe("what findings call the body (default: request)") }),
    requestBody: { schema: z.unknown().describe("documents, as YAML (application/yaml) or JSON"), required: true, contentType: "application/yaml", raw: true },
    responses: {
      "200": json("the findings, and where ingest would put each document", validationSchema),
      ...fabricRoute,
      "409": problem("the branch has no commit yet"),
      "413": problem("body over 1 MiB"),
      "415": problem("not YAML or JSON"),
    },
  },
  {
    method: "post",
    path: "/fabrics/{id}/drafts/publish",
    operationId: "publishDrafts",
    tag: "write-back",
    summary:
      "Publish every draft as one commit into managed/: on the branch (git.writeBack direct) or on a new branch with a pull request (pull-request; a plain Git remote gets the branch). A run: publish, then ingest and reconcile",
    auth: true,
    requestBody: { schema: publishRequestSchema, required: false, contentType: "application/json" },
    responses: {
      "202": started,
      ...fabricRoute,
      "409": problem("no drafts; or a draft's file changed in Git since it was made (conflicts name each draft and the commit); or an adopt waits to start", conflictsSchema.partial({ conflicts: true })),
      "413": problem("body over 64 KiB"),
      "503": problem("busy: the fabric's run lock kept changing; try again"),
    },
  },
  {
    method: "post",
    path: "/fabrics/{id}/adopt",
    operationId: "adoptClusterObjects",
    tag: "write-back",
    summary:
      "Write cluster-only objects (orphaned, source cluster) into managed/ as the cluster holds them, by git.writeBack like publish; after it lands they are synced and From Git with no write to the cluster. A run: adopt, then ingest and reconcile",
    auth: true,
    requestBody: { schema: adoptRequestSchema, required: false, contentType: "application/json" },
    responses: {
      "202": started,
      ...fabricRoute,
      "409": problem("the fabric has no cluster, nothing to adopt, or a publish waits to start"),
      "413": problem("body over 256 KiB"),
      "422": problem("a named object is not cluster-only"),
      "503": problem("busy: the fabric's run lock kept changing; try again"),
    },
  },
];
