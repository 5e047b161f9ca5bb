// Fields the fabric itself writes into an object after it is applied — its webhooks or its
// controllers — so that the live value can never equal what Git says and is no statement about
// drift. The one table of them; the drift diff skips these paths in both directions, and so apply
// never "corrects" them (which would only make the fabric rewrite them again).

export interface ServerWrittenField {
  readonly kind: string;
  /** The field; everything below it is skipped too. */
  readonly path: readonly string[];
  readonly why: string;
  readonly source: string;
}

export const SERVER_WRITTEN_FIELDS: readonly ServerWrittenField[] = [
  {
    kind: "Switch",
    path: ["spec", "portLocators"],
    why: "the mutating webhook rewrites each value (a duration such as 10m, or empty) to an absolute expiry time, clamps it to 20 minutes and drops expired entries: a one-shot request, never a state",
    source: "githedgehog/fabric api/wiring/v1beta1/switch_types.go: Switch.Default, NormalizePortLocator",
  },
  {
    kind: "SwitchProfile",
    path: ["metadata", "annotations", "fabric.githedgehog.com/ports"],
    why: "the mutating webhook writes a ports summary whose order of ties is random",
    source: "RULES.md SWP-001 and §16",
  },
];

/** Whether the field at `path` of a `kind` object is the fabric's to write. */
export function isServerWritten(kind: string, path: readonly (string | number)[]): boolean {
  return SERVER_WRITTEN_FIELDS.some((field) => field.kind === kind && field.path.length <= path.length && field.path.every((segment, i) => path[i] === segment));
}
