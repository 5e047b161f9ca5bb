// The one reader of the rule tables: picks the rows for a kind, skips CONFIG rows whose settings
// are absent and version rows the served schema does not call for, and runs the checks.
import type { Capabilities, CapabilityId } from "../capabilities.js";
import type { Severity } from "../finding.js";
import type { JsonRecord } from "../object.js";
import type { HedgehogSettings } from "../settings.js";
import type { DesiredSet } from "./desired-set.js";
import { intrinsicRules, setRules } from "./index.js";
import type { IntrinsicRule, SetRule, Violation } from "./rule.js";

export interface RuleResult extends Violation {
  readonly rule: string;
  readonly severity: Severity;
}

function applicable<R extends IntrinsicRule | SetRule>(rules: readonly R[], kind: string, settings: HedgehogSettings, capabilities: Capabilities): R[] {
  return rules.filter(
    (rule) =>
      (rule.kind === "*" || rule.kind === kind) &&
      (rule.needs ?? []).every((key) => settings[key] !== undefined) &&
      Object.entries(rule.requires ?? {}).every(([id, support]) => capabilities[id as CapabilityId] === support),
  );
}

function results(rule: IntrinsicRule | SetRule, violations: Iterable<Violation>): RuleResult[] {
  return [...violations].map((v) => ({ ...v, rule: rule.id, severity: v.severity ?? rule.severity }));
}

export function runIntrinsicRules(resource: JsonRecord, kind: string, settings: HedgehogSettings, capabilities: Capabilities): RuleResult[] {
  return applicable(intrinsicRules, kind, settings, capabilities).flatMap((rule) => results(rule, rule.check(resource, settings, capabilities)));
}

export function runSetRules(resource: JsonRecord, kind: string, set: DesiredSet): RuleResult[] {
  return applicable(setRules, kind, set.settings, set.capabilities).flatMap((rule) => results(rule, rule.check(resource, set, set.settings)));
}
