// The events hedgehog-gitops publishes (DESIGN §17): their EventBridge detail-types and the zod schemas
// of their details. docs/EVENTS.md documents the same, and a test keeps the two in step. A detail is
// versioned (`v`) and carries `eventId`, the same for every delivery of one fact, so that consumers can
// drop repeats (EventBridge and our own retries deliver at least once).
import * as z from "zod";

/** EventBridge `source` of every event. */
export const EVENT_SOURCE = "hedgehog-gitops";

export const DETAIL_TYPES = {
  runFinished: "Run Finished",
  resourceDrifted: "Resource Drifted",
  resourceRejected: "Resource Rejected",
  objectPruned: "Object Pruned",
} as const;
export type DetailType = (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];

/** Per event list: the first entries, the total counted (an event stays far below EventBridge's 256 KB). */
export const EVENT_LIST_LIMIT = 20;

const resource = z.strictObject({
  id: z.string(),
  apiVersion: z.string().optional(),
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
});

const base = {
  v: z.literal(1),
  eventId: z.string().regex(/^[0-9a-f]{32}$/),
  fabricId: z.string(),
  runId: z.string(),
};

export const runFinishedSchema = z.strictObject({
  ...base,
  kind: z.enum(["init", "ingest", "sync", "plan", "check", "publish", "adopt"]),
  trigger: z.enum(["api", "schedule", "webhook"]),
  status: z.enum(["succeeded", "failed", "cancelled"]),
  error: z.string().nullable(),
  /** The commit the run ended on (synced, or checked for a pull request); null when it never read one. */
  commit: z.string().nullable(),
  pullRequest: z.strictObject({ number: z.number().int(), headSha: z.string() }).optional(),
  /** What the run did, summed over its stages; see docs/EVENTS.md for each count. */
  counts: z.strictObject({
    synced: z.number().int(),
    drifted: z.number().int(),
    rejected: z.number().int(),
    committed: z.number().int(),
    pending: z.number().int(),
    orphaned: z.number().int(),
    applied: z.number().int(),
    pruned: z.number().int(),
    findings: z.number().int().optional(),
  }),
  /** The run's page in the console, when HH_GITOPS_CONSOLE_URL is set. */
  consoleUrl: z.string().optional(),
});

const driftField = z.strictObject({
  path: z.string(),
  desired: z.unknown().optional(),
  live: z.unknown().optional(),
  absent: z.enum(["desired", "live"]).optional(),
  /** The values were too large for an event; read them from GET /fabrics/{id}/resources/{kind}/{name}. */
  truncated: z.literal(true).optional(),
});

export const resourceDriftedSchema = z.strictObject({
  ...base,
  resource,
  /** The live object's resourceVersion: one event per (resource, resourceVersion). */
  liveResourceVersion: z.string(),
  mode: z.enum(["observe", "apply"]),
  /** apply mode put Git's content back in this run. */
  corrected: z.boolean(),
  fields: z.array(driftField).max(EVENT_LIST_LIMIT),
  fieldsTotal: z.number().int(),
  gitFilePath: z.string().nullable(),
  gitCommitSha: z.string().nullable(),
});

const rejectionFinding = z.strictObject({
  rule: z.string(),
  line: z.number().int(),
  path: z.string(),
  message: z.string(),
});

export const resourceRejectedSchema = z.strictObject({
  ...base,
  /** ingest: the document was filed under raw/errors/, or a managed file is invalid; reconcile: the cluster refused it. */
  stage: z.enum(["ingest", "reconcile"]),
  resource: resource.partial({ id: true, namespace: true }).nullable(),
  /** Repository-relative file of the document, and its index in the file. */
  file: z.string().nullable(),
  index: z.number().int().nullable(),
  reason: z.string(),
  findings: z.array(rejectionFinding).max(EVENT_LIST_LIMIT),
  findingsTotal: z.number().int(),
});

export const objectPrunedSchema = z.strictObject({
  ...base,
  resource,
  /** The managed file that defined it before it was removed from Git, as last recorded. */
  gitFilePath: z.string().nullable(),
});

export const DETAIL_SCHEMAS = {
  [DETAIL_TYPES.runFinished]: runFinishedSchema,
  [DETAIL_TYPES.resourceDrifted]: resourceDriftedSchema,
  [DETAIL_TYPES.resourceRejected]: resourceRejectedSchema,
  [DETAIL_TYPES.objectPruned]: objectPrunedSchema,
} as const;

export type RunFinishedDetail = z.output<typeof runFinishedSchema>;
export type ResourceDriftedDetail = z.output<typeof resourceDriftedSchema>;
export type ResourceRejectedDetail = z.output<typeof resourceRejectedSchema>;
export type ObjectPrunedDetail = z.output<typeof objectPrunedSchema>;

export type FabricEvent =
  | { readonly detailType: typeof DETAIL_TYPES.runFinished; readonly detail: RunFinishedDetail }
  | { readonly detailType: typeof DETAIL_TYPES.resourceDrifted; readonly detail: ResourceDriftedDetail }
  | { readonly detailType: typeof DETAIL_TYPES.resourceRejected; readonly detail: ResourceRejectedDetail }
  | { readonly detailType: typeof DETAIL_TYPES.objectPruned; readonly detail: ObjectPrunedDetail };

/** Throws (zod) unless the event's detail matches the schema of its detail-type: checked before anything is sent. */
export function validateEvent(event: FabricEvent): FabricEvent {
  DETAIL_SCHEMAS[event.detailType].parse(event.detail);
  return event;
}
