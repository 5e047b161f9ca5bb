// What validation reports: one finding per broken rule, located precisely enough that a user can
// go straight to the line.
import { compareText } from "./object.js";

export type Severity = "error" | "warning";

export interface Finding {
  readonly file: string;
  /** Document index in the file, from 0. */
  readonly index: number;
  /** Line of the offending field when known, else of the document. */
  readonly line: number;
  readonly kind: string;
  readonly name: string;
  /** JSON pointer (RFC 6901) into the document; "" for the whole document. */
  readonly path: string;
  /** RULES.md id (e.g. VPC-114), or one of ENGINE_RULES for checks RULES.md does not number. */
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
}

/** Checks of this engine that have no RULES.md id. */
export const ENGINE_RULES = {
  /** Not a mapping, or apiVersion/kind/metadata.name missing. */
  document: "DOCUMENT",
  /** A Hedgehog group with an unknown kind or version. */
  kind: "KIND",
  /** The CRD openAPIV3Schema (and ObjectMeta) as the API server checks it under strict field validation. */
  schema: "SCHEMA",
  /** The same resource twice in one desired set. */
  duplicate: "DUPLICATE",
} as const;

export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareText(a.file, b.file) ||
    a.index - b.index ||
    compareText(a.path, b.path) ||
    compareText(a.rule, b.rule) ||
    compareText(a.message, b.message) ||
    compareText(a.severity, b.severity) ||
    a.line - b.line
  );
}

/** Sorted, with exact repeats removed. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const sorted = [...findings].sort(compareFindings);
  return sorted.filter((finding, i) => i === 0 || compareFindings(finding, sorted[i - 1] as Finding) !== 0);
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((finding) => finding.severity === "error");
}
