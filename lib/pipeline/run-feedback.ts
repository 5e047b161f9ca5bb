// The end of a run, where people look (DESIGN §17): a "Run Finished" event, and the run's result on its
// commit — a pull-request check's findings as a check run with annotations (GitHub App) or a commit
// status (token) on the pull request's head, a sync run's counts on the commit it synced. Once per run:
// the run record's `feedback` says it happened, and a check run is found again by its external id (the
// run id) rather than created twice. Publishing never changes the run's own outcome; a failure to
// publish is logged and kept in `feedback.error`.
import { DETAIL_TYPES, eventId, publishQuietly, type EventSink, type FabricEvent } from "../events/index.js";
import { checkReport, runCounts, runPageUrl, statusState, syncReport, type CheckInput, type FeedbackReport, type Listed } from "../feedback/index.js";
import type { Fabric } from "../fabrics/schema.js";
import { publishCheckRun, type CommitFeedback } from "../git/feedback.js";
import type { Finding } from "../hedgehog/index.js";
import { logger } from "../observability/logger.js";
import { isBoundedList } from "./bounded.js";
import type { Run, RunFeedback } from "./run-model.js";
import type { RunEndHook, StageOutcome } from "./stage-runner.js";

export interface RunFeedbackDeps {
  readonly runs: { recordFeedback(fabricId: string, runId: string, feedback: RunFeedback): Promise<boolean> };
  /** Where the fabric's commits take results (its Git host, with the fabric's own credentials). */
  feedbackFor(fabric: Fabric): Promise<CommitFeedback>;
  readonly events?: EventSink;
  /** HH_GITOPS_CONSOLE_URL: checks, statuses and events link to the run's page. */
  readonly consoleUrl?: string | null;
}

type Ended = Run & { readonly status: "succeeded" | "failed" | "cancelled" };

function listed<T>(value: unknown): Listed<T> | null {
  return isBoundedList(value) ? (value as Listed<T>) : null;
}

const detailOf = (run: Run, stage: "ingest" | "reconcile"): Readonly<Record<string, unknown>> => run.stages[stage]?.detail ?? {};

/** The commit the run's result belongs on, or why there is none. */
function commitOf(run: Run): { commit: string } | { note: string } {
  if (run.kind === "check") return run.pullRequest ? { commit: run.pullRequest.headSha } : { note: "the check names no pull request" };
  if (run.kind !== "sync") return { note: `${run.kind} runs publish nothing on a commit` };
  return run.headAfter ? { commit: run.headAfter } : { note: "the run ended before it read a commit" };
}

function checkInput(run: Ended, fabric: Fabric, commit: string, last: StageOutcome | null, consoleUrl: string | null): CheckInput {
  const ingest = detailOf(run, "ingest");
  // Every finding when this worker made the last plan; otherwise the first ones the run record kept.
  const kept = listed<Finding>(ingest.findings);
  const findings = last?.check?.findings ?? kept?.items ?? [];
  const reconcileDone = run.stages.reconcile?.status === "succeeded";
  const r = detailOf(run, "reconcile");
  const apply = listed<string>(r.wouldApply) ?? { items: [], total: 0 };
  const create = listed<string>(r.wouldCreate) ?? { items: [], total: 0 };
  const created = new Set(create.items);
  return {
    fabricId: run.fabricId,
    runId: run.runId,
    commit,
    status: run.status,
    error: run.error,
    findings,
    findingsTotal: last?.check ? last.check.findings.length : (kept?.total ?? 0),
    preexisting: last?.check?.preexisting ?? (typeof ingest.preexistingFindings === "number" ? ingest.preexistingFindings : 0),
    comparedWith: last?.check ? last.check.comparedWith : typeof ingest.comparedWith === "string" ? ingest.comparedWith : null,
    wouldCommit: listed(ingest.wouldCommit),
    reconcile:
      fabric.cluster === null || !reconcileDone
        ? null
        : {
            mode: fabric.sync.mode,
            create,
            update: { items: apply.items.filter((id) => !created.has(id)), total: Math.max(0, apply.total - create.total) },
            prune: listed<string>(r.wouldPrune) ?? { items: [], total: 0 },
          },
    consoleUrl,
  };
}

function reportFor(run: Ended, fabric: Fabric, commit: string, last: StageOutcome | null, consoleUrl: string | null): FeedbackReport {
  if (run.kind === "check") return checkReport(checkInput(run, fabric, commit, last, consoleUrl));
  return syncReport({
    fabricId: run.fabricId,
    runId: run.runId,
    commit,
    status: run.status,
    error: run.error,
    counts: runCounts(run),
    hasCluster: fabric.cluster !== null,
    problems: [...(run.stages.ingest?.errors ?? []), ...(run.stages.reconcile?.errors ?? [])].slice(0, 10),
    consoleUrl,
  });
}

async function publish(deps: RunFeedbackDeps, run: Ended, fabric: Fabric | null, last: StageOutcome | null): Promise<RunFeedback> {
  const target = commitOf(run);
  if ("note" in target) return { channel: "none", commit: null, note: target.note };
  if (!fabric) return { channel: "none", commit: target.commit, note: "the fabric was deleted" };
  const { commit } = target;
  let channel: RunFeedback["channel"] = "none";
  let name: string | undefined;
  try {
    const host = await deps.feedbackFor(fabric);
    channel = host.channel;
    if (host.channel === "none") return { channel: "none", commit, note: host.note ?? "nowhere to publish" };
    const report = reportFor(run, fabric, commit, last, deps.consoleUrl ?? null);
    name = report.name;
    if (host.channel === "check-run") {
      const published = await publishCheckRun(host, {
        commit,
        name: report.name,
        externalId: run.runId,
        conclusion: report.conclusion,
        output: { title: report.title, summary: report.summary },
        annotations: report.annotations,
        ...(report.detailsUrl ? { detailsUrl: report.detailsUrl } : {}),
      });
      return { channel, commit, name, conclusion: report.conclusion, checkRunId: published.id, url: published.url, annotations: published.annotations, requests: published.requests };
    }
    const state = statusState(report.conclusion);
    const status = await host.createStatus({ commit, context: report.name, state, description: report.description, ...(report.detailsUrl ? { targetUrl: report.detailsUrl } : {}) });
    return { channel, commit, name, conclusion: state, url: status.url };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    logger.warn("the run's result could not be published on its commit", { fabricId: run.fabricId, runId: run.runId, commit, error: message });
    return { channel, commit, ...(name ? { name } : {}), error: message.slice(0, 1000) };
  }
}

export function runFinishedEvent(run: Ended, consoleUrl: string | null, last: StageOutcome | null): FabricEvent {
  const counts = runCounts(run);
  const findingsTotal = run.kind === "check" ? (last?.check?.findings.length ?? listed(detailOf(run, "ingest").findings)?.total ?? 0) : undefined;
  const url = runPageUrl(consoleUrl, run.fabricId, run.runId);
  return {
    detailType: DETAIL_TYPES.runFinished,
    detail: {
      v: 1,
      eventId: eventId(DETAIL_TYPES.runFinished, run.fabricId, run.runId),
      fabricId: run.fabricId,
      runId: run.runId,
      kind: run.kind,
      trigger: run.trigger,
      status: run.status,
      error: run.error,
      commit: run.kind === "check" ? (run.pullRequest?.headSha ?? null) : (run.headAfter ?? null),
      ...(run.pullRequest ? { pullRequest: { number: run.pullRequest.number, headSha: run.pullRequest.headSha } } : {}),
      counts: { ...counts, ...(findingsTotal !== undefined ? { findings: findingsTotal } : {}) },
      ...(url ? { consoleUrl: url } : {}),
    },
  };
}

export function runFeedback(deps: RunFeedbackDeps): RunEndHook {
  return async (run, fabric, last) => {
    if (run.status !== "succeeded" && run.status !== "failed" && run.status !== "cancelled") return;
    const ended = run as Ended;
    await publishQuietly(deps.events, [runFinishedEvent(ended, deps.consoleUrl ?? null, last)]);
    const feedback = await publish(deps, ended, fabric, last);
    await deps.runs.recordFeedback(run.fabricId, run.runId, feedback);
    logger.info("run result published", { fabricId: run.fabricId, runId: run.runId, ...feedback });
  };
}
