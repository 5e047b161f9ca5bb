// Request and response bodies of the write-back routes (DESIGN §9, §15): drafts, validate, publish,
// adopt. The requests are validated with these; the responses are described by them in the OpenAPI
// document (and checked against them in the tests).
import * as z from "zod";
import { ADOPT_SELECTION_LIMIT } from "../pipeline/run-model.js";

/** Media types the draft and validate routes read: YAML, or JSON (which is YAML too). */
export const DOCUMENT_MEDIA_TYPES = ["application/yaml", "application/x-yaml", "text/yaml", "application/json"] as const;

/** A Hedgehog resource as PUT takes it (as JSON; YAML the same); validation proper is ingest's. */
export const resourceDocumentSchema = z
  .looseObject({
    apiVersion: z.string(),
    kind: z.string(),
    metadata: z.looseObject({ name: z.string(), namespace: z.string().optional() }),
  })
  .describe("one Hedgehog resource, as YAML (application/yaml) or JSON; validated as ingest validates raw/");

export const findingSchema = z.strictObject({
  file: z.string().describe("the document's file: request (the body), drafts/<Kind>/<namespace>/<name> (another draft), or a managed file's repository path"),
  index: z.int().describe("document index in the file, from 0"),
  line: z.int().describe("line of the offending field (or of the document)"),
  kind: z.string(),
  name: z.string(),
  path: z.string().describe("JSON pointer into the document; empty for the whole document"),
  rule: z.string().describe("RULES.md id, or SCHEMA, KIND, DOCUMENT, DUPLICATE, PARSE"),
  severity: z.enum(["error", "warning"]),
  message: z.string(),
});

export const publicationSchema = z.strictObject({
  runId: z.string(),
  branch: z.string(),
  commit: z.string(),
  pullRequest: z.strictObject({ number: z.int(), url: z.string() }).nullable(),
});

export const draftViewSchema = z.strictObject({
  id: z.string(),
  apiVersion: z.string(),
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  operation: z.enum(["put", "delete"]),
  path: z.string().describe("repository-relative managed file the draft writes (put) or removes (delete)"),
  basePath: z.string().nullable().describe("the managed file that held the resource when it was drafted"),
  baseBlobSha: z.string().nullable().describe("that file's blob then; null: not in Git"),
  targetBlobSha: z.string().nullable().describe("put: the blob it writes"),
  actor: z.string(),
  updatedAt: z.string(),
  publishedIn: publicationSchema.nullable().describe("the branch (and pull request) that carries it, until it is merged"),
});

export const draftDetailSchema = draftViewSchema.extend({
  object: z.record(z.string(), z.unknown()).nullable().describe("put: the resource as it would be written"),
  content: z.string().nullable().describe("put: the managed file's content"),
});

export const draftListSchema = z.strictObject({ items: z.array(draftViewSchema), total: z.int() });

export const draftSavedSchema = z.strictObject({
  draft: draftViewSchema,
  state: z.literal("draft"),
  findings: z.array(findingSchema).describe("warnings (a refused draft is a 422 with its findings)"),
});

export const draftDiscardedSchema = z.strictObject({
  discarded: draftViewSchema,
  state: z.enum(["committed"]).nullable().describe("the resource's state now: committed when Git holds it (compared with the cluster at the next sync); null: no record is left"),
});

export const validationSchema = z.strictObject({
  findings: z.array(findingSchema),
  documents: z.array(
    z.strictObject({
      index: z.int(),
      line: z.int(),
      kind: z.string(),
      name: z.string(),
      outcome: z.enum(["managed", "unmanaged", "error"]).describe("where ingest would put it"),
      path: z.string().nullable().describe("managed: the repository-relative file it would be written to"),
    }),
  ),
  valid: z.boolean().describe("no finding is an error"),
});

export const publishRequestSchema = z.strictObject({}).describe("nothing: every draft is published");

const resourceRefSchema = z.strictObject({
  kind: z.string().min(1).max(63).describe("Kind, plural, singular or short name"),
  name: z.string().min(1).max(253),
  namespace: z.string().min(1).max(63).optional().describe("default: default"),
});

export const adoptRequestSchema = z
  .strictObject({
    resources: z.array(resourceRefSchema).max(ADOPT_SELECTION_LIMIT).optional().describe("these cluster-only objects"),
    kinds: z.array(z.string().min(1).max(63)).max(50).optional().describe("every cluster-only object of these kinds"),
  })
  .describe("what to adopt; {} (or no body): every cluster-only object (orphaned, source cluster)");

export const writeBackStartedSchema = z.strictObject({
  runId: z.string(),
  coalesced: z.boolean(),
  status: z.string(),
  after: z.string().optional(),
  location: z.string(),
  writeBack: z.enum(["direct", "pull-request"]),
  branch: z.string().describe("where the commit goes: the fabric's branch (direct), or the new branch of the pull request"),
  drafts: z.int().optional().describe("publish: drafts at the time of the request"),
  selected: z.int().optional().describe("adopt: cluster-only objects selected at the time of the request"),
});

export const conflictSchema = z.strictObject({
  id: z.string(),
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  path: z.string(),
  baseBlobSha: z.string().nullable(),
  currentBlobSha: z.string().nullable(),
  commit: z.strictObject({ sha: z.string(), subject: z.string(), author: z.string(), date: z.string() }).nullable(),
});
