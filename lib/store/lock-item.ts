// The run lock's attributes on a fabric item (DESIGN §6): read by RunRepository.readLock and by
// FabricRepository.reschedule, which gets the whole item back from its write.
import type { RunTrigger } from "../pipeline/run-model.js";

export interface FabricRunLock {
  readonly activeRunId: string | null;
  readonly activeRunAt: string | null;
  /** The waiting run that starts when the active one ends (DESIGN §6); shared by every trigger meanwhile. */
  readonly followUpRunId: string | null;
  readonly followUpTrigger: RunTrigger | null;
  readonly previousRunId: string | null;
}

/** The lock attributes a read of the fabric item asks for. */
export const LOCK_ATTRIBUTES = "activeRunId, activeRunAt, followUpRunId, followUpTrigger, previousRunId";

export function lockOfItem(i: Record<string, unknown>): FabricRunLock {
  return {
    activeRunId: (i.activeRunId as string | undefined) ?? null,
    activeRunAt: (i.activeRunAt as string | undefined) ?? null,
    followUpRunId: (i.followUpRunId as string | undefined) ?? null,
    followUpTrigger: (i.followUpTrigger as RunTrigger | undefined) ?? null,
    previousRunId: (i.previousRunId as string | undefined) ?? null,
  };
}
