// Write-back as a pure plan (DESIGN §15): documents written into managed/ and resources removed from
// it, judged exactly as ingest judges raw/ — the documents go through the ingestion planner as files of
// the inbox, on top of managed/ as it is — so that a draft (or an adopted object) is accepted, refused
// and normalized by the same parser, catalog, rules and normalization as anything dropped into raw/.
//
// The inbox itself (raw/ as it is in Git) takes no part: what waits there is ingest's business.
import { gitBlobSha } from "../git/blob-sha.js";
import {
  classifyDocument,
  DocumentParseError,
  LimitExceededError,
  parseDocuments,
  PARSE_RULE,
  sortFindings,
  type Catalog,
  type ClusterObjects,
  type Finding,
  type HedgehogSettings,
  type ParseLimits,
} from "../hedgehog/index.js";
import { planIngestion, type DesiredResource, type IngestPlan } from "./ingest-plan.js";
import { MANAGED, RAW_PENDING } from "./layout.js";
import { roleOf, type SnapshotEntry } from "./snapshot.js";
import type { FileChange } from "./types.js";

/** A document (or several) to write into managed/, as a file of its own. */
export interface WriteBackDocument {
  /** What findings call the file: "request", drafts/<Kind>/<namespace>/<name>, ... Unique in one plan. */
  readonly label: string;
  readonly text: string | Uint8Array;
}

/** A resource to remove from managed/: the file (directory-relative) that defines it. */
export interface WriteBackRemoval {
  readonly id: string;
  readonly path: string;
}

export interface WriteBackInput {
  /** The fabric directory, repository-relative. */
  readonly directory: string;
  /** Every file under the directory at the head; paths relative to it. */
  readonly entries: readonly SnapshotEntry[];
  /** Contents of the managed files by blob sha (the inbox's are not needed). */
  readonly blobs: ReadonlyMap<string, Uint8Array>;
  readonly documents: readonly WriteBackDocument[];
  readonly removals: readonly WriteBackRemoval[];
  readonly settings?: HedgehogSettings;
  readonly catalog?: Catalog;
  readonly cluster?: ClusterObjects;
  readonly limits?: Partial<ParseLimits>;
}

/** Where one document of a write-back would go, as ingest would route it. */
export interface DocumentRouting {
  readonly label: string;
  readonly index: number;
  readonly line: number;
  readonly kind: string;
  readonly name: string;
  /** managed: written to `path`; unmanaged: not a Hedgehog resource (ingest files it under unmanaged/); error: refused. */
  readonly outcome: "managed" | "unmanaged" | "error";
  readonly resource: DesiredResource | null;
}

export interface WriteBackPlan {
  /** Findings of the documents (file = their label) and of managed/ (file = repository path), sorted. */
  readonly findings: readonly Finding[];
  readonly documents: readonly DocumentRouting[];
  /** The desired set after the write-back. */
  readonly resources: readonly DesiredResource[];
  /** Repository-relative changes of managed/: the documents written, the removals, what they replace. */
  readonly changes: readonly FileChange[];
}

const encoder = new TextEncoder();
const PREFIX = `${RAW_PENDING}/~write-back-`;

const virtualPath = (n: number) => `${PREFIX}${String(n).padStart(4, "0")}.yaml`;

function parseFinding(label: string, line: number, message: string): Finding {
  return { file: label, index: 0, line, kind: "", name: "", path: "", rule: PARSE_RULE, severity: "error", message };
}

/** The ingestion planner's view of managed/ with the documents and removals applied; not exported for callers. */
function plannedWithDocuments(input: WriteBackInput, documents: readonly WriteBackDocument[]): { plan: IngestPlan; byVirtual: Map<string, string> } {
  const removed = new Set(input.removals.map((r) => r.path));
  const kept = input.entries.filter((entry) => {
    const role = roleOf(entry);
    return !role.startsWith("raw-") && !removed.has(entry.path);
  });
  const blobs = new Map(input.blobs);
  const byVirtual = new Map<string, string>();
  const virtual: SnapshotEntry[] = documents.map((document, n) => {
    const bytes = typeof document.text === "string" ? encoder.encode(document.text) : document.text;
    const sha = gitBlobSha(bytes);
    blobs.set(sha, bytes);
    const path = virtualPath(n);
    byVirtual.set(`${input.directory}/${path}`, document.label);
    return { path, sha, mode: "100644" };
  });
  const plan = planIngestion({
    directory: input.directory,
    entries: [...kept, ...virtual],
    blobs,
    keepOriginals: false,
    ...(input.settings ? { settings: input.settings } : {}),
    ...(input.catalog ? { catalog: input.catalog } : {}),
    ...(input.cluster ? { cluster: input.cluster } : {}),
    ...(input.limits ? { limits: input.limits } : {}),
  });
  return { plan, byVirtual };
}

export function planWriteBack(input: WriteBackInput): WriteBackPlan {
  // A document that cannot be parsed at all is one PARSE finding at the line the parser names, as the
  // CLI's validate reports it (ingest would move the whole file to raw/errors/).
  const findings: Finding[] = [];
  const parsed: WriteBackDocument[] = [];
  const parsedDocs = new Map<string, ReturnType<typeof parseDocuments>>();
  for (const document of input.documents) {
    try {
      const docs = parseDocuments(document.text, input.limits);
      if (docs.length === 0) findings.push(parseFinding(document.label, 1, "the file holds no document (empty, or comments only)"));
      else {
        parsed.push(document);
        parsedDocs.set(document.label, docs);
      }
    } catch (error) {
      if (!(error instanceof DocumentParseError || error instanceof LimitExceededError)) throw error;
      findings.push(parseFinding(document.label, error.line ?? 1, error.message));
    }
  }
  const { plan, byVirtual } = plannedWithDocuments(input, parsed);
  const labelOf = (file: string) => byVirtual.get(file) ?? file;
  for (const finding of plan.findings) findings.push({ ...finding, file: labelOf(finding.file) });

  const managedPrefix = `${input.directory}/${MANAGED}/`;
  const present = new Set(input.entries.map((e) => e.path));
  const changes: FileChange[] = plan.changes.filter((c) => c.path.startsWith(managedPrefix));
  for (const removal of input.removals) {
    const path = `${input.directory}/${removal.path}`;
    if (present.has(removal.path) && !changes.some((c) => c.path === path)) changes.push({ path, content: null });
  }
  changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const resourcesFrom = new Map<string, DesiredResource[]>();
  for (const resource of plan.resources) {
    if (resource.importedFrom === null) continue;
    const label = labelOf(resource.importedFrom);
    resourcesFrom.set(label, [...(resourcesFrom.get(label) ?? []), resource]);
  }
  const documents: DocumentRouting[] = [];
  for (const document of parsed) {
    for (const doc of parsedDocs.get(document.label) ?? []) {
      const value = doc.value as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | null;
      const kind = typeof value?.kind === "string" ? value.kind : "";
      const name = typeof value?.metadata?.name === "string" ? value.metadata.name : "";
      const namespace = typeof value?.metadata?.namespace === "string" && value.metadata.namespace !== "" ? value.metadata.namespace : "default";
      const refused = findings.some((f) => f.file === document.label && f.index === doc.index && f.severity === "error");
      const c = classifyDocument(doc.value, input.catalog);
      const unmanaged = c.class === "foreign" || (c.class === "hedgehog" && !c.kindInfo.managed);
      const resource = refused || unmanaged ? null : ((resourcesFrom.get(document.label) ?? []).find((r) => r.kind === kind && r.name === name && r.namespace === namespace) ?? null);
      documents.push({ label: document.label, index: doc.index, line: doc.line, kind, name, outcome: refused ? "error" : unmanaged ? "unmanaged" : resource ? "managed" : "error", resource });
    }
  }
  return { findings: sortFindings(findings), documents, resources: plan.resources, changes };
}

const findingKey = (f: Finding) => `${f.file}\u0000${f.index}\u0000${f.path}\u0000${f.rule}\u0000${f.message}`;

/**
 * The errors `after` has that `before` had not: what a change would break — in the documents it
 * brings, and in what was valid without it (a deleted VPC an attachment still names).
 */
export function newErrors(before: readonly Finding[], after: readonly Finding[]): Finding[] {
  const known = new Set(before.filter((f) => f.severity === "error").map(findingKey));
  return after.filter((f) => f.severity === "error" && !known.has(findingKey(f)));
}

/** Where a draft stands against Git at the head. */
export type DraftStanding =
  /** Git already holds what the draft says (published, merged, or written by someone else). */
  | "landed"
  /** The file it was based on changed since it was drafted: publishing would overwrite someone's work. */
  | "conflict"
  | "ready";

export interface DraftBase {
  readonly operation: "put" | "delete";
  /** Repository-relative: the managed file it writes (put) or removes (delete). */
  readonly path: string;
  readonly basePath: string | null;
  readonly baseBlobSha: string | null;
  readonly targetBlobSha: string | null;
}

/** `blobAt`: the blob sha of a repository-relative path at the head, or null. */
export function draftStanding(draft: DraftBase, blobAt: (path: string) => string | null): DraftStanding {
  const base = draft.basePath === null ? null : blobAt(draft.basePath);
  if (draft.operation === "put") {
    const target = blobAt(draft.path);
    const baseGone = draft.basePath === null || draft.basePath === draft.path || base === null;
    if (target === draft.targetBlobSha && baseGone) return "landed";
    // New in Git since the draft: someone else created the file it would write.
    if (draft.basePath === null) return target === null ? "ready" : "conflict";
    return base === draft.baseBlobSha ? "ready" : "conflict";
  }
  if (base === null) return "landed";
  return base === draft.baseBlobSha ? "ready" : "conflict";
}

/** One line of a write-back's commit message and pull request. */
export interface WriteBackChange {
  readonly action: "new" | "changed" | "deleted";
  /** Repository-relative. */
  readonly path: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** Who made the draft (publish); absent for adopted objects. */
  readonly by?: string;
}

/** Lines listed in a message; the rest are counted (a commit message stays readable). */
const LISTED_CHANGES = 50;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function changeLines(changes: readonly WriteBackChange[], bullet: string): string[] {
  const sorted = [...changes].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const lines = sorted.slice(0, LISTED_CHANGES).map((c) => `${bullet}${c.action.padEnd(7)} ${c.path} (${c.kind} ${c.namespace}/${c.name}${c.by ? `, draft by ${c.by}` : ""})`);
  if (sorted.length > LISTED_CHANGES) lines.push(`${bullet}and ${sorted.length - LISTED_CHANGES} more`);
  return lines;
}

export interface WriteBackMessage {
  /** The commit message (subject, blank line, body). */
  readonly message: string;
  /** The pull request's title and body (Markdown). */
  readonly title: string;
  readonly body: string;
}

/**
 * The commit message and pull request text of a write-back: what changed, counted and listed, and who
 * asked. Deterministic: no times, no run ids (DESIGN §3).
 */
export function writeBackMessage(what: "publish" | "adopt", directory: string, changes: readonly WriteBackChange[], actors: readonly string[]): WriteBackMessage {
  const count = (action: WriteBackChange["action"]) => changes.filter((c) => c.action === action).length;
  const subject =
    what === "publish"
      ? `hedgehog-gitops: publish ${plural(changes.length, "draft")} to ${directory}`
      : `hedgehog-gitops: adopt ${plural(changes.length, "object")} from the cluster into ${directory}`;
  const summary =
    what === "publish"
      ? `${count("new")} new, ${count("changed")} changed, ${count("deleted")} deleted`
      : `${plural(changes.length, "cluster-only object")} written to managed/ as the cluster holds them`;
  const asked = `requested by ${actors.length > 0 ? actors.join(", ") : "unknown"}`;
  const message = [subject, "", `${summary}; ${asked}`, "", ...changeLines(changes, ""), ""].join("\n");
  const body = [`${summary}; ${asked}.`, "", ...changeLines(changes, "- "), "", "Opened by hedgehog-gitops. Merge it to apply these changes with the next sync.", ""].join("\n");
  return { message, title: subject, body };
}

/**
 * The drafts whose change Git now holds, by the desired set of a snapshot: a put whose resource is
 * there, valid, with the blob the draft writes; a delete whose resource is gone. Ingest resolves them.
 */
export function landedDrafts(
  desired: readonly Pick<DesiredResource, "id" | "blobSha" | "errors">[],
  drafts: readonly { readonly id: string; readonly operation: "put" | "delete"; readonly targetBlobSha: string | null }[],
): Set<string> {
  const byId = new Map(desired.map((r) => [r.id, r]));
  const landed = new Set<string>();
  for (const draft of drafts) {
    const resource = byId.get(draft.id);
    const holds = draft.operation === "delete" ? resource === undefined : resource !== undefined && resource.errors.length === 0 && resource.blobSha === draft.targetBlobSha;
    if (holds) landed.add(draft.id);
  }
  return landed;
}
