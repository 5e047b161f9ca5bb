// Resources as the API answers them: identity, state, attribution, and for one resource its objects,
// drift and history.
import * as z from "zod";
import { RESOURCE_STATES } from "../../state/index.js";
import { cursorParam, limitParam, problemSchema } from "./common.js";

export const attributionSchema = z.strictObject({
  source: z.enum(["git", "cluster", "api"]),
  gitFilePath: z.string().nullable(),
  gitBlobSha: z.string().nullable().describe("the current version in Git (the invalid one while `error` says the file is invalid)"),
  gitCommitSha: z.string().nullable(),
  appliedCommitSha: z.string().nullable().describe("the last valid version: what the cluster is compared with; differs from gitCommitSha while the file is invalid"),
  appliedBlobSha: z.string().nullable(),
  importedFrom: z.string().nullable(),
});

export const resourceSchema = z.strictObject({
  id: z.string(),
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  namespace: z.string(),
  state: z.enum(RESOURCE_STATES),
  fromGit: z.boolean(),
  inGit: z.boolean(),
  attribution: attributionSchema,
  error: z.string().nullable(),
  warnings: z.array(z.string()),
});

export const resourcePageSchema = z.strictObject({
  items: z.array(resourceSchema).describe("in key order: kind, namespace, name"),
  next: z.string().optional().describe("cursor of the next page; absent on the last (a filtered page may hold fewer items than asked, even none, and still have a next)"),
  total: z.int().min(0).optional().describe("how many match in all, when the fabric's roll-up counts the filter (none, one kind, one state, error=true)"),
});

export const resourceListQuerySchema = z.strictObject({
  kind: z.string().min(1).max(128).optional().describe("Kind, plural, singular or short name"),
  state: z.enum(RESOURCE_STATES).optional(),
  source: z.enum(["git", "cluster", "api"]).optional(),
  error: z.enum(["true", "false"]).optional().describe("true: only resources with an error; false: only those without"),
  limit: limitParam.optional(),
  cursor: cursorParam.optional(),
});

export const driftEntrySchema = z.strictObject({
  path: z.string(),
  desired: z.unknown().optional(),
  live: z.unknown().optional(),
  absent: z.enum(["desired", "live"]).optional(),
});

export const historyEntrySchema = z.strictObject({
  at: z.string(),
  runId: z.string(),
  stage: z.string(),
  commit: z.string().nullable(),
  blob: z.string().nullable(),
  from: z.enum(RESOURCE_STATES).nullable().describe("null: first recorded"),
  to: z.union([z.enum(RESOURCE_STATES), z.enum(["pruned", "removed"])]),
  error: z.string().nullable(),
  reason: z.string(),
});

export const historyPageSchema = z.strictObject({
  items: z.array(historyEntrySchema).describe("newest first; kept 90 days"),
  next: z.string().optional().describe("historyCursor of the next page"),
});

export const resourceDetailSchema = resourceSchema.extend({
  drift: z.array(driftEntrySchema),
  desired: z.record(z.string(), z.unknown()).nullable().describe("the last valid version as Git holds it, normalized"),
  live: z.record(z.string(), z.unknown()).nullable().describe("as last seen in the cluster, server fields stripped"),
  omitted: z
    .strictObject({ desired: z.int().optional(), live: z.int().optional() })
    .optional()
    .describe("an object too large to keep with the record (its size in bytes)"),
  history: historyPageSchema,
});

export const resourceDetailQuerySchema = z.strictObject({
  namespace: z.string().min(1).max(253).optional().describe("default: default"),
  historyLimit: z.coerce.number().int().min(1).max(100).default(20).optional().describe("history entries in this answer, 1-100"),
  historyCursor: cursorParam.optional(),
});

export const resourcePathSchema = z.strictObject({
  id: z.string(),
  kind: z.string().describe("Kind, plural, singular or short name"),
  name: z.string(),
});

export const resourceGoneSchema = problemSchema.extend({
  history: historyPageSchema.describe("the resource's history up to its removal"),
});
