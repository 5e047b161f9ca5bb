// How the console and the CLI read the API's answers (DESIGN §9): one pure module both surfaces share,
// so that a change of an answer's shape is adapted here once. Every reader tolerates fields that are
// not there (yet): it returns what exists, never throws on a missing block. No I/O, no DOM, no Node.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = Readonly<Record<string, unknown>>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** A list as the API may give it: a plain array, or a bounded list `{items, total}` (first N of total). */
export interface Listed<T> {
  readonly items: readonly T[];
  /** How many there are in all; more than items.length when the list was cut. */
  readonly total: number;
}

export function listed<T = unknown>(value: unknown): Listed<T> {
  if (Array.isArray(value)) return { items: value as T[], total: value.length };
  if (isObj(value) && Array.isArray(value.items)) {
    const items = value.items as T[];
    return { items, total: num(value.total) ?? num(value.count) ?? items.length };
  }
  return { items: [], total: 0 };
}

/** Run statuses that mean "not finished" (waiting: a follow-up run that starts when the current one ends). */
export const ACTIVE_RUN_STATUSES: ReadonlySet<string> = new Set(["waiting", "queued", "running"]);
export const isActiveRun = (run: { status?: unknown } | null | undefined): boolean => ACTIVE_RUN_STATUSES.has(str(run?.status) ?? "");

/** Stages in the order runs go through them (publish and adopt write to Git before the sync); unknown names come after. */
const STAGE_ORDER = ["init", "publish", "adopt", "ingest", "reconcile"];

export interface StageView {
  readonly name: string;
  readonly status: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly counts: Readonly<Record<string, number>>;
  /** Live progress while the stage runs (issue 13: `progress: {done, total}`), when the API gives it. */
  readonly progress: { readonly done: number; readonly total: number } | null;
  readonly errors: Listed<string>;
  readonly commit: string | null;
  readonly detail: Obj;
}

export function runStages(run: Obj): StageView[] {
  const stages = isObj(run.stages) ? run.stages : {};
  const chain = Array.isArray(run.chain) ? (run.chain as unknown[]).map(String) : [];
  const names = [...new Set([...chain, ...Object.keys(stages)])].sort((a, b) => {
    const ia = STAGE_ORDER.indexOf(a);
    const ib = STAGE_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
  });
  return names.map((name) => {
    const s = isObj(stages[name]) ? (stages[name] as Obj) : {};
    const detail = isObj(s.detail) ? s.detail : {};
    const p = isObj(s.progress) ? s.progress : null;
    const errors = listed<string>(s.errors);
    const errorsTotal = num(s.errorsTotal);
    const counts: Record<string, number> = {};
    if (isObj(s.counts)) for (const [k, v] of Object.entries(s.counts)) if (num(v) !== undefined) counts[k] = v as number;
    return {
      name,
      status: str(s.status) ?? "pending",
      startedAt: str(s.startedAt) ?? null,
      finishedAt: str(s.finishedAt) ?? null,
      counts,
      progress: p && num(p.done) !== undefined && num(p.total) !== undefined ? { done: p.done as number, total: p.total as number } : null,
      errors: { items: errors.items.map(String), total: Math.max(errors.total, errorsTotal ?? 0) },
      commit: str(detail.commit) ?? null,
      detail,
    };
  });
}

/** One rejected document (or a file rejected whole), located like a compiler message. */
export interface RejectionView {
  readonly file: string;
  readonly index: number | null;
  readonly line: number | null;
  readonly kind: string | null;
  readonly name: string | null;
  readonly path: string | null;
  readonly rule: string | null;
  readonly message: string;
}

function rejectionOf(file: string, r: Obj): RejectionView {
  return {
    file: str(r.file) ?? file,
    index: num(r.index) ?? num(r.document) ?? null,
    line: num(r.line) ?? null,
    kind: str(r.kind) ?? null,
    name: str(r.name) ?? null,
    path: str(r.path) ?? str(r.field) ?? null,
    rule: str(r.rule) ?? null,
    message: str(r.message) ?? "",
  };
}

/**
 * Rejections of a run. The API of issue 13 names each rejected document per raw file (in the run or in
 * its ingest stage, flat or grouped by file); before it, the ingest stage's `sources` say which files
 * had rejected documents or could not be read at all.
 */
export function runRejections(run: Obj): Listed<RejectionView> {
  const ingest = runStages(run).find((s) => s.name === "ingest");
  const raw = run.rejections ?? ingest?.detail.rejections;
  if (raw !== undefined && raw !== null) {
    const groups = listed<unknown>(raw);
    const out: RejectionView[] = [];
    // Documents (and files rejected whole) left out of the lists: counted, not listed.
    let unlisted = 0;
    for (const g of groups.items) {
      if (!isObj(g)) continue;
      const file = str(g.file) ?? str(g.path) ?? "";
      // A file rejected whole (unreadable, empty, not a regular file): one line for the file.
      if (str(g.fileError)) out.push(rejectionOf(file, { message: g.fileError }));
      const nested = g.documents ?? g.findings ?? g.rejections;
      if (nested === undefined) {
        if (!str(g.fileError)) out.push(rejectionOf(file, g));
        continue;
      }
      const documents = listed<unknown>(nested);
      unlisted += documents.total - documents.items.length;
      for (const d of documents.items) {
        if (isObj(d)) out.push(rejectionOf(file, d));
      }
    }
    // `documents` counts every rejected document; files rejected whole are a line each on top.
    const documentsTotal = isObj(raw) ? num(raw.documents) : undefined;
    const wholeFiles = out.filter((r) => r.index === null).length;
    const total = documentsTotal !== undefined ? documentsTotal + wholeFiles : out.length + unlisted + (groups.total - groups.items.length);
    return { items: out, total: Math.max(total, out.length) };
  }
  const out: RejectionView[] = [];
  for (const s of listed<unknown>(ingest?.detail.sources).items) {
    if (!isObj(s)) continue;
    const file = str(s.path) ?? "";
    const fileError = str(s.fileError);
    const rejected = isObj(s.outcomes) ? (num(s.outcomes.error) ?? 0) : 0;
    if (fileError) out.push(rejectionOf(file, { message: fileError }));
    else if (rejected > 0) out.push(rejectionOf(file, { message: `${rejected} document${rejected === 1 ? "" : "s"} rejected (reasons in raw/errors/ next to the file)` }));
  }
  return { items: out, total: out.length };
}

/** A plan's outcome, or what a sync did: files, objects applied and pruned, fields removed. */
export interface ChangesView {
  readonly commit: Listed<{ readonly path: string; readonly action: string }>;
  readonly apply: Listed<string>;
  readonly prune: Listed<string>;
  readonly removedFields: Readonly<Record<string, readonly string[]>>;
  /** A plan's field-level diff per object it would apply (live → desired), when the run records it. */
  readonly fields: Readonly<Record<string, { readonly fields: readonly DriftView[]; readonly total: number }>>;
  /** The run recorded `fields` (objects it would apply without fields there are new to the cluster). */
  readonly fieldsRecorded: boolean;
  readonly commits: readonly { readonly stage: string; readonly sha: string }[];
}

export function runChanges(run: Obj): ChangesView {
  const stages = runStages(run);
  const detail = (name: string) => stages.find((s) => s.name === name)?.detail ?? {};
  const ingest = detail("ingest");
  const reconcile = detail("reconcile");
  const init = detail("init");
  const dry = run.dryRun === true || run.kind === "plan";
  const files = (value: unknown) => {
    const l = listed<unknown>(value);
    return { items: l.items.map((f) => (isObj(f) ? { path: str(f.path) ?? "", action: str(f.action) ?? "write" } : { path: String(f), action: "write" })), total: l.total };
  };
  const initFiles = files(dry ? init.wouldCreate : init.created);
  const ingestFiles = files(dry ? ingest.wouldCommit : ingest.changes);
  const written = writeBackResult(run);
  const writeBackFiles = written ? written.files : { items: [], total: 0 };
  const removed: Record<string, string[]> = {};
  if (isObj(reconcile.removedFields)) for (const [id, fields] of Object.entries(reconcile.removedFields)) removed[id] = listed<string>(fields).items.map(String);
  const fields: Record<string, { fields: DriftView[]; total: number }> = {};
  if (isObj(reconcile.wouldChangeFields)) {
    for (const [id, v] of Object.entries(reconcile.wouldChangeFields)) {
      const l = isObj(v) ? listed<unknown>(v.fields) : listed<unknown>(v);
      fields[id] = { fields: driftOf({ drift: [...l.items] }), total: isObj(v) ? (num(v.total) ?? l.total) : l.total };
    }
  }
  return {
    fields,
    fieldsRecorded: isObj(reconcile.wouldChangeFields),
    commit: { items: [...initFiles.items, ...writeBackFiles.items, ...ingestFiles.items], total: initFiles.total + writeBackFiles.total + ingestFiles.total },
    apply: listed<string>(dry ? reconcile.wouldApply : reconcile.applies),
    prune: listed<string>(dry ? reconcile.wouldPrune : reconcile.prunes),
    removedFields: removed,
    commits: stages.filter((s) => s.commit).map((s) => ({ stage: s.name, sha: s.commit! })),
  };
}

/** What a publish or adopt run wrote back to Git (DESIGN §15), from its publish or adopt stage's detail. */
export interface WriteBackView {
  readonly stage: "publish" | "adopt";
  readonly status: string;
  readonly mode: "direct" | "pull-request" | null;
  /** The commit on the fabric's branch (direct) or on the new branch (pull request); null: nothing to write. */
  readonly commit: string | null;
  readonly branch: string | null;
  readonly pullRequest: { readonly number: number; readonly url: string } | null;
  /** Files written: publish says new/changed/deleted per file, adopt lists the files it wrote. */
  readonly files: Listed<{ readonly path: string; readonly action: string }>;
  readonly note: string | null;
}

/** publish's actions in the words the file lists use ("delete" is the one that removes a file). */
const WRITE_BACK_ACTIONS: Readonly<Record<string, string>> = { new: "create", changed: "write", deleted: "delete" };

export function writeBackResult(run: Obj): WriteBackView | null {
  const stage = runStages(run).find((s) => s.name === "publish" || s.name === "adopt");
  if (!stage) return null;
  const d = stage.detail;
  const mode = d.writeBack === "direct" || d.writeBack === "pull-request" ? d.writeBack : null;
  const pr = isObj(d.pullRequest) && num(d.pullRequest.number) !== undefined && str(d.pullRequest.url) !== undefined ? { number: d.pullRequest.number as number, url: d.pullRequest.url as string } : null;
  const raw = listed<unknown>(stage.name === "publish" ? d.changes : d.adopted);
  const files = raw.items.map((f) =>
    isObj(f) ? { path: str(f.path) ?? "", action: WRITE_BACK_ACTIONS[str(f.action) ?? ""] ?? "write" } : { path: String(f), action: "create" },
  );
  return { stage: stage.name as "publish" | "adopt", status: stage.status, mode, commit: stage.commit, branch: str(d.branch) ?? null, pullRequest: pr, files: { items: files, total: raw.total }, note: str(d.note) ?? null };
}

/** Resource counts of a fabric's status, by state, with the error count (a resource can be both). */
export interface RollupView {
  readonly total: number;
  readonly byState: Readonly<Record<string, number>>;
  readonly errors: number;
  readonly fromGit: number;
  /** Per kind, when the API gives it (`counts.byKind`). */
  readonly byKind: Readonly<Record<string, number>> | null;
}

export function rollup(status: unknown): RollupView {
  const counts = isObj(status) && isObj(status.counts) ? status.counts : {};
  const byState: Record<string, number> = {};
  if (isObj(counts.byState)) for (const [k, v] of Object.entries(counts.byState)) if (num(v)) byState[k] = v as number;
  let byKind: Record<string, number> | null = null;
  if (isObj(counts.byKind)) {
    byKind = {};
    for (const [k, v] of Object.entries(counts.byKind)) if (num(v) !== undefined) byKind[k] = v as number;
  }
  return { total: num(counts.total) ?? 0, byState, errors: num(counts.errors) ?? 0, fromGit: num(counts.fromGit) ?? 0, byKind };
}

/** A resource named by a roll-up list (status `attention`). */
export interface NamedResourceView {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly state: string;
  readonly error: string | null;
}

/** The lists of resources that need the operator (status `attention`: errors, drifted, orphaned, pending), each the first names and how many. */
export function attention(status: unknown): Readonly<Record<string, Listed<NamedResourceView>>> {
  const lists = isObj(status) && isObj(status.attention) ? status.attention : {};
  const out: Record<string, Listed<NamedResourceView>> = {};
  for (const [name, value] of Object.entries(lists)) {
    const l = listed<unknown>(value);
    out[name] = {
      items: l.items.filter(isObj).map((r) => ({ kind: str(r.kind) ?? "", namespace: str(r.namespace) ?? "default", name: str(r.name) ?? "", state: str(r.state) ?? "", error: str(r.error) ?? null })),
      total: l.total,
    };
  }
  return out;
}

/** Severity order of DESIGN §5, least severe first: bars and legends list states in it. */
export const STATE_ORDER = ["synced", "committed", "pending", "draft", "drifted", "orphaned", "pruned"];

/** One resource in a list, attribution read from `attribution` or from the top level. */
export interface ResourceRowView {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly state: string;
  readonly error: string | null;
  readonly warnings: readonly string[];
  readonly source: string | null;
  readonly gitFilePath: string | null;
  readonly gitCommitSha: string | null;
  readonly importedFrom: string | null;
  /** The last valid version the cluster was compared with, when it differs (issue 13). */
  readonly appliedCommitSha: string | null;
}

export function resourceRow(r: Obj): ResourceRowView {
  const a = isObj(r.attribution) ? r.attribution : r;
  return {
    kind: str(r.kind) ?? "",
    name: str(r.name) ?? "",
    namespace: str(r.namespace) ?? "default",
    state: str(r.state) ?? "unknown",
    error: str(r.error) ?? null,
    warnings: listed<string>(r.warnings).items.map(String),
    source: str(a.source) ?? null,
    gitFilePath: str(a.gitFilePath) ?? null,
    gitCommitSha: str(a.gitCommitSha) ?? null,
    importedFrom: str(a.importedFrom) ?? null,
    appliedCommitSha: str(a.appliedCommitSha) ?? str(r.appliedCommitSha) ?? null,
  };
}

export interface DriftView {
  readonly path: string;
  readonly desired?: unknown;
  readonly live?: unknown;
  readonly absent?: "desired" | "live";
}

export function driftOf(detail: Obj): DriftView[] {
  return listed<unknown>(detail.drift)
    .items.filter(isObj)
    .map((d) => ({
      path: str(d.path) ?? "",
      ...("desired" in d ? { desired: d.desired } : {}),
      ...("live" in d ? { live: d.live } : {}),
      ...(d.absent === "desired" || d.absent === "live" ? { absent: d.absent } : {}),
    }));
}

export interface HistoryEntryView {
  readonly at: string | null;
  readonly runId: string | null;
  readonly commit: string | null;
  readonly from: string | null;
  readonly to: string | null;
  readonly reason: string | null;
}

export function historyOf(detail: Obj): Listed<HistoryEntryView> | null {
  if (detail.history === undefined) return null;
  const l = listed<unknown>(detail.history);
  return {
    items: l.items.filter(isObj).map((h) => ({
      at: str(h.at) ?? str(h.time) ?? str(h.timestamp) ?? null,
      runId: str(h.runId) ?? null,
      commit: str(h.commit) ?? str(h.gitCommitSha) ?? null,
      from: str(h.from) ?? str(h.fromState) ?? null,
      to: str(h.to) ?? str(h.toState) ?? str(h.state) ?? null,
      reason: str(h.reason) ?? null,
    })),
    total: l.total,
  };
}

/** Links to a fabric's repository on GitHub (github provider only; GitHub Enterprise from its apiUrl). */
export interface GitLinks {
  file(commit: string, path: string): string;
  commit(sha: string): string;
  tree(branch: string, path: string): string;
}

export function gitLinks(fabric: unknown): GitLinks | null {
  const git = isObj(fabric) && isObj(fabric.git) ? fabric.git : null;
  if (!git || git.provider !== "github" || !str(git.owner) || !str(git.repo)) return null;
  let web = "https://github.com";
  const apiUrl = str(git.apiUrl);
  if (apiUrl) {
    const u = new URL(apiUrl);
    if (u.hostname !== "api.github.com") web = u.origin;
  }
  const repo = `${web}/${encodeURIComponent(git.owner as string)}/${encodeURIComponent(git.repo as string)}`;
  const path = (p: string) => p.split("/").map(encodeURIComponent).join("/");
  return {
    file: (commit, p) => `${repo}/blob/${encodeURIComponent(commit)}/${path(p)}`,
    commit: (sha) => `${repo}/commit/${encodeURIComponent(sha)}`,
    tree: (branch, p) => `${repo}/tree/${path(branch)}/${path(p)}`,
  };
}

/** A validation finding as the API (validate, drafts) or the CLI's offline validation gives it. */
export interface FindingView {
  readonly file: string;
  readonly line: number;
  readonly index: number;
  readonly rule: string;
  readonly severity: "error" | "warning";
  readonly path: string;
  readonly kind: string;
  readonly name: string;
  readonly message: string;
}

export function findingsOf(answer: unknown): FindingView[] {
  const raw = isObj(answer) ? (answer.findings ?? answer.errors ?? answer.items) : answer;
  return listed<unknown>(raw)
    .items.filter(isObj)
    .map((f) => ({
      file: str(f.file) ?? "",
      line: num(f.line) ?? 1,
      index: num(f.index) ?? 0,
      rule: str(f.rule) ?? "",
      severity: f.severity === "warning" ? "warning" : "error",
      path: str(f.path) ?? str(f.pointer) ?? "",
      kind: str(f.kind) ?? "",
      name: str(f.name) ?? "",
      message: str(f.message) ?? "",
    }));
}

/** `file:line: [RULE] message`, as a compiler prints it. */
export function findingLine(f: Pick<FindingView, "file" | "line" | "rule" | "message" | "severity" | "path">): string {
  const where = f.path && f.path !== "/" ? ` ${f.path}:` : "";
  return `${f.file}:${f.line}: ${f.severity === "warning" ? "warning: " : ""}[${f.rule}]${where} ${f.message}`;
}

export const shortSha = (sha: string | null | undefined): string => (sha ? sha.slice(0, 8) : "");
