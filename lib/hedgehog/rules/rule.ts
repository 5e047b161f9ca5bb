// The shape of a rule row. Rules are data: an id from RULES.md, the kind, a severity, the settings
// a CONFIG rule needs, and a check that yields violations. runner.ts is the one reader.
import type { Capabilities, CapabilityId, FieldSupport } from "../capabilities.js";
import type { Severity } from "../finding.js";
import type { JsonRecord, Path } from "../object.js";
import type { HedgehogSettings, SettingKey } from "../settings.js";
import type { DesiredSet } from "./desired-set.js";

export interface Violation {
  readonly path: Path;
  /** One sentence, lower case, no trailing period. */
  readonly message: string;
  /** Overrides the rule's severity (an unresolved reference is a warning). */
  readonly severity?: Severity;
  /** For a conflict between two resources: the other one's identity. */
  readonly conflictsWith?: string;
}

interface RuleBase {
  /** RULES.md id. */
  readonly id: string;
  /** The kind the rule applies to, or "*" for every managed kind. */
  readonly kind: string;
  readonly severity: Severity;
  /** CONFIG(...): the rule runs only when all of these settings are present. */
  readonly needs?: readonly SettingKey[];
  /** Version-specific: the rule runs only when the served schema supports each field as stated. */
  readonly requires?: Readonly<Partial<Record<CapabilityId, FieldSupport>>>;
}

/** Decided from one (defaulted) document and the fabric settings. */
export interface IntrinsicRule extends RuleBase {
  readonly check: (resource: JsonRecord, settings: HedgehogSettings, capabilities?: Capabilities) => Iterable<Violation>;
}

/** Needs the other resources of the desired set. */
export interface SetRule extends RuleBase {
  readonly check: (resource: JsonRecord, set: DesiredSet, settings: HedgehogSettings) => Iterable<Violation>;
}

export function violation(path: Path, message: string, extra: Partial<Violation> = {}): Violation {
  return { path, message, ...extra };
}
