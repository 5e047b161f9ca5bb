// Validation the way the cluster does it: DEFAULT rules first (the mutating webhook), then the CRD
// schema (the API server), then the INTRINSIC rules (the validating webhook) — which run only on
// schema-valid documents, as in the cluster. SET rules run over a whole desired set.
//
// Everything is judged by one catalog: the CRDs the fabric's cluster serves, a pinned bundled
// release, or the default bundled one. With the cluster's objects at hand, the SET rules see them too.
import { bundledCatalog, type Catalog } from "./catalog.js";
import { classifyDocument, type Classification } from "./classify.js";
import { withDefaults } from "./defaults.js";
import { ENGINE_RULES, sortFindings, type Finding, type Severity } from "./finding.js";
import { normalizeResource, serializeResource } from "./normalize.js";
import { text, toPointer, type JsonRecord, type Path } from "./object.js";
import type { ParsedDocument } from "./parse.js";
import { DesiredSet, REFERENCED_KINDS, type SetEntry } from "./rules/desired-set.js";
import { runIntrinsicRules, runSetRules } from "./rules/runner.js";
import { schemaViolations, type SchemaViolation } from "./schema.js";
import type { HedgehogSettings } from "./settings.js";

/** What the fabric's cluster holds, for the SET rules. */
export interface ClusterObjects {
  /**
   * Live objects of the referenced kinds (others are ignored). The caller leaves out what Git is
   * retiring (objects this fabric applied that Git no longer holds).
   */
  readonly objects: readonly unknown[];
}

export interface ValidationOptions {
  /** The schemas and capabilities to judge by (default: the bundled v0.126.0 catalog). */
  readonly catalog?: Catalog;
  /** The cluster's objects: with them, SET rules see what only the cluster holds, and a reference that resolves nowhere is an error. */
  readonly cluster?: ClusterObjects;
}

export interface ValidationContext extends ValidationOptions {
  /** Repository-relative path of the file the document came from. */
  readonly file: string;
  /** Fabric settings; CONFIG rules whose values are absent are skipped. */
  readonly settings?: HedgehogSettings;
}

/** A document and the file it came from. */
export interface SourceDocument extends ParsedDocument {
  readonly file: string;
}

/** A member of a desired set: `batch` (incoming, from raw/) or `managed` (already in managed/). */
export interface SetMember extends SourceDocument {
  readonly origin: "batch" | "managed";
}

interface Prepared {
  readonly member: SetMember;
  readonly classification: Classification;
  /** As the cluster would store it (withDefaults), for Hedgehog documents. */
  readonly defaulted?: JsonRecord;
  readonly schema: readonly SchemaViolation[];
}

function prepare(member: SetMember, catalog: Catalog): Prepared {
  const classification = classifyDocument(member.value, catalog);
  if (classification.class !== "hedgehog") return { member, classification, schema: [] };
  const { kindInfo, version } = classification;
  const defaulted = withDefaults(member.value, catalog) as JsonRecord;
  return { member, classification, defaulted, schema: schemaViolations(kindInfo, version, defaulted, catalog) };
}

function finding(p: Prepared, path: Path, rule: string, severity: Severity, message: string): Finding {
  const { member } = p;
  return {
    file: member.file,
    index: member.index,
    line: member.lineOf?.(path) ?? member.line,
    kind: text(member.value, ["kind"]),
    name: text(member.value, ["metadata", "name"]),
    path: toPointer(path),
    rule,
    severity,
    message,
  };
}

function documentFindings(p: Prepared, settings: HedgehogSettings, catalog: Catalog): Finding[] {
  const { classification } = p;
  if (classification.class === "foreign") return [];
  if (classification.class === "invalid") {
    return classification.problem === "kind"
      ? [finding(p, ["apiVersion"], ENGINE_RULES.kind, "error", classification.reason)]
      : [finding(p, [], ENGINE_RULES.document, "error", classification.reason)];
  }
  if (p.schema.length > 0) return p.schema.map((v) => finding(p, v.path, ENGINE_RULES.schema, "error", v.message));
  if (!classification.kindInfo.managed || !p.defaulted) return [];
  return runIntrinsicRules(p.defaulted, classification.kindInfo.kind, settings, catalog.capabilities).map((r) => finding(p, r.path, r.rule, r.severity, r.message));
}

/** Lenient identity for grouping; the strict resourceId() refuses invalid names, which still need reporting. */
function identityOf(p: Prepared): string | undefined {
  if (p.classification.class !== "hedgehog" || !p.classification.kindInfo.managed || !p.defaulted) return undefined;
  const { group, kind } = p.classification.kindInfo;
  return `${group}/${kind}/${text(p.defaulted, ["metadata", "namespace"]) || "default"}/${text(p.defaulted, ["metadata", "name"])}`;
}

const where = (member: SetMember): string => `${member.file} (document ${member.index}, line ${member.line})`;

/**
 * `rejected` holds the documents whose own findings have errors: the cluster would refuse them, so they
 * never take part in the set (a broken document must not make a good one overlap or lose a reference),
 * though they still count as duplicates.
 */
/** The cluster's objects of the referenced kinds, defaulted, that Git does not hold. */
function clusterEntries(cluster: ClusterObjects, catalog: Catalog, held: ReadonlySet<string>): SetEntry[] {
  const entries = new Map<string, SetEntry>();
  for (const object of cluster.objects) {
    const c = classifyDocument(object, catalog);
    if (c.class !== "hedgehog" || !c.kindInfo.managed || !REFERENCED_KINDS.includes(c.kindInfo.kind)) continue;
    const defaulted = withDefaults(object, catalog) as JsonRecord;
    const namespace = text(defaulted, ["metadata", "namespace"]) || "default";
    const name = text(defaulted, ["metadata", "name"]);
    const id = `${c.kindInfo.group}/${c.kindInfo.kind}/${namespace}/${name}`;
    if (!held.has(id)) entries.set(id, { id, kind: c.kindInfo.kind, namespace, name, object: defaulted, origin: "cluster" });
  }
  return [...entries.values()];
}

function setFindings(
  prepared: readonly Prepared[],
  settings: HedgehogSettings,
  options: { readonly catalog: Catalog; readonly cluster?: ClusterObjects; readonly rejected?: ReadonlySet<Prepared> },
): Finding[] {
  const rejected = options.rejected ?? new Set<Prepared>();
  const findings: Finding[] = [];
  const groups = new Map<string, Prepared[]>();
  const ordered = [...prepared].sort((a, b) => (a.member.file < b.member.file ? -1 : a.member.file > b.member.file ? 1 : a.member.index - b.member.index));
  for (const p of ordered) {
    const id = identityOf(p);
    if (id !== undefined) groups.set(id, [...(groups.get(id) ?? []), p]);
  }
  const effective = new Map<string, Prepared>();
  for (const [id, members] of groups) {
    const batch = members.filter((p) => p.member.origin === "batch");
    // A batch document replaces the managed one of the same identity: that is an update.
    const competing = batch.length > 0 ? batch : members;
    if (competing.length > 1) {
      // Identical content is one resource (issue #12: a fabric repository's history defined its VPC twice,
      // identically): taken once, with a warning naming every file. Different content stays an error for all.
      const identical = new Set(competing.map((p) => serializeResource(normalizeResource(p.member.value)))).size === 1;
      for (const p of competing) {
        const others = competing.filter((o) => o !== p).map((o) => where(o.member));
        const kind = p.classification.class === "hedgehog" ? p.classification.kindInfo.kind : "";
        const name = `${kind} ${text(p.defaulted, ["metadata", "name"])}`;
        findings.push(
          identical
            ? finding(p, ["metadata", "name"], ENGINE_RULES.duplicate, "warning", `${name} is also defined, identically, in ${others.join(", ")}; it is taken once`)
            : finding(p, ["metadata", "name"], ENGINE_RULES.duplicate, "error", `${name} is also defined in ${others.join(", ")}`),
        );
      }
    }
    // What the set holds after ingestion: the first admissible newcomer, else what managed/ already has.
    const admissible = (list: readonly Prepared[]) => list.filter((p) => !rejected.has(p));
    const chosen = admissible(batch)[0] ?? admissible(members.filter((p) => p.member.origin === "managed"))[0];
    if (chosen) effective.set(id, chosen);
  }
  const entries: SetEntry[] = [...effective].map(([id, p]) => ({
    id,
    kind: text(p.defaulted, ["kind"]),
    namespace: text(p.defaulted, ["metadata", "namespace"]) || "default",
    name: text(p.defaulted, ["metadata", "name"]),
    object: p.defaulted as JsonRecord,
    origin: "git" as const,
  }));
  // Git holds a resource even when its document is rejected: the cluster's copy must not stand in for it.
  const held = new Set(groups.keys());
  const fromCluster = options.cluster ? clusterEntries(options.cluster, options.catalog, held) : [];
  const set = new DesiredSet([...entries, ...fromCluster], settings, { capabilities: options.catalog.capabilities, withCluster: options.cluster !== undefined });
  for (const [, p] of effective) {
    if (p.schema.length > 0 || !p.defaulted) continue;
    for (const result of runSetRules(p.defaulted, text(p.defaulted, ["kind"]), set)) {
      // In a conflict between a managed resource and an incoming one, the newcomer is the one to blame, as at admission.
      const other = result.conflictsWith === undefined ? undefined : effective.get(result.conflictsWith);
      if (p.member.origin === "managed" && other?.member.origin === "batch") continue;
      findings.push(finding(p, result.path, result.rule, result.severity, result.message));
    }
  }
  return findings;
}

const asMember = (doc: ParsedDocument, file: string, origin: SetMember["origin"]): SetMember => ({ ...doc, file, origin });

/** Findings of one document on its own: classification, CRD schema, INTRINSIC rules. Sorted. */
export function validateDocument(doc: ParsedDocument, ctx: ValidationContext): Finding[] {
  const catalog = ctx.catalog ?? bundledCatalog;
  return sortFindings(documentFindings(prepare(asMember(doc, ctx.file, "batch"), catalog), ctx.settings ?? {}, catalog));
}

/** SET findings over a desired set: duplicates, references, overlaps. Sorted. */
export function validateSet(members: readonly SetMember[], ctx: ValidationOptions & { readonly settings?: HedgehogSettings } = {}): Finding[] {
  const catalog = ctx.catalog ?? bundledCatalog;
  return sortFindings(setFindings(members.map((m) => prepare(m, catalog)), ctx.settings ?? {}, { catalog, ...(ctx.cluster ? { cluster: ctx.cluster } : {}) }));
}

/**
 * Everything ingestion needs for one run: each document of the batch and of managed/ on its own,
 * then the SET rules over managed/ with the batch applied on top. Sorted.
 */
export function validateBatch(
  batch: readonly SourceDocument[],
  managed: readonly SourceDocument[],
  settings: HedgehogSettings = {},
  options: ValidationOptions = {},
): Finding[] {
  const catalog = options.catalog ?? bundledCatalog;
  const prepared = [...batch.map((d) => prepare({ ...d, origin: "batch" }, catalog)), ...managed.map((d) => prepare({ ...d, origin: "managed" }, catalog))];
  const own = new Map(prepared.map((p) => [p, documentFindings(p, settings, catalog)]));
  const rejected = new Set(prepared.filter((p) => own.get(p)!.some((f) => f.severity === "error")));
  return sortFindings([
    ...[...own.values()].flat(),
    ...setFindings(prepared, settings, { catalog, rejected, ...(options.cluster ? { cluster: options.cluster } : {}) }),
  ]);
}
