// What a run is. Pure types and helpers; lib/store persists them.
import type { Stage } from "../config/settings.js";

export type RunTrigger = "api" | "schedule" | "webhook";
export type RunStatus = "queued" | "running" | "succeeded" | "failed";
export type StageStatus = "pending" | "running" | "succeeded" | "failed" | "skipped";
/** What the caller asked for: one stage, or the chain. plan = sync with every write disabled. */
export type RunKind = "init" | "ingest" | "sync" | "plan";

export interface StageRecord {
  readonly status: StageStatus;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly counts: Readonly<Record<string, number>>;
  readonly errors: readonly string[];
  /** Stage-specific outcome (the commit made, the plan's would-be changes, ...). */
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface Run {
  readonly runId: string;
  readonly fabricId: string;
  readonly kind: RunKind;
  readonly trigger: RunTrigger;
  /** The webhook's pushed sha, when a push started it. */
  readonly triggerSha: string | null;
  readonly dryRun: boolean;
  readonly status: RunStatus;
  readonly chain: readonly Stage[];
  readonly stages: Readonly<Partial<Record<Stage, StageRecord>>>;
  readonly headBefore: string | null;
  readonly headAfter: string | null;
  readonly error: string | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

/** Time-ordered id: the creation time in UTC to the millisecond, then randomness against same-ms collisions. */
export function newRunId(now: Date, random: string): string {
  const t = now.toISOString().replace(/[-:.]/g, ""); // 20261122T045859123Z
  return `r${t}-${random.slice(0, 6)}`;
}

export function chainFor(kind: RunKind, needsInit: boolean, hasCluster: boolean): Stage[] {
  if (kind === "init") return ["init"];
  if (kind === "ingest") return ["ingest"];
  return [...(needsInit ? (["init"] as const) : []), "ingest", ...(hasCluster ? (["reconcile"] as const) : [])];
}

export function nextStage(run: Run, stage: Stage): Stage | null {
  const i = run.chain.indexOf(stage);
  return i >= 0 && i + 1 < run.chain.length ? run.chain[i + 1]! : null;
}

export function newStageRecord(): StageRecord {
  return { status: "pending", startedAt: null, finishedAt: null, counts: {}, errors: [] };
}
