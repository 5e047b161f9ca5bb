// The write-back routes in the OpenAPI document (DESIGN §9, §15), with their request and response
// schemas (write-back-schemas.ts). Listed in lib/api/openapi.ts's OPERATIONS.
import * as z from "zod";
import type { OperationSpec } from "./openapi.js";
import {
  adoptRequestSchema,
  conflictSchema,
  DOCUMENT_MEDIA_TYPES,
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

const problems = { "401": "no valid credentials", "404": "no such fabric" };
const kindAndNamespace = [{ name: "namespace", description: "the resource's namespace (default: default)", schema: { type: "string" } }];
const refused = z.looseObject({ findings: z.array(findingSchema) }).describe("problem+json with `findings`: the findings ingest would write, and `errors` one per finding");
const conflicts = z.looseObject({ conflicts: z.array(conflictSchema) }).describe("problem+json with `conflicts`: each draft whose file changed in Git, and the commit that changed it");
const fromGit = { "409": "the fabric's branch has no commit yet, or the resource shares its managed file with others (change that file in Git), or 500 drafts are held already" };

export const WRITE_BACK_OPERATIONS: readonly OperationSpec[] = [
  {
    method: "put",
    path: "/fabrics/{id}/resources/{kind}/{name}",
    summary: "Make (or change) a draft of a resource: the body (YAML or JSON, one document of this kind, name and ?namespace=) is validated as ingest validates raw/, against managed/ and the other drafts, by the catalog the fabric is judged by",
    requestBody: resourceDocumentSchema,
    requestMediaTypes: DOCUMENT_MEDIA_TYPES,
    query: kindAndNamespace,
    responses: {
      "200": "the draft changed",
      "201": "the draft made; the resource's state is draft",
      "400": "no body",
      "413": "body over 256 KiB (problem+json)",
      "415": "the body is not YAML or JSON",
      "422": "refused: the findings (its own errors, and what it would break elsewhere); or the document does not match the URL",
      ...fromGit,
      ...problems,
    },
    responseBodies: { "200": draftSavedSchema, "201": draftSavedSchema, "422": refused },
    auth: true,
  },
  {
    method: "delete",
    path: "/fabrics/{id}/resources/{kind}/{name}",
    summary: "Make a draft that removes a resource from Git (managed/); refused when the rest of the fabric still needs it",
    query: kindAndNamespace,
    responses: { "200": "the draft changed to a removal", "201": "the removal drafted", "422": "refused: what the removal would break", ...fromGit, ...problems, "404": "no such fabric, or Git does not hold the resource" },
    responseBodies: { "200": draftSavedSchema, "201": draftSavedSchema, "422": refused },
    auth: true,
  },
  { method: "get", path: "/fabrics/{id}/drafts", summary: "The fabric's drafts", responses: { "200": "drafts", ...problems }, responseBodies: { "200": draftListSchema }, auth: true },
  {
    method: "get",
    path: "/fabrics/{id}/drafts/{kind}/{name}",
    summary: "One draft, with the resource and the file it would write",
    query: kindAndNamespace,
    responses: { "200": "the draft", ...problems, "404": "no such fabric or draft" },
    responseBodies: { "200": draftDetailSchema },
    auth: true,
  },
  {
    method: "delete",
    path: "/fabrics/{id}/drafts/{kind}/{name}",
    summary: "Discard a draft: the resource is as Git has it again (committed until the next sync compares it)",
    query: kindAndNamespace,
    responses: { "200": "discarded", "409": "the draft changed meanwhile", ...problems, "404": "no such fabric or draft" },
    responseBodies: { "200": draftDiscardedSchema },
    auth: true,
  },
  {
    method: "post",
    path: "/fabrics/{id}/validate",
    summary: "Validate documents (YAML or JSON) as ingest would, against managed/ and the drafts; nothing is stored. ?file= names them in the findings",
    requestBody: z.unknown().describe("documents, as YAML (application/yaml) or JSON"),
    requestMediaTypes: DOCUMENT_MEDIA_TYPES,
    query: [{ name: "file", description: "what findings call the body (default: request)", schema: { type: "string" } }],
    responses: { "200": "the findings, and where ingest would put each document", "400": "no body", "413": "body over 1 MiB (problem+json)", "415": "not YAML or JSON", "409": "the branch has no commit yet", ...problems },
    responseBodies: { "200": validationSchema },
    auth: true,
  },
  {
    method: "post",
    path: "/fabrics/{id}/drafts/publish",
    summary: "Publish every draft as one commit into managed/: on the branch (git.writeBack direct) or on a new branch with a pull request (pull-request; a plain Git remote gets the branch). A run: publish, then ingest and reconcile",
    requestBody: publishRequestSchema,
    responses: {
      "202": "the publish run (or the follow-up of the run in flight); branch names where the commit goes",
      "409": "no drafts; or a draft's file changed in Git since it was made (conflicts name each draft and the commit); or an adopt waits to start",
      "503": "busy, retry",
      ...problems,
    },
    responseBodies: { "202": writeBackStartedSchema, "409": conflicts },
    auth: true,
  },
  {
    method: "post",
    path: "/fabrics/{id}/adopt",
    summary: "Write cluster-only objects (orphaned, source cluster) into managed/ as the cluster holds them, by git.writeBack like publish; after it lands they are synced and From Git with no write to the cluster. A run: adopt, then ingest and reconcile",
    requestBody: adoptRequestSchema,
    responses: {
      "202": "the adopt run (or the follow-up of the run in flight)",
      "409": "the fabric has no cluster, nothing to adopt, or a publish waits to start",
      "413": "body over 256 KiB (problem+json)",
      "422": "a named object is not cluster-only",
      "503": "busy, retry",
      ...problems,
    },
    responseBodies: { "202": writeBackStartedSchema },
    auth: true,
  },
];
