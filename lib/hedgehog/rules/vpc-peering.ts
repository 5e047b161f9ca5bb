// VPCPeering rules (RULES.md §4).
import { peeringVpcs } from "../labels.js";
import { arrayAt, getIn, isRecord, stringsAt, text } from "../object.js";
import { derivedLabelRule } from "./common.js";
import type { IntrinsicRule, SetRule } from "./rule.js";

export const vpcPeeringRules: readonly IntrinsicRule[] = [
  derivedLabelRule("VPCPeering", "VPCPEER-101"),
  {
    id: "VPCPEER-102",
    kind: "VPCPeering",
    severity: "error",
    needs: ["vpcPeeringDisabled"],
    *check(_peering, settings) {
      if (settings.vpcPeeringDisabled === true) yield { path: [], message: "VPC peering is disabled in this fabric's configuration" };
    },
  },
  {
    id: "VPCPEER-103",
    kind: "VPCPeering",
    severity: "error",
    *check(peering) {
      for (const [i, entry] of (arrayAt(peering, ["spec", "permit"]) ?? []).entries()) {
        const count = isRecord(entry) ? Object.keys(entry).length : 0;
        if (count !== 2) yield { path: ["spec", "permit", i], message: `permit entry #${i} must name exactly 2 VPCs, it names ${count}` };
      }
    },
  },
  {
    id: "VPCPEER-104",
    kind: "VPCPeering",
    severity: "error",
    *check(peering) {
      const vpcs = peeringVpcs(peering);
      if (vpcs.length !== 2) {
        yield { path: ["spec", "permit"], message: `a VPCPeering must peer exactly 2 VPCs; its permit list names ${vpcs.length}` };
      }
    },
  },
];

export const vpcPeeringSetRules: readonly SetRule[] = [
  {
    id: "VPCPEER-201",
    kind: "VPCPeering",
    severity: "error",
    *check(peering, set) {
      for (const vpc of peeringVpcs(peering)) yield* set.reference("VPC", vpc, ["spec", "permit"]);
    },
  },
  {
    id: "VPCPEER-202",
    kind: "VPCPeering",
    severity: "error",
    *check(peering, set) {
      const [a, b] = peeringVpcs(peering).map((name) => set.get("VPC", name));
      if (a && b && text(a, ["spec", "ipv4Namespace"]) !== text(b, ["spec", "ipv4Namespace"])) {
        yield { path: ["spec", "permit"], message: "both VPCs must be in the same IPv4Namespace" };
      }
    },
  },
  {
    id: "VPCPEER-203",
    kind: "VPCPeering",
    severity: "error",
    *check(peering, set) {
      const [a, b] = peeringVpcs(peering).map((name) => set.get("VPC", name));
      if (a && b && text(a, ["spec", "vlanNamespace"]) !== text(b, ["spec", "vlanNamespace"])) {
        yield { path: ["spec", "permit"], message: "both VPCs must be in the same VLANNamespace" };
      }
    },
  },
  {
    id: "VPCPEER-204",
    kind: "VPCPeering",
    severity: "error",
    check: (peering, set) => set.reference("SwitchGroup", text(peering, ["spec", "remote"]), ["spec", "remote"], "remote "),
  },
  {
    id: "VPCPEER-205",
    kind: "VPCPeering",
    severity: "error",
    *check(peering, set) {
      for (const [i, entry] of (arrayAt(peering, ["spec", "permit"]) ?? []).entries()) {
        if (!isRecord(entry)) continue;
        for (const vpcName of Object.keys(entry).sort()) {
          const vpc = set.get("VPC", vpcName);
          if (!vpc) continue;
          for (const [j, subnet] of stringsAt(entry, [vpcName, "subnets"]).entries()) {
            if (getIn(vpc, ["spec", "subnets", subnet]) === undefined) {
              yield { path: ["spec", "permit", i, vpcName, "subnets", j], message: `VPC ${vpcName} has no subnet ${subnet}` };
            }
          }
        }
      }
    },
  },
];
