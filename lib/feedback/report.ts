// What a run's result looks like on its commit (DESIGN §17): the check run's conclusion, title,
// markdown summary and annotations, or the commit status's state and one-line description. Pure: the run
// record and the plan's findings in, text out; the same run gives the same report, byte for byte.
import type { Finding } from "../hedgehog/index.js";
import type { CheckAnnotation, CheckConclusion, CommitState } from "../git/feedback.js";
import { countsLine, type RunCounts } from "./counts.js";

export interface FeedbackReport {
  /** The check run's name or the status's context. */
  readonly name: string;
  readonly conclusion: CheckConclusion;
  readonly title: string;
  /** Markdown for the check run's page. */
  readonly summary: string;
  /** One line for a commit status (GitHub keeps 140 characters). */
  readonly description: string;
  readonly annotations: readonly CheckAnnotation[];
  readonly detailsUrl: string | null;
}

type EndStatus = "succeeded" | "failed" | "cancelled";

/** A bounded list as run records keep them: the first items and how many there were. */
export interface Listed<T> {
  readonly items: readonly T[];
  readonly total: number;
}

export interface CheckInput {
  readonly fabricId: string;
  readonly runId: string;
  readonly commit: string;
  readonly status: EndStatus;
  readonly error: string | null;
  /** The findings of the plan of the commit: every one, or the first ones of `findingsTotal`. */
  readonly findings: readonly Finding[];
  readonly findingsTotal: number;
  /** Findings of the head that the fabric's branch has too: not the pull request's doing, not annotated. */
  readonly preexisting: number;
  /** The commit of the fabric's branch the findings were compared with. */
  readonly comparedWith: string | null;
  /** The files ingest would write (or delete) if the commit were on the fabric's branch. */
  readonly wouldCommit: Listed<{ readonly path: string; readonly action: string }> | null;
  /** What reconcile would do with the cluster; null: the fabric has no cluster. */
  readonly reconcile: {
    readonly mode: "observe" | "apply";
    readonly create: Listed<string>;
    readonly update: Listed<string>;
    readonly prune: Listed<string>;
  } | null;
  readonly consoleUrl: string | null;
}

export interface SyncInput {
  readonly fabricId: string;
  readonly runId: string;
  readonly commit: string;
  readonly status: EndStatus;
  readonly error: string | null;
  readonly counts: RunCounts;
  readonly hasCluster: boolean;
  /** The first problems the run recorded (rejected documents, refused applies). */
  readonly problems: readonly string[];
  readonly consoleUrl: string | null;
}

export const checkName = (fabricId: string): string => `hedgehog-gitops / ${fabricId}`;
export const syncCheckName = (fabricId: string): string => `hedgehog-gitops / ${fabricId} (sync)`;

/** The console's page of a run (its routes are hash routes). */
export function runPageUrl(consoleUrl: string | null, fabricId: string, runId: string): string | null {
  return consoleUrl ? `${consoleUrl}/#/fabrics/${encodeURIComponent(fabricId)}/runs/${encodeURIComponent(runId)}` : null;
}

interface CheckFacts {
  readonly status: EndStatus;
  readonly errors: number;
  readonly warnings: number;
}

/** The first row that holds decides the conclusion. */
const CHECK_OUTCOMES: readonly { readonly when: (f: CheckFacts) => boolean; readonly conclusion: CheckConclusion }[] = [
  { when: (f) => f.status === "cancelled", conclusion: "cancelled" },
  // The plan could not be made (Git or the cluster unreachable, ...): nothing vouches for the commit.
  { when: (f) => f.status === "failed", conclusion: "failure" },
  { when: (f) => f.errors > 0, conclusion: "failure" },
  { when: (f) => f.warnings > 0, conclusion: "neutral" },
  { when: () => true, conclusion: "success" },
];

interface SyncFacts {
  readonly status: EndStatus;
  readonly counts: RunCounts;
}

const SYNC_OUTCOMES: readonly { readonly when: (f: SyncFacts) => boolean; readonly conclusion: CheckConclusion }[] = [
  { when: (f) => f.status === "cancelled", conclusion: "cancelled" },
  { when: (f) => f.status === "failed", conclusion: "failure" },
  { when: (f) => f.counts.rejected > 0, conclusion: "failure" },
  { when: (f) => f.counts.drifted > 0 || f.counts.orphaned > 0, conclusion: "neutral" },
  { when: () => true, conclusion: "success" },
];

/** Commit statuses have no neutral or cancelled: what each conclusion becomes. */
const STATUS_STATE: Readonly<Record<CheckConclusion, CommitState>> = {
  success: "success",
  neutral: "success",
  failure: "failure",
  cancelled: "error",
};

export function statusState(conclusion: CheckConclusion): CommitState {
  return STATUS_STATE[conclusion];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/[\r\n]+/g, " ");
const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();
const more = (listed: Listed<unknown>) => (listed.total > listed.items.length ? `\n_…and ${listed.total - listed.items.length} more_\n` : "");

function annotation(f: Finding): CheckAnnotation {
  const subject = [f.kind, f.name].filter(Boolean).join(" ");
  return {
    path: f.file,
    startLine: Math.max(1, f.line),
    endLine: Math.max(1, f.line),
    level: f.severity === "error" ? "failure" : "warning",
    title: subject ? `${f.rule} ${subject}` : f.rule,
    message: `${f.path || "/"}: ${f.message}`,
  };
}

/** Counts by rule, most frequent first, then by rule id. */
function byRule(findings: readonly Finding[]): { rule: string; errors: number; warnings: number }[] {
  const rows = new Map<string, { rule: string; errors: number; warnings: number }>();
  for (const f of findings) {
    const row = rows.get(f.rule) ?? { rule: f.rule, errors: 0, warnings: 0 };
    if (f.severity === "error") row.errors++;
    else row.warnings++;
    rows.set(f.rule, row);
  }
  return [...rows.values()].sort((a, b) => b.errors + b.warnings - (a.errors + a.warnings) || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
}

const short = (sha: string) => sha.slice(0, 7);

export function checkReport(input: CheckInput): FeedbackReport {
  const errors = input.findings.filter((f) => f.severity === "error").length;
  const warnings = input.findings.length - errors;
  const facts: CheckFacts = { status: input.status, errors, warnings };
  const conclusion = CHECK_OUTCOMES.find((row) => row.when(facts))!.conclusion;
  const partial = input.findingsTotal > input.findings.length ? ` (the first ${input.findings.length} of ${input.findingsTotal} findings are shown)` : "";
  const verdict =
    input.status === "cancelled"
      ? `Cancelled: ${input.error ?? "a newer commit is being checked"}`
      : input.status === "failed"
        ? `Could not check ${short(input.commit)}: ${input.error ?? "the run failed"}`
        : errors > 0
          ? `${plural(errors, "document error")}${warnings > 0 ? `, ${plural(warnings, "warning")}` : ""}: ingest would reject them`
          : warnings > 0
            ? `${plural(warnings, "warning")}, no errors`
            : "Every document is valid";
  const title = oneLine(verdict).slice(0, 250);
  const detailsUrl = runPageUrl(input.consoleUrl, input.fabricId, input.runId);

  const lines: string[] = [];
  lines.push(`**${title}**${partial}`, "");
  lines.push(`Fabric \`${input.fabricId}\`, commit \`${short(input.commit)}\`, planned as if it were on the fabric's branch: nothing was committed, stored or applied.`, "");
  if (input.preexisting > 0) {
    const where = input.comparedWith ? ` at \`${short(input.comparedWith)}\`` : "";
    lines.push(`${plural(input.preexisting, "finding")} of this commit ${input.preexisting === 1 ? "is" : "are"} on the fabric's branch${where} already; only what this commit adds is annotated.`, "");
  }
  const rules = byRule(input.findings);
  if (rules.length > 0) {
    lines.push("### Findings by rule", "", "| rule | errors | warnings |", "|---|---:|---:|");
    for (const r of rules) lines.push(`| ${cell(r.rule)} | ${r.errors} | ${r.warnings} |`);
    lines.push("");
  }
  if (input.wouldCommit) {
    lines.push("### Files ingest would write", "");
    if (input.wouldCommit.total === 0) lines.push("None: the commit leaves nothing to ingest.", "");
    else {
      lines.push("| file | action |", "|---|---|");
      for (const c of input.wouldCommit.items) lines.push(`| \`${cell(c.path)}\` | ${cell(c.action)} |`);
      lines.push(more(input.wouldCommit));
    }
  }
  if (input.reconcile) {
    const r = input.reconcile;
    lines.push(`### Resources reconcile would change (mode \`${r.mode}\`)`, "");
    const total = r.create.total + r.update.total + r.prune.total;
    if (total === 0) lines.push(r.mode === "observe" ? "None: observe mode reports differences and changes nothing." : "None: the cluster already matches.", "");
    else {
      lines.push("| resource | action |", "|---|---|");
      for (const [action, listed] of [["create", r.create], ["update", r.update], ["prune", r.prune]] as const) {
        for (const id of listed.items) lines.push(`| \`${cell(id)}\` | ${action} |`);
      }
      for (const [action, listed] of [["create", r.create], ["update", r.update], ["prune", r.prune]] as const) {
        if (listed.total > listed.items.length) lines.push(`| _…${listed.total - listed.items.length} more_ | ${action} |`);
      }
      lines.push("");
    }
  } else {
    lines.push("The fabric has no cluster: nothing would be applied.", "");
  }
  if (detailsUrl) lines.push(`[The run in the console](${detailsUrl})`, "");
  return {
    name: checkName(input.fabricId),
    conclusion,
    title,
    summary: lines.join("\n"),
    description: oneLine(`${title}${detailsUrl ? "" : ` (run ${input.runId})`}`),
    annotations: input.findings.map(annotation),
    detailsUrl,
  };
}

export function syncReport(input: SyncInput): FeedbackReport {
  const conclusion = SYNC_OUTCOMES.find((row) => row.when({ status: input.status, counts: input.counts }))!.conclusion;
  const c = input.counts;
  const line = countsLine(c);
  const title = oneLine(input.status === "succeeded" ? line : `${input.status}: ${input.error ?? "the run did not finish"} (${line})`).slice(0, 250);
  const detailsUrl = runPageUrl(input.consoleUrl, input.fabricId, input.runId);
  const lines: string[] = [
    `**${title}**`,
    "",
    `What sync run \`${input.runId}\` of fabric \`${input.fabricId}\` did with commit \`${short(input.commit)}\`${input.hasCluster ? "" : " (the fabric has no cluster: its resources stay committed)"}.`,
    "",
    "| synced | drifted | rejected | committed | pending | orphaned | applied | pruned |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|",
    `| ${c.synced} | ${c.drifted} | ${c.rejected} | ${c.committed} | ${c.pending} | ${c.orphaned} | ${c.applied} | ${c.pruned} |`,
    "",
  ];
  if (input.problems.length > 0) {
    lines.push("### Problems", "");
    for (const p of input.problems) lines.push(`- ${oneLine(p)}`);
    lines.push("");
  }
  if (detailsUrl) lines.push(`[The run in the console](${detailsUrl})`, "");
  return {
    name: syncCheckName(input.fabricId),
    conclusion,
    title,
    summary: lines.join("\n"),
    description: title,
    annotations: [],
    detailsUrl,
  };
}
