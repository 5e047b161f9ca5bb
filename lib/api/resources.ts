// Resources as the API shows them: identity, state, "From Git" attribution, errors, drift.
import * as z from "zod";
import type { ResourceRecord } from "../pipeline/resource-model.js";
import { fromGit } from "../pipeline/resource-model.js";
import type { FabricRepository } from "../store/fabrics.js";
import type { ResourceRepository } from "../store/resources.js";
import { RequestValidationError, ResourceNotFoundError } from "./errors.js";
import { RESOURCE_STATES } from "../state/index.js";

export const resourceFilterSchema = z.strictObject({
  kind: z.string().min(1).optional(),
  state: z.enum(RESOURCE_STATES).optional(),
  source: z.enum(["git", "cluster", "api"]).optional(),
});

export interface KindNames {
  /** Every name a kind may be asked by (Kind, plural, singular, short names), lowercased → Kind. */
  resolve(name: string): string | undefined;
}

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
      importedFrom: r.importedFrom,
    },
    error: r.error,
    warnings: r.warnings,
  };
}

export class ResourceApi {
  constructor(private readonly deps: { fabrics: FabricRepository; resources: ResourceRepository; kinds: KindNames }) {}

  async list(fabricId: string, query: Record<string, string>) {
    const parsed = resourceFilterSchema.safeParse(query);
    if (!parsed.success) throw RequestValidationError.fromZod(parsed.error, "query");
    const filter = parsed.data;
    const kind = filter.kind === undefined ? undefined : this.kind(filter.kind);
    const fabric = await this.deps.fabrics.require(fabricId);
    const items = (await this.deps.resources.list(fabric))
      .map((s) => s.record)
      .filter((r) => (kind ? r.kind === kind : true) && (filter.state ? r.state === filter.state : true) && (filter.source ? r.source === filter.source : true))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    return { items: items.map(resourceView), count: items.length };
  }

  async get(fabricId: string, kindName: string, name: string, namespace = "default") {
    const kind = this.kind(kindName);
    const fabric = await this.deps.fabrics.require(fabricId);
    const match = (await this.deps.resources.list(fabric)).find((s) => s.record.kind === kind && s.record.name === name && s.record.namespace === namespace);
    if (!match) throw new ResourceNotFoundError(`fabric "${fabricId}" has no ${kind} "${namespace}/${name}"`);
    return { ...resourceView(match.record), drift: match.record.drift };
  }

  private kind(name: string): string {
    const kind = this.deps.kinds.resolve(name);
    if (!kind) throw new RequestValidationError([{ pointer: "kind", message: `unknown kind "${name}"` }]);
    return kind;
  }
}
