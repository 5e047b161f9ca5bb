// A draft (DESIGN §15): a change to one resource made through the API, kept in the store until it is
// published to Git and ingested from there. Pure types; lib/store persists them.
import type { ResourceIdentity } from "../hedgehog/index.js";

export type DraftOperation = "put" | "delete";

/** Where a draft was last published without reaching the branch yet: the branch and pull request that carry it. */
export interface DraftPublication {
  readonly runId: string;
  readonly branch: string;
  readonly commit: string;
  readonly pullRequest: { readonly number: number; readonly url: string } | null;
}

export interface Draft extends ResourceIdentity {
  readonly operation: DraftOperation;
  /** put: the resource, normalized as ingest writes it; delete: null. */
  readonly object: Readonly<Record<string, unknown>> | null;
  /** Repository-relative: the managed file a put writes (its canonical place), or the one a delete removes. */
  readonly path: string;
  /** The managed file that held the resource when it was first drafted; null when Git did not hold it. */
  readonly basePath: string | null;
  /** That file's blob then: a publish finding another blob there is a conflict (someone changed it since). */
  readonly baseBlobSha: string | null;
  /** put: the blob of what it writes at `path` (how ingest knows it landed); delete: null. */
  readonly targetBlobSha: string | null;
  /** Who made (or last changed) it: an IAM principal, a JWT subject, `local`. */
  readonly actor: string;
  readonly updatedAt: string;
  readonly publishedIn?: DraftPublication | null;
}

export interface StoredDraft {
  readonly draft: Draft;
  /** Conditional writes: each change of a draft increments it. */
  readonly draftVersion: number;
}

/** Drafts a fabric may hold at once: one publish is one commit of them, and each PUT validates against all. */
export const MAX_DRAFTS = 500;

/** A draft's resource as stored: a DynamoDB item holds 400 KB, a draft keeps room for its other fields. */
export const MAX_DRAFT_OBJECT_BYTES = 256 * 1024;
