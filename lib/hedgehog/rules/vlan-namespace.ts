// VLANNamespace rules (RULES.md §13). VLANNS-101..103 are errors although upstream defaulting
// silently drops invalid ranges (VLANNS-002): RULES.md recommends reporting them.
import { arrayAt, getIn, type JsonRecord } from "../object.js";
import type { HedgehogSettings } from "../settings.js";
import type { IntrinsicRule, Violation } from "./rule.js";

function rangesOf(ns: JsonRecord): { index: number; from: number; to: number }[] {
  return (arrayAt(ns, ["spec", "ranges"]) ?? []).map((range, index) => {
    const from = getIn(range, ["from"]);
    const to = getIn(range, ["to"]);
    return { index, from: typeof from === "number" ? from : 0, to: typeof to === "number" ? to : 0 };
  });
}

function bound(id: string, field: "from" | "to"): IntrinsicRule {
  return {
    id,
    kind: "VLANNamespace",
    severity: "error",
    *check(ns) {
      for (const range of rangesOf(ns)) {
        if (range[field] < 1 || range[field] > 4094) yield { path: ["spec", "ranges", range.index, field], message: `range #${range.index}: ${field} ${range[field]} is outside 1..4094` };
      }
    },
  };
}

/** VLANNS-104/105: no overlap with reserved ranges; with reserved ranges configured, the namespace's own ranges may not overlap either. */
function reservedOverlap(id: string, key: "vpcIRBVLANRange" | "th5WorkaroundVLANRange", what: string): IntrinsicRule {
  return {
    id,
    kind: "VLANNamespace",
    severity: "error",
    needs: [key],
    *check(ns, settings: HedgehogSettings): Generator<Violation> {
      const ranges = rangesOf(ns);
      const reserved = settings[key] ?? [];
      for (const [i, range] of ranges.entries()) {
        const clash = reserved.find((r) => r.from <= range.to && range.from <= r.to);
        const own = key === "vpcIRBVLANRange" ? ranges.slice(0, i).find((r) => r.from <= range.to && range.from <= r.to) : undefined;
        if (clash) yield { path: ["spec", "ranges", range.index], message: `range ${range.from}-${range.to} overlaps ${what} ${clash.from}-${clash.to}` };
        else if (own) yield { path: ["spec", "ranges", range.index], message: `range ${range.from}-${range.to} overlaps range ${own.from}-${own.to} of this namespace (reported by the fabric as overlapping reserved VLANs)` };
      }
    },
  };
}

export const vlanNamespaceRules: readonly IntrinsicRule[] = [
  bound("VLANNS-101", "from"),
  bound("VLANNS-102", "to"),
  {
    id: "VLANNS-103",
    kind: "VLANNamespace",
    severity: "error",
    *check(ns) {
      for (const range of rangesOf(ns)) {
        if (range.from > range.to) yield { path: ["spec", "ranges", range.index], message: `range #${range.index}: from ${range.from} is greater than to ${range.to}` };
      }
    },
  },
  reservedOverlap("VLANNS-104", "vpcIRBVLANRange", "the fabric's reserved VPC IRB VLANs"),
  reservedOverlap("VLANNS-105", "th5WorkaroundVLANRange", "the VLANs reserved for the TH5 workaround"),
];
