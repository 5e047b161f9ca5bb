// Validation of files as ingest judges raw/ (the CLI's offline `validate`): the same parser with the
// same limits, the same catalog (the bundled CRDs, or a pinned bundled release) and the same rules
// (each document, then the SET rules over the files together). A file that cannot be parsed at all is
// one finding with the PARSE rule, at the line the parser names.
import { bundledCatalog, type Catalog } from "./catalog.js";
import { DocumentParseError, LimitExceededError } from "./errors.js";
import { sortFindings, type Finding } from "./finding.js";
import { parseDocuments, type ParseLimits } from "./parse.js";
import type { HedgehogSettings } from "./settings.js";
import { validateBatch, type SourceDocument } from "./validate.js";

/** Rule id of a file that is not YAML, is empty, or breaks a parse limit. */
export const PARSE_RULE = "PARSE";

export interface FileInput {
  /** As the user named it; findings carry it back. */
  readonly path: string;
  readonly content: string | Uint8Array;
}

export function validateFiles(
  files: readonly FileInput[],
  options: { readonly catalog?: Catalog; readonly settings?: HedgehogSettings; readonly limits?: Partial<ParseLimits> } = {},
): Finding[] {
  const fileFinding = (path: string, line: number, message: string): Finding => ({
    file: path,
    index: 0,
    line,
    kind: "",
    name: "",
    path: "",
    rule: PARSE_RULE,
    severity: "error",
    message,
  });
  const findings: Finding[] = [];
  const batch: SourceDocument[] = [];
  for (const file of files) {
    try {
      const documents = parseDocuments(file.content, options.limits);
      if (documents.length === 0) findings.push(fileFinding(file.path, 1, "the file holds no document (empty, or comments only)"));
      for (const doc of documents) batch.push({ ...doc, file: file.path });
    } catch (error) {
      if (!(error instanceof DocumentParseError || error instanceof LimitExceededError)) throw error;
      findings.push(fileFinding(file.path, error.line ?? 1, error.message));
    }
  }
  const catalog = options.catalog ?? bundledCatalog;
  return sortFindings([...findings, ...validateBatch(batch, [], options.settings ?? {}, { catalog })]);
}
