import { RetryableError, TerminalError } from "../errors.js";
import type { CommitSummary } from "../git/provider.js";
import type { Finding } from "../hedgehog/index.js";

export class StageQueueMissingError extends TerminalError {}

/** The fabric's run lock kept changing hands while we tried to start a run; try again shortly. */
export class RunStartContentionError extends RetryableError {}

export class RunNotFoundError extends TerminalError {
  constructor(readonly fabricId: string, readonly runId: string) {
    super(`run "${runId}" of fabric "${fabricId}" does not exist`);
  }
}

/** The fabric directory is not in a state the stage can work on (e.g. ingest before init). */
export class FabricNotReadyError extends TerminalError {}

/** Cancel asked of a run that has already ended. */
export class RunAlreadyFinishedError extends TerminalError {
  constructor(readonly fabricId: string, readonly runId: string, readonly status: string) {
    super(`run "${runId}" of fabric "${fabricId}" has already ended (${status})`);
  }
}

/** The fabric has a run in flight; deleting it now would leave that run writing for a fabric that is gone. */
export class FabricHasActiveRunError extends TerminalError {
  constructor(readonly fabricId: string, readonly runId: string, readonly status: string) {
    super(
      `fabric "${fabricId}" has run ${runId} in flight (${status}): cancel it (POST /fabrics/${fabricId}/runs/${runId}/cancel) or delete with ?force=true, which cancels it first`,
    );
  }
}

/**
 * The run this stage works for is no longer in flight: its lease expired and the next trigger failed
 * it, it was cancelled, or its fabric was deleted. The stage stops before its next irreversible step.
 */
export class RunLostError extends TerminalError {}

/** A stage failed with a retryable error after its in-stage retries: SQS redelivers it after `delaySeconds`. */
export class StageRetryLaterError extends RetryableError {
  constructor(
    readonly delaySeconds: number,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/**
 * A publish and an adopt do not share a run: the follow-up waiting behind the run in flight does the
 * one, and the other can be asked for once that follow-up has started.
 */
export class FollowUpBusyError extends TerminalError {
  constructor(
    readonly fabricId: string,
    readonly followUpRunId: string,
    readonly followUpKind: string,
    readonly activeRunId: string,
    readonly requested: string,
  ) {
    super(
      `fabric "${fabricId}": a ${followUpKind} run (${followUpRunId}) waits for run ${activeRunId}; a ${requested} cannot join it. Ask again once ${followUpRunId} has started.`,
    );
  }
}

/** A draft whose base changed in Git since it was made, and the commit that changed its file. */
export interface DraftConflict {
  readonly id: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** Repository-relative. */
  readonly path: string;
  readonly baseBlobSha: string | null;
  /** What the file holds now (null: removed). */
  readonly currentBlobSha: string | null;
  /** The newest commit that changed the file; null when the history at hand does not show it. */
  readonly commit: CommitSummary | null;
}

/** Conflicts listed in a message; all of them are in `extensions.conflicts`. */
const LISTED_CONFLICTS = 10;

/**
 * Publishing would overwrite changes made in Git after the drafts were made (DESIGN §15): nothing is
 * published. The drafts stay; discard them, or make them again on the new content.
 */
export class DraftConflictError extends TerminalError {
  readonly extensions: { readonly conflicts: readonly DraftConflict[] };
  constructor(fabricId: string, conflicts: readonly DraftConflict[]) {
    const each = conflicts
      .slice(0, LISTED_CONFLICTS)
      .map((c) => `${c.kind} ${c.namespace}/${c.name}: ${c.path} was ${c.currentBlobSha === null ? "removed" : "changed"} by ${c.commit ? `commit ${c.commit.sha} ("${c.commit.subject}", ${c.commit.author})` : "a commit not in the history at hand"}`);
    const more = conflicts.length > LISTED_CONFLICTS ? `; and ${conflicts.length - LISTED_CONFLICTS} more` : "";
    super(
      `fabric "${fabricId}": ${conflicts.length} draft${conflicts.length === 1 ? "" : "s"} conflict with Git, so nothing is published: ${each.join("; ")}${more}. Discard ${conflicts.length === 1 ? "it" : "them"} or make ${conflicts.length === 1 ? "it" : "them"} again on what Git holds now.`,
    );
    this.extensions = { conflicts };
  }
}

/** Findings listed in a message; all of them are in `extensions.findings`. */
const LISTED_FINDINGS = 10;

/** The drafts (or adopted objects) are refused by validation as it judges the fabric now: nothing is written. */
export class WriteBackInvalidError extends TerminalError {
  readonly extensions: { readonly findings: readonly Finding[] };
  constructor(what: string, findings: readonly Finding[]) {
    const lines = findings.slice(0, LISTED_FINDINGS).map((f) => `${f.file}:${f.line}: [${f.rule}] ${f.path || "/"}: ${f.message}`);
    const more = findings.length > LISTED_FINDINGS ? `; and ${findings.length - LISTED_FINDINGS} more` : "";
    super(`${what}: ${lines.join("; ")}${more}`);
    this.extensions = { findings };
  }
}
