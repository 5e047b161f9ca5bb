// Builders of event details from what the stages know. The event id is derived from the fact itself
// (what happened, to what, in which run or at which resourceVersion), never from a clock or a random
// source: a second delivery of the same fact carries the same id.
import { createHash } from "node:crypto";
import { EVENT_LIST_LIMIT, type ObjectPrunedDetail, type ResourceDriftedDetail, type ResourceRejectedDetail } from "./schemas.js";

export function eventId(...parts: readonly (string | number)[]): string {
  return createHash("sha256").update(parts.map(String).join("\u0000")).digest("hex").slice(0, 32);
}

/** A value kept in an event only while it is small; larger ones are left for the API to show. */
const MAX_FIELD_JSON = 2048;

export interface DriftFieldInput {
  readonly path: string;
  readonly desired?: unknown;
  readonly live?: unknown;
  readonly absent?: "desired" | "live";
}

export function driftFields(fields: readonly DriftFieldInput[]): { fields: ResourceDriftedDetail["fields"]; fieldsTotal: number } {
  const kept = fields.slice(0, EVENT_LIST_LIMIT).map((f) => {
    const full = { path: f.path, ...("desired" in f ? { desired: f.desired } : {}), ...("live" in f ? { live: f.live } : {}), ...(f.absent ? { absent: f.absent } : {}) };
    return JSON.stringify(full).length <= MAX_FIELD_JSON ? full : { path: f.path, ...(f.absent ? { absent: f.absent } : {}), truncated: true as const };
  });
  return { fields: kept, fieldsTotal: fields.length };
}

const MAX_TEXT = 1000;
export const eventText = (text: string): string => (text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT - 1)}…`);

export function rejectionFindings(findings: readonly { rule: string; line: number; path: string; message: string }[]): Pick<ResourceRejectedDetail, "findings" | "findingsTotal"> {
  return {
    findings: findings.slice(0, EVENT_LIST_LIMIT).map((f) => ({ rule: f.rule, line: f.line, path: f.path, message: eventText(f.message) })),
    findingsTotal: findings.length,
  };
}

export type { ObjectPrunedDetail, ResourceDriftedDetail, ResourceRejectedDetail };
