// The write-back use cases of the API (DESIGN §15): drafts made, changed, listed and withdrawn;
// documents validated without storing anything; publish and adopt started as runs.
//
// A draft is judged as ingest would judge it when it reached Git: the ingestion planner runs over
// managed/ at the head with the other drafts and this one as files of the inbox, by the catalog the
// fabric is judged by (its cluster's served CRDs and objects when it has a cluster). A draft is refused
// when the desired set with it has errors that the set without it does not: its own, and those it
// causes elsewhere (a VPC deleted while an attachment names it).
import { DOCUMENT_MEDIA_TYPES, adoptRequestSchema, publishRequestSchema } from "./write-back-schemas.js";
import { writeBackOf, type Fabric } from "../fabrics/schema.js";
import type { GitProvider } from "../git/provider.js";
import { newErrors, type WriteBackDocument, type WriteBackPlan } from "../gitops/write-back.js";
import {
  DocumentParseError,
  LimitExceededError,
  managedKinds,
  parseDocuments,
  PARSE_RULE,
  serializeResource,
  type Finding,
  type KindInfo,
} from "../hedgehog/index.js";
import { draftedRecord, discardedRecord } from "../pipeline/draft-records.js";
import { MAX_DRAFT_OBJECT_BYTES, MAX_DRAFTS, type Draft, type StoredDraft } from "../pipeline/draft-model.js";
import { FabricNotReadyError } from "../pipeline/errors.js";
import type { ResourceRecord } from "../pipeline/resource-model.js";
import type { AdoptSelection } from "../pipeline/run-model.js";
import type { RunService, RunStartResult } from "../pipeline/runs.js";
import { stageValidation, type ClusterValidationDeps } from "../pipeline/validation-source.js";
import { assertNoConflicts, draftConflicts, draftInputs, planOn, readWriteBackContext, writeBackBranch, type WriteBackContext } from "../pipeline/write-back.js";
import { VersionConflictError } from "../store/errors.js";
import type { DraftRepository } from "../store/drafts.js";
import type { FabricRepository } from "../store/fabrics.js";
import type { Registration, ResourceRepository } from "../store/resources.js";
import {
  DraftNotFoundError,
  DraftNotPossibleError,
  DraftRejectedError,
  FabricHasNoClusterError,
  MalformedRequestError,
  NothingToWriteBackError,
  PayloadTooLargeError,
  RequestValidationError,
  ResourceNotFoundError,
  UnsupportedMediaTypeError,
} from "./errors.js";
import type { KindNames } from "./resources.js";

export interface WriteBackApiDeps extends Partial<ClusterValidationDeps> {
  readonly fabrics: FabricRepository;
  readonly resources: ResourceRepository;
  readonly drafts: DraftRepository;
  readonly runService: RunService;
  readonly kinds: KindNames;
  gitFor(fabric: Fabric): Promise<GitProvider>;
}

/** A request body as the route hands it over. */
export interface DocumentBody {
  readonly text: string | undefined;
  readonly contentType: string | undefined;
}

/** What findings call the request's body. */
export const REQUEST_LABEL = "request";
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Writes that race a stage's (both conditional) are tried again this often. */
const RECORD_WRITE_TRIES = 3;

function documentText(body: DocumentBody): string {
  const type = (body.contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (!(DOCUMENT_MEDIA_TYPES as readonly string[]).includes(type)) {
    throw new UnsupportedMediaTypeError(`the body must be YAML or JSON (content-type ${DOCUMENT_MEDIA_TYPES.join(", ")}), not ${type || "unspecified"}`);
  }
  if (body.text === undefined || body.text.trim() === "") throw new MalformedRequestError("the request needs a body: the resource as YAML or JSON");
  return body.text;
}

export function draftView(draft: Draft) {
  return {
    id: draft.id,
    apiVersion: draft.apiVersion,
    kind: draft.kind,
    namespace: draft.namespace,
    name: draft.name,
    operation: draft.operation,
    path: draft.path,
    basePath: draft.basePath,
    baseBlobSha: draft.baseBlobSha,
    targetBlobSha: draft.targetBlobSha,
    actor: draft.actor,
    updatedAt: draft.updatedAt,
    publishedIn: draft.publishedIn ?? null,
  };
}

interface Target {
  readonly kind: KindInfo;
  readonly namespace: string;
  readonly name: string;
  readonly id: string;
}

export class WriteBackApi {
  constructor(private readonly deps: WriteBackApiDeps) {}

  private target(kindName: string, name: string, namespace = "default"): Target {
    const resolved = this.deps.kinds.resolve(kindName);
    const kind = resolved === undefined ? undefined : managedKinds.find((k) => k.kind === resolved.kind && k.group === resolved.group);
    if (!kind) throw new RequestValidationError([{ pointer: "kind", message: `unknown kind "${kindName}"` }]);
    if (!NAMESPACE.test(namespace)) throw new RequestValidationError([{ pointer: "query:/namespace", message: "must be a lowercase RFC 1123 label" }]);
    if (name === "" || name.length > 253) throw new RequestValidationError([{ pointer: "name", message: "must be a resource name" }]);
    return { kind, namespace, name, id: `${kind.group}/${kind.kind}/${namespace}/${name}` };
  }

  /** The fabric directory at the head, judged as the fabric is judged. */
  private async context(fabric: Fabric): Promise<{ git: GitProvider; context: WriteBackContext }> {
    const git = await this.deps.gitFor(fabric);
    const head = await git.head(fabric.git.branch);
    if (!head) throw new FabricNotReadyError(`fabric "${fabric.id}": branch ${fabric.git.branch} has no commit yet; initialize it first (POST /fabrics/${fabric.id}/init)`);
    // The cluster's served CRDs and objects when the fabric has a cluster: a draft is judged as the next ingest will judge it.
    const validation = await stageValidation(this.deps, fabric, "referenced");
    return { git, context: await readWriteBackContext(git, fabric, head, validation) };
  }

  /** The plans without and with `documents` (on top of the other drafts): what they break is what is new in `after`. */
  private judge(fabric: Fabric, context: WriteBackContext, others: readonly Draft[], documents: readonly WriteBackDocument[], removals: readonly { id: string; path: string }[]) {
    const inputs = draftInputs(fabric, others);
    const before = planOn(context, fabric, inputs.documents, inputs.removals);
    const after = planOn(context, fabric, [...inputs.documents, ...documents], [...inputs.removals, ...removals]);
    return { before, after, broken: newErrors(before.findings, after.findings) };
  }

  /** The resource as managed/ holds it (not a draft), with the number of resources its file defines. */
  private inGit(plan: WriteBackPlan, id: string): { path: string; blobSha: string; sharing: number } | null {
    const resource = plan.resources.find((r) => r.id === id && r.importedFrom === null);
    if (!resource) return null;
    return { path: resource.path, blobSha: resource.blobSha, sharing: plan.resources.filter((r) => r.path === resource.path && r.importedFrom === null).length };
  }

  private assertOwnFile(target: Target, base: { path: string; sharing: number } | null): void {
    if (base && base.sharing > 1) {
      throw new DraftNotPossibleError(`${target.kind.kind} ${target.namespace}/${target.name} is defined in ${base.path} together with ${base.sharing - 1} other resource(s): change that file in Git`);
    }
  }

  private async saveDraft(fabric: Fabric, draft: Draft, existing: StoredDraft | null, count: number): Promise<void> {
    if (!existing && count >= MAX_DRAFTS) throw new DraftNotPossibleError(`fabric "${fabric.id}" holds ${count} drafts, the most it may: publish or discard some first`);
    const bytes = Buffer.byteLength(JSON.stringify(draft.object ?? null), "utf8");
    if (bytes > MAX_DRAFT_OBJECT_BYTES) throw new PayloadTooLargeError(`the resource takes ${bytes} bytes as a draft; a draft holds at most ${MAX_DRAFT_OBJECT_BYTES}`);
    await this.deps.drafts.put(fabric, draft, existing?.draftVersion ?? null);
    await this.updateRecord(fabric, draft.id, (record) => draftedRecord(record, draft));
  }

  /** Writes the resource's record through `change` (unchanged: no write), re-reading when a stage wrote it meanwhile. */
  private async updateRecord(registration: Registration, id: string, change: (record: ResourceRecord | null) => ResourceRecord | null): Promise<ResourceRecord | null> {
    for (let attempt = 1; ; attempt++) {
      const stored = await this.deps.resources.get(registration, id);
      const current = stored?.record ?? null;
      const next = change(current);
      if (next === current) return current;
      try {
        if (next) await this.deps.resources.putRecord(registration, next, stored, new Date().toISOString());
        else if (stored) await this.deps.resources.delete(registration, [id], new Map([[id, stored]]));
        return next;
      } catch (error) {
        if (!(error instanceof VersionConflictError) || attempt >= RECORD_WRITE_TRIES) throw error;
      }
    }
  }

  /** PUT /fabrics/{id}/resources/{kind}/{name}: a draft of the resource as the body gives it. */
  async put(fabricId: string, kindName: string, name: string, namespace: string | undefined, body: DocumentBody, actor: string, now: Date) {
    const target = this.target(kindName, name, namespace);
    const text = documentText(body);
    const fabric = await this.deps.fabrics.require(fabricId);
    this.assertOneDocumentFor(target, text);
    const { context } = await this.context(fabric);
    const stored = await this.deps.drafts.list(fabric);
    const existing = stored.find((s) => s.draft.id === target.id) ?? null;
    const others = stored.filter((s) => s !== existing).map((s) => s.draft);
    const { before, after, broken } = this.judge(fabric, context, others, [{ label: REQUEST_LABEL, text }], []);
    const own = after.findings.filter((f) => f.file === REQUEST_LABEL);
    const routed = after.documents.find((d) => d.label === REQUEST_LABEL);
    if (broken.length > 0 || routed?.outcome !== "managed" || !routed.resource) {
      const findings = [...own.filter((f) => f.severity === "error"), ...broken.filter((f) => f.file !== REQUEST_LABEL)];
      throw new DraftRejectedError(`${target.kind.kind} ${target.namespace}/${target.name} is refused: ${findings.length} error${findings.length === 1 ? "" : "s"} (findings lists them as ingest reports them)`, findings.length > 0 ? findings : own);
    }
    const base = this.inGit(before, target.id);
    this.assertOwnFile(target, base);
    const resource = routed.resource;
    const draft: Draft = {
      id: target.id,
      group: resource.group,
      apiVersion: resource.apiVersion,
      kind: resource.kind,
      namespace: resource.namespace,
      name: resource.name,
      operation: "put",
      object: resource.object,
      path: resource.path,
      // Made again: still based on what Git held when it was first made (a change in Git since is a conflict at publish).
      basePath: existing ? existing.draft.basePath : (base?.path ?? null),
      baseBlobSha: existing ? existing.draft.baseBlobSha : (base?.blobSha ?? null),
      targetBlobSha: resource.blobSha,
      actor,
      updatedAt: now.toISOString(),
      publishedIn: null,
    };
    await this.saveDraft(fabric, draft, existing, stored.length);
    return { created: existing === null, body: { draft: draftView(draft), state: "draft" as const, findings: own } };
  }

  private assertOneDocumentFor(target: Target, text: string): void {
    let documents;
    try {
      documents = parseDocuments(text);
    } catch (error) {
      if (!(error instanceof DocumentParseError || error instanceof LimitExceededError)) throw error;
      const finding: Finding = { file: REQUEST_LABEL, index: 0, line: error.line ?? 1, kind: "", name: "", path: "", rule: PARSE_RULE, severity: "error", message: error.message };
      throw new DraftRejectedError(`the body cannot be read: ${error.message}`, [finding]);
    }
    if (documents.length !== 1) throw new RequestValidationError([{ pointer: "/", message: `the body must hold exactly one document (it holds ${documents.length})` }]);
    const value = documents[0]!.value as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | null;
    const problems: { pointer: string; message: string }[] = [];
    if (value?.kind !== target.kind.kind) problems.push({ pointer: "/kind", message: `must be ${target.kind.kind}, the kind the URL names` });
    const group = typeof value?.apiVersion === "string" ? value.apiVersion.split("/")[0] : undefined;
    if (group !== target.kind.group) problems.push({ pointer: "/apiVersion", message: `must be in group ${target.kind.group}` });
    if (value?.metadata?.name !== target.name) problems.push({ pointer: "/metadata/name", message: `must be ${target.name}, the name the URL names` });
    const namespace = typeof value?.metadata?.namespace === "string" && value.metadata.namespace !== "" ? value.metadata.namespace : "default";
    if (namespace !== target.namespace) problems.push({ pointer: "/metadata/namespace", message: `must be ${target.namespace}, the namespace the URL names (?namespace=)` });
    if (problems.length > 0) throw new RequestValidationError(problems);
  }

  /** DELETE /fabrics/{id}/resources/{kind}/{name}: a draft that removes the resource from Git. */
  async remove(fabricId: string, kindName: string, name: string, namespace: string | undefined, actor: string, now: Date) {
    const target = this.target(kindName, name, namespace);
    const fabric = await this.deps.fabrics.require(fabricId);
    const { context } = await this.context(fabric);
    const stored = await this.deps.drafts.list(fabric);
    const existing = stored.find((s) => s.draft.id === target.id) ?? null;
    const others = stored.filter((s) => s !== existing).map((s) => s.draft);
    const inputs = draftInputs(fabric, others);
    const base = this.inGit(planOn(context, fabric, inputs.documents, inputs.removals), target.id);
    if (!base) {
      const hint = existing ? `; it exists only as a draft: discard that with DELETE /fabrics/${fabricId}/drafts/${target.kind.plural}/${target.name}` : "";
      throw new ResourceNotFoundError(`${target.kind.kind} ${target.namespace}/${target.name} is not in Git (managed/ of fabric "${fabricId}")${hint}`);
    }
    this.assertOwnFile(target, base);
    const { broken } = this.judge(fabric, context, others, [], [{ id: target.id, path: base.path.slice(fabric.git.directory.length + 1) }]);
    if (broken.length > 0) throw new DraftRejectedError(`removing ${target.kind.kind} ${target.namespace}/${target.name} would break ${broken.length} thing${broken.length === 1 ? "" : "s"} (findings lists them)`, broken);
    const draft: Draft = {
      id: target.id,
      group: target.kind.group,
      apiVersion: `${target.kind.group}/${target.kind.storageVersion}`,
      kind: target.kind.kind,
      namespace: target.namespace,
      name: target.name,
      operation: "delete",
      object: null,
      path: base.path,
      basePath: existing ? (existing.draft.basePath ?? base.path) : base.path,
      baseBlobSha: existing ? existing.draft.baseBlobSha : base.blobSha,
      targetBlobSha: null,
      actor,
      updatedAt: now.toISOString(),
      publishedIn: null,
    };
    await this.saveDraft(fabric, draft, existing, stored.length);
    return { created: existing === null, body: { draft: draftView(draft), state: "draft" as const, findings: [] as Finding[] } };
  }

  async list(fabricId: string) {
    const fabric = await this.deps.fabrics.require(fabricId);
    const drafts = await this.deps.drafts.list(fabric);
    return { items: drafts.map((s) => draftView(s.draft)), total: drafts.length };
  }

  async get(fabricId: string, kindName: string, name: string, namespace?: string) {
    const target = this.target(kindName, name, namespace);
    const fabric = await this.deps.fabrics.require(fabricId);
    const stored = await this.deps.drafts.get(fabric, target.id);
    if (!stored) throw new DraftNotFoundError(`fabric "${fabricId}" has no draft of ${target.kind.kind} ${target.namespace}/${target.name}`);
    const { draft } = stored;
    return { ...draftView(draft), object: draft.object ?? null, content: draft.object ? serializeResource(draft.object) : null };
  }

  /** DELETE /fabrics/{id}/drafts/{kind}/{name}: the draft withdrawn, its resource as Git has it. */
  async discard(fabricId: string, kindName: string, name: string, namespace?: string) {
    const target = this.target(kindName, name, namespace);
    const fabric = await this.deps.fabrics.require(fabricId);
    const stored = await this.deps.drafts.get(fabric, target.id);
    if (!stored) throw new DraftNotFoundError(`fabric "${fabricId}" has no draft of ${target.kind.kind} ${target.namespace}/${target.name}`);
    if (!(await this.deps.drafts.delete(fabric, target.id, stored.draftVersion))) throw new VersionConflictError(`draft ${target.id}`, stored.draftVersion);
    const record = await this.updateRecord(fabric, target.id, (current) => (current === null ? null : current.state === "draft" ? discardedRecord(current) : current));
    return { discarded: draftView(stored.draft), state: record?.state === "committed" ? ("committed" as const) : null };
  }

  /** POST /fabrics/{id}/validate: the documents judged as a draft of each would be; nothing stored. */
  async validate(fabricId: string, body: DocumentBody, file: string | undefined) {
    const text = documentText(body);
    const label = file && /^[\w./-]{1,200}$/.test(file) ? file : REQUEST_LABEL;
    const fabric = await this.deps.fabrics.require(fabricId);
    const { context } = await this.context(fabric);
    const stored = (await this.deps.drafts.list(fabric)).map((s) => s.draft);
    // The documents stand in for drafts of the same resources.
    const ids = this.idsIn(text);
    const others = stored.filter((d) => !ids.has(d.id));
    const { after, broken } = this.judge(fabric, context, others, [{ label, text }], []);
    const findings = [...after.findings.filter((f) => f.file === label), ...broken.filter((f) => f.file !== label)];
    return {
      findings,
      documents: after.documents
        .filter((d) => d.label === label)
        .map((d) => ({ index: d.index, line: d.line, kind: d.kind, name: d.name, outcome: d.outcome, path: d.resource?.path ?? null })),
      valid: !findings.some((f) => f.severity === "error"),
    };
  }

  private idsIn(text: string): Set<string> {
    const ids = new Set<string>();
    try {
      for (const doc of parseDocuments(text)) {
        const value = doc.value as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | null;
        const kind = managedKinds.find((k) => k.kind === value?.kind);
        if (kind && typeof value?.metadata?.name === "string") ids.add(`${kind.group}/${kind.kind}/${typeof value.metadata.namespace === "string" && value.metadata.namespace ? value.metadata.namespace : "default"}/${value.metadata.name}`);
      }
    } catch {
      // Unreadable: the plan reports it.
    }
    return ids;
  }

  private started(fabric: Fabric, what: "publish" | "adopt", result: RunStartResult) {
    const writeBack = writeBackOf(fabric.git);
    return {
      runId: result.runId,
      coalesced: result.coalesced,
      status: result.run?.status ?? (result.coalesced ? "waiting" : "queued"),
      ...(result.after ? { after: result.after } : {}),
      location: `/fabrics/${fabric.id}/runs/${result.runId}`,
      writeBack,
      branch: writeBack === "direct" ? fabric.git.branch : writeBackBranch(what, result.runId),
    };
  }

  /** POST /fabrics/{id}/drafts/publish: a publish run, unless a draft conflicts with Git (409 naming the commits). */
  async publish(fabricId: string, body: unknown, actor: string, now: Date) {
    const parsed = publishRequestSchema.safeParse(body ?? {});
    if (!parsed.success) throw RequestValidationError.fromZod(parsed.error);
    const fabric = await this.deps.fabrics.require(fabricId);
    const drafts = (await this.deps.drafts.list(fabric)).map((s) => s.draft);
    if (drafts.length === 0) throw new NothingToWriteBackError(`fabric "${fabricId}" has no drafts to publish`);
    const { git, context } = await this.context(fabric);
    assertNoConflicts(fabricId, await draftConflicts(git, context, drafts));
    const result = await this.deps.runService.start({ fabricId, kind: "publish", trigger: "api", now, actor });
    return { ...this.started(fabric, "publish", result), drafts: drafts.length };
  }

  /** POST /fabrics/{id}/adopt: an adopt run for the cluster-only objects selected (all of them by default). */
  async adopt(fabricId: string, body: unknown, actor: string, now: Date) {
    const parsed = adoptRequestSchema.safeParse(body ?? {});
    if (!parsed.success) throw RequestValidationError.fromZod(parsed.error);
    const fabric = await this.deps.fabrics.require(fabricId);
    if (!fabric.cluster) throw new FabricHasNoClusterError(`fabric "${fabricId}" has no cluster: there is nothing to adopt from`);
    const records = (await this.deps.resources.list(fabric)).map((s) => s.record);
    const candidates = new Map(records.filter((r) => r.state === "orphaned" && r.source === "cluster").map((r) => [r.id, r]));
    const { resources, kinds } = parsed.data;
    let selection: AdoptSelection | null = null;
    let selected = candidates.size;
    if ((resources?.length ?? 0) > 0 || (kinds?.length ?? 0) > 0) {
      const problems: { pointer: string; message: string }[] = [];
      const ids: string[] = [];
      (resources ?? []).forEach((ref, i) => {
        let target: Target;
        try {
          target = this.target(ref.kind, ref.name, ref.namespace);
        } catch {
          problems.push({ pointer: `/resources/${i}`, message: `not a resource of a managed kind: ${ref.kind} ${ref.namespace ?? "default"}/${ref.name}` });
          return;
        }
        const record = records.find((r) => r.id === target.id);
        if (!candidates.has(target.id)) {
          problems.push({ pointer: `/resources/${i}`, message: record ? `${target.id} is not a cluster-only object (state ${record.state}, source ${record.source})` : `${target.id} is not known: no sync has seen it in the cluster` });
        } else ids.push(target.id);
      });
      const kindNames: string[] = [];
      (kinds ?? []).forEach((name, i) => {
        const kind = this.deps.kinds.resolve(name);
        if (kind === undefined) problems.push({ pointer: `/kinds/${i}`, message: `unknown kind "${name}"` });
        else kindNames.push(kind.kind);
      });
      if (problems.length > 0) throw new RequestValidationError(problems);
      selection = { ids: [...new Set(ids)].sort(), kinds: [...new Set(kindNames)].sort() };
      selected = [...candidates.values()].filter((r) => selection!.ids.includes(r.id) || selection!.kinds.includes(r.kind)).length;
    }
    if (selected === 0) throw new NothingToWriteBackError(`fabric "${fabricId}": no cluster-only object ${selection ? "matches the selection" : "is known"} (objects are known once a sync has listed the cluster)`);
    const result = await this.deps.runService.start({ fabricId, kind: "adopt", trigger: "api", now, actor, adopt: selection });
    return { ...this.started(fabric, "adopt", result), selected };
  }
}
