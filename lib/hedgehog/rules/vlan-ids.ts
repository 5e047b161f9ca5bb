// 802.1Q VLAN IDs (RULES-NEW.md, VPC-901, EXTATT-901, CONN-901): every field that carries a VLAN ID
// holds 0 (unset or untagged, which the kind's own rules judge) or 1–4094. The CRD schemas carry no
// bound and upstream checks VPC VLANs only against a VLANNamespace, so without one in Git a VPC with
// vlan 5000 used to pass; this table closes that gap whatever the set holds.
import { entriesAt, getIn, isRecord, type JsonRecord, type Path } from "../object.js";
import type { IntrinsicRule, Violation } from "./rule.js";

export const MAX_VLAN_ID = 4094;

interface VlanField {
  readonly rule: string;
  readonly kind: string;
  /** Paths to VLAN fields; "*" walks every entry of a map. */
  readonly paths: readonly (readonly string[])[];
}

const VLAN_FIELDS: readonly VlanField[] = [
  { rule: "VPC-901", kind: "VPC", paths: [["spec", "subnets", "*", "vlan"]] },
  { rule: "EXTATT-901", kind: "ExternalAttachment", paths: [["spec", "switch", "vlan"], ["spec", "static", "vlan"]] },
  { rule: "CONN-901", kind: "Connection", paths: [["spec", "staticExternal", "link", "switch", "vlan"]] },
];

/** Every value at a path with "*" wildcards, with its concrete path. */
function* valuesAt(resource: unknown, path: readonly string[], at: Path = []): Generator<{ path: Path; value: unknown }> {
  const star = path.indexOf("*");
  if (star < 0) {
    const value = getIn(resource, [...at, ...path]);
    if (value !== undefined) yield { path: [...at, ...path], value };
    return;
  }
  const head = [...at, ...path.slice(0, star)];
  for (const [key, item] of entriesAt(resource, head)) if (isRecord(item)) yield* valuesAt(resource, path.slice(star + 1), [...head, key]);
}

function* outOfRange(resource: JsonRecord, field: VlanField): Generator<Violation> {
  for (const spec of field.paths) {
    for (const { path, value } of valuesAt(resource, spec)) {
      if (typeof value === "number" && (value < 0 || value > MAX_VLAN_ID)) {
        yield { path, message: `VLAN ${value} is not a valid 802.1Q VLAN ID (1–${MAX_VLAN_ID})` };
      }
    }
  }
}

export const vlanIdRules: readonly IntrinsicRule[] = VLAN_FIELDS.map((field) => ({
  id: field.rule,
  kind: field.kind,
  severity: "error",
  check: (resource: JsonRecord) => outOfRange(resource, field),
}));
