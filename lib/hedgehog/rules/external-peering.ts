// ExternalPeering rules (RULES.md §8).
import { arrayAt, getIn, stringsAt, text } from "../object.js";
import { derivedLabelRule } from "./common.js";
import type { IntrinsicRule, SetRule } from "./rule.js";

export const externalPeeringRules: readonly IntrinsicRule[] = [
  derivedLabelRule("ExternalPeering", "EXTPEER-101"),
  {
    id: "EXTPEER-102",
    kind: "ExternalPeering",
    severity: "error",
    *check(peering) {
      if (text(peering, ["spec", "permit", "vpc", "name"]) === "") yield { path: ["spec", "permit", "vpc", "name"], message: "permit.vpc.name is required" };
    },
  },
  {
    id: "EXTPEER-103",
    kind: "ExternalPeering",
    severity: "error",
    *check(peering) {
      if (text(peering, ["spec", "permit", "external", "name"]) === "") {
        yield { path: ["spec", "permit", "external", "name"], message: "permit.external.name is required" };
      }
    },
  },
  {
    id: "EXTPEER-104",
    kind: "ExternalPeering",
    severity: "error",
    *check(peering) {
      for (const [i, item] of (arrayAt(peering, ["spec", "permit", "external", "prefixes"]) ?? []).entries()) {
        if (text(item, ["prefix"]) === "") yield { path: ["spec", "permit", "external", "prefixes", i, "prefix"], message: "external prefix is required" };
      }
    },
  },
];

export const externalPeeringSetRules: readonly SetRule[] = [
  {
    id: "EXTPEER-201",
    kind: "ExternalPeering",
    severity: "error",
    check: (p, set) => set.reference("VPC", text(p, ["spec", "permit", "vpc", "name"]), ["spec", "permit", "vpc", "name"]),
  },
  {
    id: "EXTPEER-202",
    kind: "ExternalPeering",
    severity: "error",
    check: (p, set) => set.reference("External", text(p, ["spec", "permit", "external", "name"]), ["spec", "permit", "external", "name"]),
  },
  {
    id: "EXTPEER-203",
    kind: "ExternalPeering",
    severity: "error",
    *check(p, set) {
      const vpc = set.get("VPC", text(p, ["spec", "permit", "vpc", "name"]));
      const external = set.get("External", text(p, ["spec", "permit", "external", "name"]));
      if (vpc && external && text(vpc, ["spec", "ipv4Namespace"]) !== text(external, ["spec", "ipv4Namespace"])) {
        yield { path: ["spec", "permit"], message: "the VPC and the External must be in the same IPv4Namespace" };
      }
    },
  },
  {
    id: "EXTPEER-204",
    kind: "ExternalPeering",
    severity: "error",
    *check(p, set) {
      const vpcName = text(p, ["spec", "permit", "vpc", "name"]);
      const vpc = set.get("VPC", vpcName);
      if (!vpc) return;
      for (const [i, subnet] of stringsAt(p, ["spec", "permit", "vpc", "subnets"]).entries()) {
        if (getIn(vpc, ["spec", "subnets", subnet]) === undefined) {
          yield { path: ["spec", "permit", "vpc", "subnets", i], message: `VPC ${vpcName} has no subnet ${subnet}` };
        }
      }
    },
  },
];
