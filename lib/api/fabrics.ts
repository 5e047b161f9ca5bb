// The fabric registry's use cases. Input is unknown JSON; output is the stored Fabric.
import { randomBytes } from "node:crypto";
import type { z } from "zod";
import {
  defaultDirectory,
  fabricInputSchema,
  fabricPatchSchema,
  type Fabric,
  type FabricPatch,
  type GitSettings,
} from "../fabrics/schema.js";
import type { TrustPolicy } from "../config/trust.js";
import type { RunService } from "../pipeline/runs.js";
import type { FabricRepository, FabricView } from "../store/fabrics.js";
import { PreconditionFailedError, RequestValidationError } from "./errors.js";
import { fabricTrustProblems } from "./fabric-trust.js";

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw RequestValidationError.fromZod(result.error);
  return result.data;
}

/** 16 hex digits: unique per registration, short enough for the tracking annotation and the record keys. */
export function newRegistrationUid(): string {
  return randomBytes(8).toString("hex");
}

function nextSyncAt(fabric: Fabric, now: Date): string {
  return new Date(now.getTime() + fabric.sync.intervalMinutes * 60_000).toISOString();
}

/** A fabric as the API answers it: its settings and when the schedule syncs it next. */
export type FabricAnswer = Fabric & { readonly nextSyncAt: string | null };

export function fabricAnswer(view: FabricView): FabricAnswer {
  return { ...view.fabric, nextSyncAt: view.nextSyncAt };
}

const scheduled = (fabric: Fabric, next: string): FabricAnswer => ({ ...fabric, nextSyncAt: fabric.sync.suspended ? null : next });

export class FabricService {
  constructor(
    private readonly fabrics: FabricRepository,
    /** This deployment's trust rules (lib/config/trust.ts): what a fabric's settings may name. */
    private readonly trust: TrustPolicy,
    /** For DELETE: a fabric with a run in flight is not deleted (unless forced, which cancels the run first). */
    private readonly runs?: Pick<RunService, "assertDeletable">,
  ) {}

  private async assertTrusted(fabricId: string, settings: Parameters<typeof fabricTrustProblems>[1]): Promise<void> {
    const problems = await fabricTrustProblems(fabricId, settings, this.trust);
    if (problems.length > 0) throw new RequestValidationError(problems);
  }

  async register(body: unknown, now: Date): Promise<FabricAnswer> {
    const input = parse(fabricInputSchema, body);
    await this.assertTrusted(input.name, { git: input.git, cluster: input.cluster });
    const at = now.toISOString();
    const git = { ...input.git, directory: input.git.directory ?? defaultDirectory(input.name) } as GitSettings;
    const fabric: Fabric = {
      id: input.name,
      uid: newRegistrationUid(),
      name: input.name,
      git,
      cluster: input.cluster,
      sync: input.sync,
      hedgehog: input.hedgehog,
      directory: { status: "not_initialized", error: null, lastInitAt: null },
      version: 1,
      createdAt: at,
      updatedAt: at,
    };
    const next = nextSyncAt(fabric, now);
    return scheduled(await this.fabrics.create(fabric, next), next);
  }

  async list(): Promise<FabricAnswer[]> {
    return (await this.fabrics.listViews()).map(fabricAnswer);
  }

  async get(id: string): Promise<FabricAnswer> {
    return fabricAnswer(await this.fabrics.requireView(id));
  }

  /** `ifMatch` is the version the caller last saw (If-Match header); absent means "whatever is current". */
  async update(id: string, body: unknown, now: Date, ifMatch?: number): Promise<FabricAnswer> {
    const patch: FabricPatch = parse(fabricPatchSchema, body);
    const current = await this.fabrics.require(id);
    if (ifMatch !== undefined && ifMatch !== current.version) {
      throw new PreconditionFailedError(`fabric "${id}" is at version ${current.version}, not ${ifMatch}`);
    }
    await this.assertTrusted(current.id, { ...(patch.git ? { git: patch.git } : {}), ...(patch.cluster !== undefined ? { cluster: patch.cluster } : {}) });
    const git = patch.git
      ? ({ ...patch.git, directory: patch.git.directory ?? current.git.directory } as GitSettings)
      : current.git;
    const updated: Fabric = {
      ...current,
      git,
      cluster: patch.cluster === undefined ? current.cluster : patch.cluster,
      sync: { ...current.sync, ...stripUndefined(patch.sync ?? {}) },
      hedgehog: patch.hedgehog ?? current.hedgehog,
      version: current.version + 1,
      updatedAt: now.toISOString(),
    };
    const next = nextSyncAt(updated, now);
    return scheduled(await this.fabrics.replace(updated, next), next);
  }

  /**
   * Forgets the fabric and its records. Refused (409, naming the run) while a run is in flight, since
   * that run would go on committing and applying for a fabric that is gone; `force` cancels it first.
   * Whatever its stage still writes is keyed by this registration's uid, so a fabric registered later
   * under the same name never sees it.
   */
  async remove(id: string, options: { force?: boolean; now?: Date } = {}): Promise<void> {
    await this.fabrics.require(id);
    await this.runs?.assertDeletable(id, options.force ?? false, options.now ?? new Date());
    await this.fabrics.delete(id);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
