// Features a served API retires (RULES-NEW.md): MCLAG and remote VPC peering. Each row names the
// capability it depends on — the field marked "Deprecated" in the served CRD — never a version
// string. Where the served schema drops the field altogether, the schema itself rejects it.
// Source: githedgehog/fabric main at 78827deb (the CRDs in crds/fabric-main-78827deb):
// Connection.Validate and Switch.Validate warn "MCLAG is deprecated and no longer supported",
// VPCPeering.Validate rejects spec.remote, VPCAttachment.Validate accepts only unbundled, bundled
// and eslag connections.
import { soleType } from "../connection.js";
import { getIn, isRecord, text } from "../object.js";
import type { IntrinsicRule, SetRule } from "./rule.js";

const MCLAG_DEPRECATED = { "Connection.spec.mclag": "deprecated" } as const;

export const retiredFeatureRules: readonly IntrinsicRule[] = [
  {
    id: "CONN-902",
    kind: "Connection",
    severity: "warning",
    requires: MCLAG_DEPRECATED,
    *check(connection) {
      for (const field of ["mclag", "mclagDomain"]) {
        if (isRecord(getIn(connection, ["spec", field]))) {
          yield { path: ["spec", field], message: `${field} connections are deprecated and no longer supported by this fabric; use ESLAG` };
        }
      }
    },
  },
  {
    id: "SW-901",
    kind: "Switch",
    severity: "warning",
    requires: MCLAG_DEPRECATED,
    *check(sw) {
      if (text(sw, ["spec", "redundancy", "type"]) === "mclag") {
        yield { path: ["spec", "redundancy", "type"], message: "MCLAG redundancy is deprecated and no longer supported by this fabric; use ESLAG" };
      }
    },
  },
  {
    id: "VPCPEER-901",
    kind: "VPCPeering",
    severity: "error",
    requires: { "VPCPeering.spec.remote": "deprecated" },
    *check(peering) {
      if (text(peering, ["spec", "remote"]) !== "") {
        yield { path: ["spec", "remote"], message: "remote peering is deprecated and no longer supported by this fabric; use a local VPCPeering or a GatewayPeering" };
      }
    },
  },
];

export const retiredFeatureSetRules: readonly SetRule[] = [
  {
    id: "VPCATT-901",
    kind: "VPCAttachment",
    severity: "error",
    requires: MCLAG_DEPRECATED,
    *check(attachment, set) {
      const name = text(attachment, ["spec", "connection"]);
      const type = soleType(set.get("Connection", name));
      if (type?.field === "mclag") {
        yield { path: ["spec", "connection"], message: `${set.describe("Connection", name)} is an MCLAG connection; this fabric attaches VPCs only to unbundled, bundled or ESLAG connections` };
      }
    },
  },
];
