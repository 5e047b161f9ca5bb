// A run's rejections (DESIGN §9): per raw file, each rejected document with its line, field, rule and
// message — the facts of the file's `.errors.txt`. Bounded like every list a run keeps (the first 50
// files, the first 50 documents of each, and totals), then fitted to a byte budget: they are stored in
// an item of their own next to the run record, which stays < 100 KB.
import type { RejectedDocument, RejectedFile } from "../gitops/ingest-plan.js";
import { boundedList, fitToBudget, type BoundedList } from "./bounded.js";

export type { RejectedDocument, RejectedFile };

/** What the rejections item may take (DynamoDB items stop at 400 KB). */
export const REJECTIONS_BUDGET_BYTES = 300_000;

export interface RejectedFileView {
  readonly file: string;
  readonly fileError: string | null;
  readonly documents: BoundedList<RejectedDocument>;
}

/** The run's rejections: the first files (`total` counts them all) and how many documents were rejected in all. */
export interface RunRejections {
  readonly items: readonly RejectedFileView[];
  readonly total: number;
  readonly documents: number;
}

/** The counts a run record carries, so that a run that rejected something says so without its detail. */
export interface RejectedSummary {
  readonly files: number;
  readonly documents: number;
}

export function rejectedSummary(files: readonly RejectedFile[]): RejectedSummary {
  return { files: files.length, documents: files.reduce((n, f) => n + f.documents.length, 0) };
}

export function boundedRejections(files: readonly RejectedFile[]): RunRejections {
  const listed = boundedList(files);
  return fitToBudget(
    {
      items: listed.items.map((f) => ({ file: f.file, fileError: f.fileError, documents: boundedList(f.documents) })),
      total: listed.total,
      documents: rejectedSummary(files).documents,
    },
    REJECTIONS_BUDGET_BYTES,
  );
}
