// Runs, stages, rejections and a fabric's status as the API answers them.
import * as z from "zod";
import { RUN_KINDS } from "../../pipeline/run-model.js";
import { RESOURCE_STATES } from "../../state/index.js";
import { boundedListOf, cursorParam, limitParam } from "./common.js";

export const stageProgressSchema = z.strictObject({
  phase: z.string().describe("reading, planning, committing, recording (ingest); listing, applying, pruning, recording (reconcile)"),
  done: z.int().min(0),
  total: z.int().min(0),
});

export const stageRecordSchema = z.strictObject({
  status: z.enum(["pending", "running", "succeeded", "failed", "skipped", "cancelled"]),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  counts: z.record(z.string(), z.number()),
  errors: z.array(z.string()).describe("the first 50 messages (failed attempts, managed-file problems)"),
  errorsTotal: z.int().optional(),
  attempts: z.int().optional(),
  detail: z.record(z.string(), z.unknown()).optional().describe("stage-specific: the commit, sources, schemas, would-be changes (bounded lists)"),
  progress: stageProgressSchema.optional().describe("while the stage runs, at least every 2 s"),
  continuations: z.int().min(1).optional().describe("how many times the stage ran out of its time budget and went on in another invocation"),
  checkpoint: z.record(z.string(), z.unknown()).optional().describe("while continued: what the stage has done so far (stage-specific, small)"),
});

export const rejectedDocumentSchema = z.strictObject({
  index: z.int().min(0).describe("document index in the file, from 0"),
  line: z.int().min(1),
  kind: z.string().nullable(),
  name: z.string().nullable(),
  path: z.string().describe("JSON pointer into the document; empty for the whole document"),
  rule: z.string().describe("RULES.md id, or DOCUMENT, KIND, SCHEMA, DUPLICATE, LIMIT"),
  severity: z.literal("error"),
  message: z.string(),
});

export const rejectedFileSchema = z.strictObject({
  file: z.string().describe("repository-relative path of the raw file"),
  fileError: z.string().nullable().describe("why the file was rejected whole (then no documents)"),
  documents: boundedListOf(rejectedDocumentSchema),
});

export const runRejectionsSchema = z
  .strictObject({
    items: z.array(rejectedFileSchema),
    total: z.int().min(0).describe("raw files with rejections"),
    documents: z.int().min(0).describe("rejected documents in all"),
  })
  .describe("per raw file, each rejected document: the lines of its .errors.txt as data (first 50 files, 50 documents each)");

export const runSchema = z.strictObject({
  runId: z.string(),
  fabricId: z.string(),
  kind: z.enum(RUN_KINDS).describe("publish and adopt write to Git first (DESIGN §15), then sync; check plans a pull request's head (DESIGN §17)"),
  trigger: z.enum(["api", "schedule", "webhook"]),
  triggerSha: z.string().nullable(),
  dryRun: z.boolean(),
  status: z.enum(["waiting", "queued", "running", "succeeded", "failed", "cancelled"]),
  chain: z.array(z.enum(["init", "publish", "adopt", "ingest", "reconcile"])),
  stages: z.record(z.string(), stageRecordSchema),
  headBefore: z.string().nullable(),
  headAfter: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  after: z.string().nullable().optional().describe("a follow-up run: the run it waits for"),
  leaseExpiresAt: z.string().nullable().optional(),
  cancelRequested: z.boolean().optional(),
  rejected: z.strictObject({ files: z.int(), documents: z.int() }).optional().describe("set when ingest rejected documents (or would, in a plan)"),
  pullRequest: z
    .strictObject({ number: z.int(), headSha: z.string(), headRef: z.string(), baseRef: z.string(), url: z.string().nullable() })
    .nullable()
    .optional()
    .describe("kind check: the pull request and the head commit it judges"),
  feedback: z
    .strictObject({
      channel: z.enum(["check-run", "status", "none"]),
      commit: z.string().nullable(),
      name: z.string().optional(),
      conclusion: z.string().optional(),
      checkRunId: z.int().optional(),
      url: z.string().nullable().optional(),
      annotations: z.int().optional(),
      requests: z.int().optional(),
      note: z.string().optional(),
      error: z.string().optional(),
    })
    .optional()
    .describe("where the run's result was published on its commit (check run or commit status), once it ended"),
  actors: z.array(z.string()).optional().describe("publish, adopt: who asked (named in the commit)"),
  adopt: z.strictObject({ ids: z.array(z.string()), kinds: z.array(z.string()) }).nullable().optional().describe("adopt: what to adopt; null: every cluster-only object"),
});

export const runDetailSchema = runSchema.extend({
  rejections: runRejectionsSchema.optional().describe("present when the run rejected documents"),
});

export const runPageSchema = z.strictObject({
  items: z.array(runSchema).describe("newest first"),
  next: z.string().optional().describe("cursor of the next page; absent on the last"),
});

export const runListQuerySchema = z.strictObject({ limit: limitParam.optional(), cursor: cursorParam.optional() });

export const runStartedSchema = z.strictObject({
  runId: z.string(),
  coalesced: z.boolean().describe("a run was in flight: runId is its follow-up, shared with other triggers"),
  status: z.enum(["waiting", "queued", "running", "succeeded", "failed", "cancelled"]),
  after: z.string().optional().describe("the run in flight that the follow-up waits for"),
  location: z.string(),
});

export const runCancelledSchema = z.strictObject({
  runId: z.string(),
  status: z.enum(["cancelled", "cancelling"]),
  run: runSchema,
  location: z.string(),
});

export const resourceNameSchema = z.strictObject({
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  state: z.enum(RESOURCE_STATES),
  error: z.string().optional(),
});

export const statusSchema = z.strictObject({
  fabricId: z.string(),
  directory: z.strictObject({ status: z.string(), error: z.string().nullable(), lastInitAt: z.string().nullable() }),
  nextSyncAt: z.string().nullable(),
  lastRun: runSchema.nullable(),
  counts: z.strictObject({
    total: z.int(),
    byState: z.record(z.enum(RESOURCE_STATES), z.int()),
    fromGit: z.int(),
    errors: z.int().describe("resources with an error (an invalid Git version, an apply refused), whatever their state"),
    byKind: z.record(z.string(), z.int()),
  }),
  attention: z
    .strictObject({
      errors: boundedListOf(resourceNameSchema),
      drifted: boundedListOf(resourceNameSchema),
      orphaned: boundedListOf(resourceNameSchema),
      pending: boundedListOf(resourceNameSchema),
    })
    .describe("the resources that need the operator, by name: the first 50 of each list and how many"),
  rejections: runRejectionsSchema
    .extend({ runId: z.string() })
    .nullable()
    .describe("what the last run that ingested rejected (empty lists when it rejected nothing); null when no recent run ingested"),
});
