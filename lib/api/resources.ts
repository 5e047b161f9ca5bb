// Resources as the API shows them: identity, state, "From Git" attribution, errors; a page at a time;
// and one resource with its objects, drift and history.
import type * as z from "zod";
import type { HistoryEntry } from "../pipeline/history.js";
import type { ResourceRecord } from "../pipeline/resource-model.js";
import { fromGit } from "../pipeline/resource-model.js";
import type { FabricRepository } from "../store/fabrics.js";
import type { ResourceState } from "../state/index.js";
import { HISTORY_RETENTION_DAYS, historyKeyPrefix, resourceKeyPrefix, type Registration, type ResourceRepository } from "../store/resources.js";
import type { JsonValueOrOmission } from "../store/stored-json.js";
import { canonicalQuery, decodeCursor, encodeCursor, type CursorScope } from "./cursor.js";
import { RequestValidationError, ResourceGoneError, ResourceNotFoundError } from "./errors.js";
import { fitPage } from "./pages.js";
import type { resourceDetailQuerySchema, resourceListQuerySchema } from "./schemas/resources.js";

export type ResourceListQuery = z.output<typeof resourceListQuerySchema>;
export type ResourceDetailQuery = z.output<typeof resourceDetailQuerySchema>;

export interface KindNames {
  /** Every name a kind may be asked by (Kind, plural, singular, short names), lowercased → the Kind and its group. */
  resolve(name: string): { readonly kind: string; readonly group: string } | undefined;
}

const DEFAULT_LIMIT = 100;
const DEFAULT_HISTORY_LIMIT = 20;

export function resourceView(r: ResourceRecord) {
  return {
    id: r.id,
    apiVersion: r.apiVersion,
    kind: r.kind,
    name: r.name,
    namespace: r.namespace,
    state: r.state,
    fromGit: fromGit(r),
    inGit: r.inGit,
    attribution: {
      source: r.source,
      gitFilePath: r.gitFilePath,
      gitBlobSha: r.gitBlobSha,
      gitCommitSha: r.gitCommitSha,
      // Records from before appliedCommitSha: a valid one was applied as it is.
      appliedCommitSha: r.appliedCommitSha !== undefined ? r.appliedCommitSha : r.error === null ? r.gitCommitSha : null,
      appliedBlobSha: r.appliedBlobSha !== undefined ? r.appliedBlobSha : r.error === null ? r.gitBlobSha : null,
      importedFrom: r.importedFrom,
    },
    error: r.error,
    warnings: r.warnings,
  };
}

export function historyView(e: HistoryEntry) {
  return { at: e.at, runId: e.runId, stage: e.stage, commit: e.commit, blob: e.blob, from: e.from, to: e.to, error: e.error, reason: e.reason };
}

const objectOf = (stored: JsonValueOrOmission | null) => (stored && "value" in stored ? (stored.value as Record<string, unknown>) : null);
const omittedOf = (stored: JsonValueOrOmission | null) => (stored && "omittedBytes" in stored ? stored.omittedBytes : undefined);

export class ResourceApi {
  constructor(private readonly deps: { fabrics: FabricRepository; resources: ResourceRepository; kinds: KindNames }) {}

  /** One page, in key order; `next` goes on after its last item (filters may leave a page short, even empty). */
  async list(fabricId: string, query: ResourceListQuery) {
    const kind = query.kind === undefined ? undefined : this.kind(query.kind, "query");
    const fabric = await this.deps.fabrics.require(fabricId);
    const idPrefix = kind ? `${kind.group}/${kind.kind}/` : "";
    const error = query.error === undefined ? undefined : query.error === "true";
    const scope: CursorScope = {
      fabricId,
      query: canonicalQuery({ kind: kind?.kind, state: query.state, source: query.source, error }),
      keyPrefix: resourceKeyPrefix(fabric, idPrefix),
      parameter: "cursor",
    };
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, scope);
    const page = await this.deps.resources.page(fabric, {
      idPrefix,
      ...(query.state ? { state: query.state } : {}),
      ...(query.source ? { source: query.source } : {}),
      ...(error !== undefined ? { error } : {}),
      ...(after ? { after } : {}),
      limit: query.limit ?? DEFAULT_LIMIT,
    });
    const { views, taken } = fitPage(page.items, (i) => resourceView(i.record));
    const next = taken < page.items.length ? page.items[taken - 1]!.key : page.resumeAfter;
    const total = await this.total(fabric, { kind: kind?.kind, state: query.state, source: query.source, error });
    return { items: views, ...(next ? { next: encodeCursor(scope, next) } : {}), ...(total !== undefined ? { total } : {}) };
  }

  /** How many match in all, when the roll-up counts that filter (none, one kind, one state, errors only). */
  private async total(fabric: Registration, filter: { kind?: string; state?: ResourceState; source?: string; error?: boolean }): Promise<number | undefined> {
    const given = Object.entries(filter).filter(([, v]) => v !== undefined);
    if (given.length > 1 || filter.source !== undefined || filter.error === false) return undefined;
    const counts = (await this.deps.resources.getRollup(fabric))?.counts;
    if (!counts) return undefined;
    if (filter.kind !== undefined) return counts.byKind[filter.kind] ?? 0;
    if (filter.state !== undefined) return counts.byState[filter.state];
    if (filter.error === true) return counts.errors;
    return counts.total;
  }

  /**
   * One resource: one GetItem of its record (which holds its objects), one query of its newest history
   * entries. A resource that is gone but has history is a 410 carrying that history.
   */
  async get(fabricId: string, kindName: string, name: string, query: ResourceDetailQuery = {}) {
    const kind = this.kind(kindName, "path");
    const fabric = await this.deps.fabrics.require(fabricId);
    const namespace = query.namespace ?? "default";
    const id = `${kind.group}/${kind.kind}/${namespace}/${name}`;
    const scope: CursorScope = { fabricId, query: canonicalQuery({ id }), keyPrefix: historyKeyPrefix(fabric, id), parameter: "historyCursor" };
    const after = query.historyCursor === undefined ? undefined : decodeCursor(query.historyCursor, scope);
    const [stored, history] = await Promise.all([
      this.deps.resources.get(fabric, id),
      this.deps.resources.history(fabric, id, { limit: query.historyLimit ?? DEFAULT_HISTORY_LIMIT, ...(after ? { after } : {}) }),
    ]);
    const historyPage = { items: history.items.map(historyView), ...(history.after ? { next: encodeCursor(scope, history.after) } : {}) };
    if (!stored) {
      const last = history.items[0];
      if (last || after) {
        const how = last?.to === "pruned" ? "was pruned from the cluster" : "is gone from Git and the cluster";
        throw new ResourceGoneError(`fabric "${fabricId}": ${kind.kind} "${namespace}/${name}" ${how}${last ? ` (run ${last.runId}, ${last.at})` : ""}; its history is kept ${HISTORY_RETENTION_DAYS} days`, { history: historyPage });
      }
      throw new ResourceNotFoundError(`fabric "${fabricId}" has no ${kind.kind} "${namespace}/${name}"`);
    }
    const omitted = { desired: omittedOf(stored.desired), live: omittedOf(stored.live) };
    return {
      ...resourceView(stored.record),
      drift: stored.record.drift,
      desired: objectOf(stored.desired),
      live: objectOf(stored.live),
      ...(omitted.desired !== undefined || omitted.live !== undefined ? { omitted: Object.fromEntries(Object.entries(omitted).filter(([, v]) => v !== undefined)) } : {}),
      history: historyPage,
    };
  }

  private kind(name: string, part: "path" | "query") {
    const kind = this.deps.kinds.resolve(name);
    if (!kind) throw new RequestValidationError([{ pointer: `${part}:/kind`, message: `unknown kind "${name}"` }], part);
    return kind;
  }
}
