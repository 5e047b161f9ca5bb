// The ingestion planner (DESIGN §3): a pure function from a snapshot of the fabric directory to one
// commit's worth of changes and the desired set that results. Same snapshot → same plan, byte for byte.
import { gitBlobSha } from "../git/blob-sha.js";
import {
  classifyDocument,
  defaultParseLimits,
  managedKinds,
  managedPath,
  normalizeResource,
  parseDocuments,
  resourceId,
  serializeResource,
  validateBatch,
  writeYaml,
  type Catalog,
  type ClusterObjects,
  type Finding,
  type HedgehogSettings,
  type ParsedDocument,
  type ParseLimits,
  type ResourceIdentity,
  type SourceDocument,
} from "../hedgehog/index.js";
import { RAW_ERRORS, RAW_PROCESSED, UNMANAGED_EXTERNAL } from "./layout.js";
import { ERRORS_SUFFIX, outputPath } from "./output-names.js";
import { roleOf, type SnapshotEntry } from "./snapshot.js";
import type { FileChange } from "./types.js";

export interface IngestInput {
  /** The fabric directory, repository-relative. */
  readonly directory: string;
  /** Every file under the directory; paths relative to it. */
  readonly entries: readonly SnapshotEntry[];
  /** Contents of the raw inputs and managed files, by blob sha. */
  readonly blobs: ReadonlyMap<string, Uint8Array>;
  readonly keepOriginals: boolean;
  readonly settings?: HedgehogSettings;
  readonly limits?: Partial<ParseLimits>;
  /** The schemas to judge by (the cluster's, a pinned release, or the bundled default). */
  readonly catalog?: Catalog;
  /** The cluster's objects, for the SET rules, when the fabric has a cluster. */
  readonly cluster?: ClusterObjects;
  /**
   * What the store last recorded each managed file (repository-relative path) to define. It is how the
   * resources of a managed file that can no longer be read are known, so that they are kept, not pruned.
   */
  readonly recorded?: ReadonlyMap<string, readonly ResourceIdentity[]>;
}

/** Where each document of a raw file went. */
export type DocumentOutcome = "managed" | "unmanaged" | "error";

export interface SourceReport {
  /** Repository-relative path of the raw file. */
  readonly path: string;
  readonly outcomes: Readonly<Record<DocumentOutcome, number>>;
  /** Set when the file as a whole could not be read (parse error, limits, empty, not a regular file). */
  readonly fileError: string | null;
}

export interface DesiredResource extends ResourceIdentity {
  /** Repository-relative path of the managed file that defines it, after the commit. */
  readonly path: string;
  readonly blobSha: string;
  /** The raw file it arrived through in this plan; null when it was already in managed/. */
  readonly importedFrom: string | null;
  /** This plan writes (creates or changes) its managed file. */
  readonly written: boolean;
  /** Validation errors of a managed file edited by hand: the resource is not applied. */
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
  /** The normalized object as Git holds it (valid resources only). */
  readonly object: Readonly<Record<string, unknown>> | null;
}

/** A managed file that yields no resource identity (unparsable, not a Hedgehog resource, bad name). */
export interface ManagedFileProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * A managed file whose resources must be kept although it defines none validly now (DESIGN §14: a typo
 * never deletes a live object). `ids` are the resources it is known to define (from the store's
 * records, or from its canonical path); they appear in `resources` with the error. Empty `ids`: what
 * the file defines is unknown, and nothing may be pruned while it stays so.
 */
export interface UnreadableManagedFile {
  readonly path: string;
  readonly message: string;
  readonly ids: readonly string[];
}

/**
 * One rejected document of a raw file: the facts of one line of its `.errors.txt` (the text there is
 * made from the same finding), located as a compiler would locate it.
 */
export interface RejectedDocument {
  /** Document index in the file, from 0. */
  readonly index: number;
  /** Line of the offending field when known, else of the document. */
  readonly line: number;
  readonly kind: string | null;
  readonly name: string | null;
  /** JSON pointer into the document ("" for the whole document). */
  readonly path: string;
  /** RULES.md id, or an engine rule (DOCUMENT, KIND, SCHEMA, DUPLICATE, LIMIT). */
  readonly rule: string;
  readonly severity: "error";
  readonly message: string;
}

/** A raw file with rejected documents, or rejected whole (`fileError`: unreadable, empty, not a regular file, unsafe name). */
export interface RejectedFile {
  /** Repository-relative path of the raw file. */
  readonly file: string;
  readonly fileError: string | null;
  /** In document order. Empty when the file was rejected whole. */
  readonly documents: readonly RejectedDocument[];
}

/** Rule ids of rejections that no validation finding names. */
const REJECTION_RULES = { identity: "DOCUMENT", size: "LIMIT" } as const;

/** A tree entry whose name cannot be used (a backslash, ...): reported, never read or written. */
export interface UnsafeEntry {
  readonly path: string;
  readonly reason: string;
}

export interface IngestPlan {
  /** Repository-relative, sorted by path. Empty: nothing to commit. */
  readonly changes: readonly FileChange[];
  readonly message: string;
  readonly sources: readonly SourceReport[];
  /** Every raw file with a rejected document or rejected whole, sorted by path: what raw/errors/ now explains. */
  readonly rejections: readonly RejectedFile[];
  readonly resources: readonly DesiredResource[];
  readonly managedProblems: readonly ManagedFileProblem[];
  readonly unreadable: readonly UnreadableManagedFile[];
  readonly unsafeEntries: readonly UnsafeEntry[];
  /** Every finding of validation (documents of raw/ and managed/, and the SET rules), sorted. */
  readonly findings: readonly Finding[];
  readonly counts: Readonly<{
    files: number;
    managedWritten: number;
    created: number;
    updated: number;
    unchanged: number;
    unmanaged: number;
    errors: number;
    managedErrors: number;
  }>;
}

interface ParsedFile {
  readonly entry: SnapshotEntry;
  /** Repository-relative path. */
  readonly path: string;
  readonly content: Uint8Array;
  readonly documents: readonly ParsedDocument[];
}

const encoder = new TextEncoder();

function describeFinding(f: Finding): string {
  const subject = [f.kind, f.name].filter(Boolean).join(" ");
  return `document ${f.index} (line ${f.line})${subject ? ` ${subject}` : ""}: ${f.path || "/"} [${f.rule}] ${f.message}`;
}

/** A rejection as its `.errors.txt` line and as data: both made here, from the same facts. */
interface Rejection {
  readonly text: string;
  readonly document: RejectedDocument;
}

function rejectedByFinding(f: Finding): Rejection {
  return {
    text: describeFinding(f),
    document: { index: f.index, line: f.line, kind: f.kind || null, name: f.name || null, path: f.path, rule: f.rule, severity: "error", message: f.message },
  };
}

/** A rejection no validation rule made (no identity, too large once normalized): its line names no field. */
function rejectedOtherwise(doc: ParsedDocument, rule: string, message: string): Rejection {
  const value = doc.value as { kind?: unknown; metadata?: { name?: unknown } } | null;
  const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);
  return {
    text: `document ${doc.index} (line ${doc.line}): ${message}`,
    document: { index: doc.index, line: doc.line, kind: text(value?.kind), name: text(value?.metadata?.name), path: "", rule, severity: "error", message },
  };
}

function findingMessage(f: Finding): string {
  return `${f.path || "/"} [${f.rule}] ${f.message}`;
}

/** The document's own text when the parser kept it; otherwise the value as YAML (comments are lost then). */
function documentText(doc: ParsedDocument): string {
  const source = (doc as { source?: string }).source;
  return source ?? writeYaml(doc.value);
}

function joinDocuments(docs: readonly ParsedDocument[]): string {
  return docs.map((d) => documentText(d).replace(/\n*$/, "\n")).join("---\n");
}

function errorsReport(sourcePath: string, lines: readonly string[]): string {
  return `# Why ${sourcePath} was not ingested (hedgehog-gitops). Fix the file and drop it into raw/ again.\n${lines.map((l) => `${l}\n`).join("")}`;
}

type ParseOutcome = { readonly file: ParsedFile; readonly error: null } | { readonly file: null; readonly content: Uint8Array; readonly error: string };

function parseFile(entry: SnapshotEntry, path: string, blobs: ReadonlyMap<string, Uint8Array>, limits: Partial<ParseLimits> | undefined): ParseOutcome {
  const content = blobs.get(entry.sha);
  if (!content) throw new Error(`planIngestion: blob ${entry.sha} of ${path} was not provided`);
  try {
    return { file: { entry, path, content, documents: parseDocuments(content, limits) }, error: null };
  } catch (error) {
    return { file: null, content, error: error instanceof Error ? error.message : String(error) };
  }
}

interface Identity extends ResourceIdentity {
  readonly relativePath: string;
}

/** Why a managed file defines no valid resource; the table below says whether its resources are kept. */
type ManagedProblemKind = "unreadable" | "empty" | "irregular" | "unsafe-name" | "invalid" | "foreign";

/**
 * Whether a managed file with this problem holds its resources back from prune (DESIGN §14). Only a
 * file that reads fine and plainly defines no Hedgehog resource (a ConfigMap put in managed/) holds
 * nothing back; anything else is most likely a damaged resource file (a tab in the indentation, a cut
 * file, a mistyped name or apiVersion), and deleting a live object over a typo is the harm to avoid.
 */
const HOLDS_BACK: Readonly<Record<ManagedProblemKind, boolean>> = {
  unreadable: true,
  empty: true,
  irregular: true,
  "unsafe-name": true,
  invalid: true,
  foreign: false,
};

/** Identity and canonical managed path of a managed-kind document, or a reason there is none. */
function identify(value: unknown, catalog?: Catalog): Identity | { problem: string; kind: ManagedProblemKind } {
  const c = classifyDocument(value, catalog);
  if (c.class === "foreign") return { problem: "not a Hedgehog resource", kind: "foreign" };
  if (c.class !== "hedgehog") return { problem: c.reason, kind: "invalid" };
  if (!c.kindInfo.managed) return { problem: `${c.kindInfo.group}/${c.kindInfo.kind} is not a managed kind`, kind: "invalid" };
  try {
    const v = value as { apiVersion: string; metadata: { name: string; namespace?: string } };
    const namespace = v.metadata.namespace || "default";
    return {
      id: resourceId(value),
      group: c.kindInfo.group,
      apiVersion: v.apiVersion,
      kind: c.kindInfo.kind,
      namespace,
      name: v.metadata.name,
      relativePath: managedPath(c.kindInfo, namespace, v.metadata.name),
    };
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error), kind: "invalid" };
  }
}

const kindByPlural = new Map(managedKinds.map((k) => [k.plural, k]));
const CANONICAL_MANAGED_PATH = /^managed\/([a-z0-9]+)\/(?:([^/]+)\/)?([^/]+)\.(?:ya?ml|json)$/;

/** The resource a managed file's place names: managed/<plural>/[<namespace>/]<name>.yaml, if it is one. */
function identityFromPath(relative: string): ResourceIdentity | null {
  const match = CANONICAL_MANAGED_PATH.exec(relative);
  const kind = match ? kindByPlural.get(match[1]!) : undefined;
  if (!match || !kind) return null;
  const namespace = match[2] ?? "default";
  const name = match[3]!;
  try {
    if (managedPath(kind, namespace, name) !== relative.replace(/\.(?:yml|json)$/, ".yaml")) return null;
  } catch {
    return null; // not a valid name or namespace
  }
  const apiVersion = `${kind.group}/${kind.storageVersion}`;
  return { id: resourceId({ apiVersion, kind: kind.kind, metadata: { name, namespace } }), group: kind.group, apiVersion, kind: kind.kind, namespace, name };
}

const key = (file: string, index: number) => `${file}#${index}`;

function identityFields({ id, group, apiVersion, kind, namespace, name }: ResourceIdentity): ResourceIdentity {
  return { id, group, apiVersion, kind, namespace, name };
}

const byPath = <T extends { path: string }>(a: T, b: T) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

export function planIngestion(input: IngestInput): IngestPlan {
  const dir = input.directory;
  const limits = { ...defaultParseLimits, ...input.limits };
  const repoPath = (relative: string) => `${dir}/${relative}`;
  const changes = new Map<string, string | Uint8Array | null>();
  const write = (relative: string, content: string | Uint8Array | null) => changes.set(repoPath(relative), content);
  const entries = [...input.entries].sort(byPath);
  const existingByPath = new Map(entries.map((e) => [e.path, e]));
  const sources: SourceReport[] = [];
  const rejections: RejectedFile[] = [];
  const managedProblems: ManagedFileProblem[] = [];
  const unsafeEntries: UnsafeEntry[] = [];
  /** Managed files whose resources are held back: repository path → why, and the blob it has now. */
  const heldBack = new Map<string, { message: string; sha: string }>();
  const problem = (path: string, sha: string, message: string, kind: ManagedProblemKind) => {
    managedProblems.push({ path, message });
    if (HOLDS_BACK[kind] && !heldBack.has(path)) heldBack.set(path, { message, sha });
  };

  // Relative to raw/: raw/a.yaml → a.yaml, raw/pending/a.yaml → pending/a.yaml. Keeps names unique.
  const inboxName = (relative: string) => relative.slice("raw/".length);
  // What ingestion writes for a raw file goes under a safe name of at most 200 bytes (output-names.ts).
  const errorsCopy = (relative: string) => `${RAW_ERRORS}/${outputPath(inboxName(relative))}`;
  const errorsText = (relative: string) => `${errorsCopy(relative)}${ERRORS_SUFFIX}`;

  // -- read --------------------------------------------------------------------------------------
  const rawFiles: ParsedFile[] = [];
  const managedFiles: ParsedFile[] = [];
  for (const entry of entries) {
    const role = roleOf(entry);
    const path = repoPath(entry.path);
    if (role === "raw-irregular") {
      // Never followed, never read: only reported. Left in place, so the report is the same every run.
      const what = entry.mode === "120000" ? "a symbolic link" : entry.mode === "160000" ? "a submodule" : `not a regular file (mode ${entry.mode})`;
      const why = `the file is ${what}; it is not read. Replace it with a regular file.`;
      write(errorsText(entry.path), errorsReport(path, [why]));
      sources.push({ path, outcomes: { managed: 0, unmanaged: 0, error: 0 }, fileError: `${what}` });
      rejections.push({ file: path, fileError: why, documents: [] });
    } else if (role === "raw-unsafe" || role === "managed-unsafe" || role === "unsafe") {
      // Git (or a checkout, or isomorphic-git) cannot use this name: never read, never moved, only reported.
      unsafeEntries.push({ path, reason: `the name ${entry.unsafe}` });
      if (role === "raw-unsafe") {
        const why = `the file name ${entry.unsafe}; the file is not read. Rename it.`;
        write(errorsText(entry.path), errorsReport(path, [why]));
        sources.push({ path, outcomes: { managed: 0, unmanaged: 0, error: 0 }, fileError: `the file name ${entry.unsafe}` });
        rejections.push({ file: path, fileError: why, documents: [] });
      } else if (role === "managed-unsafe") {
        problem(path, entry.sha, `the file name ${entry.unsafe}; the file is not read. Rename it.`, "unsafe-name");
      }
    } else if (role === "managed-irregular") {
      problem(path, entry.sha, "a symbolic link or submodule in managed/ is never read", "irregular");
    } else if (role === "raw-input") {
      const parsed = parseFile(entry, path, input.blobs, input.limits);
      const content = parsed.file ? parsed.file.content : parsed.content;
      const fileError = parsed.file === null ? parsed.error : parsed.file.documents.length === 0 ? "the file holds no document (empty, or comments only)" : null;
      if (fileError !== null || parsed.file === null) {
        // Rejected whole: the content lands in raw/errors/ (so not also in raw/processed/).
        write(errorsCopy(entry.path), content);
        write(errorsText(entry.path), errorsReport(path, [fileError ?? "unreadable"]));
        // The source leaves the inbox in this same commit; its content has landed in raw/errors/.
        write(entry.path, null);
        sources.push({ path, outcomes: { managed: 0, unmanaged: 0, error: 0 }, fileError });
        rejections.push({ file: path, fileError: fileError ?? "unreadable", documents: [] });
      } else {
        rawFiles.push(parsed.file);
      }
    } else if (role === "managed") {
      const parsed = parseFile(entry, path, input.blobs, input.limits);
      if (parsed.file === null) problem(path, entry.sha, parsed.error, "unreadable");
      else if (parsed.file.documents.length === 0) problem(path, entry.sha, "the file holds no document", "empty");
      else managedFiles.push(parsed.file);
    }
  }

  // -- validate: each document, then the desired set (managed/ with the batch on top) ------------------
  const batch: SourceDocument[] = rawFiles.flatMap((f) => f.documents.map((d) => ({ ...d, file: f.path })));
  const managedDocs: SourceDocument[] = managedFiles.flatMap((f) => f.documents.map((d) => ({ ...d, file: f.path })));
  const findings = validateBatch(batch, managedDocs, input.settings ?? {}, {
    ...(input.catalog ? { catalog: input.catalog } : {}),
    ...(input.cluster ? { cluster: input.cluster } : {}),
  });
  const findingsOf = new Map<string, Finding[]>();
  for (const f of findings) findingsOf.set(key(f.file, f.index), [...(findingsOf.get(key(f.file, f.index)) ?? []), f]);
  const errorsOf = (file: string, index: number) => (findingsOf.get(key(file, index)) ?? []).filter((f) => f.severity === "error");
  const warningsOf = (file: string, index: number) => (findingsOf.get(key(file, index)) ?? []).filter((f) => f.severity === "warning");

  // -- the desired set as managed/ holds it now ------------------------------------------------------
  const desired = new Map<string, DesiredResource>();
  const managedPathsById = new Map<string, string[]>();
  for (const file of managedFiles) {
    for (const doc of file.documents) {
      const identity = identify(doc.value, input.catalog);
      if ("problem" in identity) {
        const details = errorsOf(file.path, doc.index).map(findingMessage);
        problem(file.path, file.entry.sha, `document ${doc.index}: ${details.length > 0 ? details.join("; ") : identity.problem}`, identity.kind);
        continue;
      }
      managedPathsById.set(identity.id, [...(managedPathsById.get(identity.id) ?? []), file.path]);
      const errors = errorsOf(file.path, doc.index).map(findingMessage);
      desired.set(identity.id, {
        ...identityFields(identity),
        path: file.path,
        blobSha: file.entry.sha,
        importedFrom: null,
        written: false,
        errors,
        warnings: warningsOf(file.path, doc.index).map(findingMessage),
        object: errors.length === 0 ? normalizeResource(doc.value) : null,
      });
    }
  }

  // -- route every document of the inbox -------------------------------------------------------------
  let created = 0;
  let updated = 0;
  let unchanged = 0;
  let unmanagedCount = 0;
  let errorCount = 0;
  /** Resources already routed to managed/ in this batch, with their content: an identical repeat is the same resource. */
  const routed = new Map<string, string>();
  for (const file of rawFiles) {
    const relative = file.entry.path;
    const name = inboxName(relative);
    const toManaged: { doc: ParsedDocument; identity: Identity; content: string; sha: string }[] = [];
    const toUnmanaged: ParsedDocument[] = [];
    const toErrors: { doc: ParsedDocument; reasons: Rejection[] }[] = [];
    for (const doc of file.documents) {
      const errors = errorsOf(file.path, doc.index);
      const c = classifyDocument(doc.value, input.catalog);
      if (errors.length > 0) {
        toErrors.push({ doc, reasons: errors.map(rejectedByFinding) });
      } else if (c.class === "foreign" || (c.class === "hedgehog" && !c.kindInfo.managed)) {
        toUnmanaged.push(doc);
      } else {
        const identity = identify(doc.value, input.catalog);
        if ("problem" in identity) {
          toErrors.push({ doc, reasons: [rejectedOtherwise(doc, REJECTION_RULES.identity, identity.problem)] });
          continue;
        }
        const content = serializeResource(normalizeResource(doc.value));
        const size = encoder.encode(content).byteLength;
        // The managed file must be readable on the next run, under the same size limit as any input.
        if (size > limits.maxBytes) {
          toErrors.push({ doc, reasons: [rejectedOtherwise(doc, REJECTION_RULES.size, `normalized it is ${size} bytes, more than the ${limits.maxBytes}-byte limit of a file`)] });
          continue;
        }
        toManaged.push({ doc, identity, content, sha: gitBlobSha(encoder.encode(content)) });
      }
    }
    const whole = (docs: readonly unknown[]) => docs.length === file.documents.length;

    for (const { doc, identity, content, sha } of toManaged) {
      // Defined identically twice in this batch: one resource, written and attributed once (the
      // validation warning on it names both files).
      if (routed.get(identity.id) === sha) continue;
      routed.set(identity.id, sha);
      const target = repoPath(identity.relativePath);
      const before = existingByPath.get(identity.relativePath);
      // Replace, never duplicate: the same resource kept elsewhere in managed/ is removed.
      for (const other of managedPathsById.get(identity.id) ?? []) if (other !== target) changes.set(other, null);
      const previous = desired.get(identity.id);
      if (before?.sha === sha && (managedPathsById.get(identity.id) ?? []).every((p) => p === target)) unchanged++;
      else {
        changes.set(target, content);
        if (previous || before) updated++;
        else created++;
      }
      desired.set(identity.id, {
        ...identityFields(identity),
        path: target,
        blobSha: sha,
        importedFrom: file.path,
        written: before?.sha !== sha,
        errors: [],
        warnings: warningsOf(file.path, doc.index).map(findingMessage),
        object: normalizeResource(doc.value),
      });
      // A resource that now reads well no longer needs a damaged file's hold on it.
      heldBack.delete(target);
    }
    if (toUnmanaged.length > 0) {
      write(`${UNMANAGED_EXTERNAL}/${outputPath(name)}`, whole(toUnmanaged) ? file.content : joinDocuments(toUnmanaged));
      unmanagedCount += toUnmanaged.length;
    }
    if (toErrors.length > 0) {
      write(errorsCopy(relative), whole(toErrors) ? file.content : joinDocuments(toErrors.map((e) => e.doc)));
      const reasons = toErrors.flatMap((e) => e.reasons);
      write(errorsText(relative), errorsReport(file.path, reasons.map((r) => r.text)));
      rejections.push({ file: file.path, fileError: null, documents: reasons.map((r) => r.document) });
      errorCount += toErrors.length;
    } else {
      // Ingested cleanly this time: what an earlier rejection of the same file left in raw/errors/ goes.
      write(errorsCopy(relative), null);
      write(errorsText(relative), null);
    }
    // The source leaves the inbox in this same commit; its content has landed above.
    write(relative, null);
    // A file rejected whole already sits verbatim in raw/errors/.
    if (input.keepOriginals && !whole(toErrors)) write(`${RAW_PROCESSED}/${outputPath(name)}`, file.content);
    sources.push({ path: file.path, outcomes: { managed: toManaged.length, unmanaged: toUnmanaged.length, error: toErrors.length }, fileError: null });
  }

  // -- managed files that define nothing valid now: their resources are kept, with the error -----------
  const unreadable: UnreadableManagedFile[] = [];
  const held = new Set<string>();
  for (const [path, { message, sha }] of heldBack) {
    const relative = path.slice(dir.length + 1);
    // What the records say the file defined; failing that, what its place in managed/ names.
    const recorded = input.recorded?.get(path) ?? [];
    const fromPath = identityFromPath(relative);
    const candidates = recorded.length > 0 ? recorded : fromPath ? [fromPath] : [];
    const ids: string[] = [];
    for (const identity of candidates) {
      if (desired.has(identity.id) && !held.has(identity.id)) continue; // defined validly elsewhere
      if (!ids.includes(identity.id)) ids.push(identity.id);
      if (held.has(identity.id)) continue;
      held.add(identity.id);
      desired.set(identity.id, {
        ...identityFields(identity),
        path,
        blobSha: sha,
        importedFrom: null,
        written: false,
        errors: [`${path}: ${message}`],
        warnings: [],
        object: null,
      });
    }
    unreadable.push({ path, message, ids });
  }

  // -- drop no-op changes: identical content, or deleting what is not there ---------------------------
  const effective: FileChange[] = [];
  for (const [path, content] of [...changes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const relative = path.slice(dir.length + 1);
    const existing = existingByPath.get(relative);
    if (content === null) {
      if (existing) effective.push({ path, content: null });
      continue;
    }
    const bytes = typeof content === "string" ? encoder.encode(content) : content;
    if (existing && existing.sha === gitBlobSha(bytes)) continue;
    effective.push({ path, content });
  }

  const resources = [...desired.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const files = sources.length;
  const managedWritten = created + updated;
  const fileErrors = sources.filter((s) => s.fileError !== null).length;
  const managedErrors = resources.filter((r) => r.errors.length > 0 && !held.has(r.id)).length + managedProblems.length;
  const counts = { files, managedWritten, created, updated, unchanged, unmanaged: unmanagedCount, errors: errorCount + fileErrors, managedErrors };
  return {
    changes: effective,
    message: commitMessage(dir, counts),
    sources,
    rejections: rejections.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)),
    resources,
    managedProblems: managedProblems.sort(byPath),
    unreadable: unreadable.sort(byPath),
    unsafeEntries: unsafeEntries.sort(byPath),
    findings,
    counts,
  };
}

function commitMessage(directory: string, c: IngestPlan["counts"]): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return [
    `hedgehog-gitops: ingest ${plural(c.files, "file")} from ${directory}/raw`,
    "",
    `managed:   ${c.managedWritten} written (${c.created} new, ${c.updated} updated), ${c.unchanged} unchanged`,
    `unmanaged: ${plural(c.unmanaged, "document")} to unmanaged/external-configs/`,
    `errors:    ${plural(c.errors, "document")} to raw/errors/`,
    "",
  ].join("\n");
}
