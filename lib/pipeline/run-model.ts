// What a run is. Pure types and helpers; lib/store persists them.
//
// A run record stays < 100 KB whatever the run touched (DESIGN §14): every list it carries is a
// BoundedList (the first 50 items and the total, see bounded.ts), `errors` keeps the first 50
// messages (errorsTotal counts them all), texts are cut at 1,000 characters, and a stage record that
// would still exceed its budget is shrunk further by fitToBudget() before it is stored.
import type { Stage } from "../config/settings.js";
import { boundedList, boundedText, fitToBudget, RUN_LIST_LIMIT } from "./bounded.js";
import type { RejectedSummary } from "./rejections.js";

export type RunTrigger = "api" | "schedule" | "webhook";
/**
 * waiting: a follow-up run, created when a trigger arrived during another run (`after`); it starts
 * when that run ends. queued → running → succeeded | failed | cancelled.
 */
export type RunStatus = "waiting" | "queued" | "running" | "succeeded" | "failed" | "cancelled";
export type StageStatus = "pending" | "running" | "succeeded" | "failed" | "skipped" | "cancelled";
/**
 * What the caller asked for: one stage, or the chain. plan = sync with every write disabled. check = a
 * plan of a pull request's head commit, published on that commit (DESIGN §17). publish and adopt write
 * to Git first (drafts; cluster-only objects), then sync (DESIGN §15).
 */
export const RUN_KINDS = ["init", "ingest", "sync", "plan", "check", "publish", "adopt"] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/** The pull request a check run judges. */
export interface PullRequestRef {
  readonly number: number;
  /** The commit checked: the pull request's head when the webhook arrived. */
  readonly headSha: string;
  readonly headRef: string;
  readonly baseRef: string;
  readonly url: string | null;
}

/** Where the run's result was published on its commit, once it ended (DESIGN §17). */
export interface RunFeedback {
  readonly channel: "check-run" | "status" | "none";
  /** The commit it was published on; null when the run has none (it failed before reading one). */
  readonly commit: string | null;
  readonly name?: string;
  readonly conclusion?: string;
  readonly checkRunId?: number;
  readonly url?: string | null;
  /** Annotations sent, and the requests that carried them. */
  readonly annotations?: number;
  readonly requests?: number;
  /** Why nothing was published. */
  readonly note?: string;
  /** Publishing failed (the run's own outcome stands). */
  readonly error?: string;
}

/** The kinds a waiting follow-up run can have: the one that covers every trigger that joined it. */
export type FollowUpKind = Extract<RunKind, "sync" | "publish" | "adopt">;

/**
 * What a waiting follow-up becomes when a trigger of each kind joins it (DESIGN §6: the follow-up does
 * the work of every trigger it answered). A publish or an adopt includes a sync; a publish and an adopt
 * do not share one run (null: the trigger is refused until the follow-up has started).
 */
export const FOLLOW_UP_JOINS: { readonly [F in FollowUpKind]: { readonly [K in Exclude<RunKind, "plan" | "check">]: FollowUpKind | null } } = {
  sync: { init: "sync", ingest: "sync", sync: "sync", publish: "publish", adopt: "adopt" },
  publish: { init: "publish", ingest: "publish", sync: "publish", publish: "publish", adopt: null },
  adopt: { init: "adopt", ingest: "adopt", sync: "adopt", publish: null, adopt: "adopt" },
};

/** Which cluster-only objects an adopt run writes to Git; null on the run: every one. */
export interface AdoptSelection {
  /** Resource ids (group/Kind/namespace/name). */
  readonly ids: readonly string[];
  /** Kinds (Kind names) all of whose cluster-only objects are adopted. */
  readonly kinds: readonly string[];
}

/** At most this many ids in a selection (the run record stays small); more is "adopt them all". */
export const ADOPT_SELECTION_LIMIT = 1000;

/** Two selections joined: what both asked for (null, everything, absorbs the other). */
export function joinSelections(a: AdoptSelection | null, b: AdoptSelection | null): AdoptSelection | null {
  if (a === null || b === null) return null;
  const ids = [...new Set([...a.ids, ...b.ids])].sort();
  const kinds = [...new Set([...a.kinds, ...b.kinds])].sort();
  return ids.length > ADOPT_SELECTION_LIMIT ? null : { ids, kinds };
}

/** Who asked for a run's write-back, kept to this many names (commit messages name them). */
export const RUN_ACTORS_LIMIT = 10;

export function joinActors(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].slice(0, RUN_ACTORS_LIMIT);
}

export const FINISHED_RUN_STATUSES: ReadonlySet<RunStatus> = new Set(["succeeded", "failed", "cancelled"]);

export function isFinished(run: Pick<Run, "status">): boolean {
  return FINISHED_RUN_STATUSES.has(run.status);
}

export interface StageRecord {
  readonly status: StageStatus;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly counts: Readonly<Record<string, number>>;
  /** The first RUN_LIST_LIMIT messages, oldest first (failed attempts, managed-file problems, rejections). */
  readonly errors: readonly string[];
  /** How many messages there were, when `errors` holds fewer. */
  readonly errorsTotal?: number;
  /** Tries of this stage so far (in-stage retries and SQS redeliveries together). */
  readonly attempts?: number;
  /** Stage-specific outcome (the commit made, the plan's would-be changes as BoundedLists, ...). */
  readonly detail?: Readonly<Record<string, unknown>>;
  /**
   * How many times the stage ran out of its time budget and was continued by another invocation
   * (stage-runner.ts); absent when it finished in one.
   */
  readonly continuations?: number;
  /** While continued: what the stage has done so far, for its next invocation (small; stage-specific). */
  readonly checkpoint?: Readonly<Record<string, unknown>>;
  /** While the stage runs: how far it is in its current phase (reported at least every 2 s; see progress.ts). */
  readonly progress?: StageProgress;
}

/** A running stage's progress: `done` of `total` units of its current phase (files read, objects applied, ...). */
export interface StageProgress {
  readonly phase: string;
  readonly done: number;
  readonly total: number;
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
  /** Set when it is launched (a waiting run's chain depends on the fabric at that moment). */
  readonly chain: readonly Stage[];
  readonly stages: Readonly<Partial<Record<Stage, StageRecord>>>;
  readonly headBefore: string | null;
  readonly headAfter: string | null;
  readonly error: string | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** A follow-up run: the run it waits for (DESIGN §6, "the answer names the run that does the work"). */
  readonly after?: string | null;
  /**
   * While queued or running: the time by which a stage must have renewed it. Past it the worker is
   * presumed lost; the next trigger or schedule tick fails the run and frees the fabric.
   */
  readonly leaseExpiresAt?: string | null;
  /** POST .../cancel asked for it; the run ends `cancelled` at the next stage boundary. */
  readonly cancelRequested?: boolean;
  /** publish, adopt: who asked (an IAM principal, a JWT subject, `local`); its commit names them. */
  readonly actors?: readonly string[];
  /** adopt: what to adopt; null or absent: every cluster-only object. */
  readonly adopt?: AdoptSelection | null;
  /**
   * Set when its ingest stage rejected documents (or would, in a plan): how many raw files and documents.
   * The reasons are in the run's rejections (GET .../runs/{runId}); `status` still says how the run ended.
   */
  readonly rejected?: RejectedSummary;
  /** kind check: the pull request and the head commit it judges. */
  readonly pullRequest?: PullRequestRef | null;
  /** Set once its result was published (or found to have nowhere to go); a redelivery publishes nothing again. */
  readonly feedback?: RunFeedback;
}

/** Runs that write nothing (no lock, no commit, no record, no apply). */
export const DRY_RUN_KINDS: ReadonlySet<RunKind> = new Set(["plan", "check"]);

/** The FIFO lane of the run's stage messages (messages.ts): a pull request's checks have their own. */
export function laneOf(run: Pick<Run, "kind" | "pullRequest">): { lane?: string } {
  return run.kind === "check" && run.pullRequest ? { lane: `pr-${run.pullRequest.number}` } : {};
}

/** The commit a stage plans on instead of the branch's head: a check judges its pull request's head. */
export function fixedCommit(run: Pick<Run, "kind" | "pullRequest">): string | null {
  return run.kind === "check" ? (run.pullRequest?.headSha ?? null) : null;
}

/** Time-ordered id: the creation time in UTC to the millisecond, then randomness against same-ms collisions. */
export function newRunId(now: Date, random: string): string {
  const t = now.toISOString().replace(/[-:.]/g, ""); // 20261122T045859123Z
  return `r${t}-${random.slice(0, 6)}`;
}

export function chainFor(kind: RunKind, needsInit: boolean, hasCluster: boolean): Stage[] {
  if (kind === "init") return ["init"];
  if (kind === "ingest") return ["ingest"];
  // A check plans the pull request's head as it is: it initializes nothing.
  if (kind === "check") return ["ingest", ...(hasCluster ? (["reconcile"] as const) : [])];
  // Write-back goes first, on an initialized layout; the sync after it takes what it wrote through ingest and reconcile.
  const writeBack: Stage[] = kind === "publish" ? ["publish"] : kind === "adopt" ? ["adopt"] : [];
  return [...(needsInit ? (["init"] as const) : []), ...writeBack, "ingest", ...(hasCluster ? (["reconcile"] as const) : [])];
}

export function nextStage(run: Run, stage: Stage): Stage | null {
  const i = run.chain.indexOf(stage);
  return i >= 0 && i + 1 < run.chain.length ? run.chain[i + 1]! : null;
}

export function newStageRecord(): StageRecord {
  return { status: "pending", startedAt: null, finishedAt: null, counts: {}, errors: [] };
}

/** `errors` then `more`, bounded: the first RUN_LIST_LIMIT kept, each cut to RUN_TEXT_LIMIT, the total counted. */
export function appendErrors(record: Pick<StageRecord, "errors" | "errorsTotal">, more: readonly string[]): Pick<StageRecord, "errors" | "errorsTotal"> {
  const total = (record.errorsTotal ?? record.errors.length) + more.length;
  const errors = boundedList([...record.errors, ...more.map((e) => boundedText(e))], RUN_LIST_LIMIT).items;
  return total > errors.length ? { errors, errorsTotal: total } : { errors };
}

/** The stage record as stored: within its byte budget (see bounded.ts). */
export function boundedStageRecord(record: StageRecord): StageRecord {
  // A checkpoint is read back by the stage: never cut (stages keep it small, see CHECKPOINT_BUDGET_BYTES).
  const { checkpoint, ...bounded } = record;
  const fitted = fitToBudget({ ...bounded, errorsTotal: bounded.errorsTotal ?? bounded.errors.length });
  const withCheckpoint = (r: StageRecord): StageRecord => (checkpoint ? { ...r, checkpoint } : r);
  if (fitted.errorsTotal !== fitted.errors.length) return withCheckpoint(fitted);
  const { errorsTotal: _total, ...rest } = fitted;
  return withCheckpoint(rest);
}

/** Largest checkpoint a stage may record (it rides in the run record, < 100 KB with everything else). */
export const CHECKPOINT_BUDGET_BYTES = 8_000;
