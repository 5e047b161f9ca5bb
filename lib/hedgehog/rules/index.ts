// The rule tables: every INTRINSIC and SET rule of RULES.md that ingestion can decide, and the ones
// it deliberately leaves out.
import { commonRules } from "./common.js";
import { connectionRules, connectionSetRules } from "./connection.js";
import { externalRules, externalSetRules } from "./external.js";
import { externalAttachmentRules, externalAttachmentSetRules } from "./external-attachment.js";
import { externalPeeringRules, externalPeeringSetRules } from "./external-peering.js";
import { hostBgpRules, hostBgpSetRules } from "./host-bgp.js";
import { ipv4NamespaceRules } from "./ipv4-namespace.js";
import { retiredFeatureRules, retiredFeatureSetRules } from "./retired-features.js";
import type { IntrinsicRule, SetRule } from "./rule.js";
import { switchRules, switchSetRules } from "./switch.js";
import { switchPortFeatureRules, switchPortFeatureSetRules } from "./switch-port-features.js";
import { switchProfileRules, switchProfileSetRules } from "./switch-profile.js";
import { vlanIdRules } from "./vlan-ids.js";
import { vlanNamespaceRules } from "./vlan-namespace.js";
import { vpcRules, vpcSetRules } from "./vpc.js";
import { vpcAttachmentRules, vpcAttachmentSetRules } from "./vpc-attachment.js";
import { vpcPeeringRules, vpcPeeringSetRules } from "./vpc-peering.js";

export const intrinsicRules: readonly IntrinsicRule[] = [
  ...commonRules,
  ...vpcRules,
  ...vpcAttachmentRules,
  ...vpcPeeringRules,
  ...ipv4NamespaceRules,
  ...externalRules,
  ...externalAttachmentRules,
  ...externalPeeringRules,
  ...switchRules,
  ...connectionRules,
  ...vlanNamespaceRules,
  ...switchProfileRules,
  // RULES-NEW.md: beyond RULES.md (9nn), most of them version-specific.
  ...vlanIdRules,
  ...retiredFeatureRules,
  ...hostBgpRules,
  ...switchPortFeatureRules,
];

export const setRules: readonly SetRule[] = [
  ...vpcSetRules,
  ...vpcAttachmentSetRules,
  ...vpcPeeringSetRules,
  ...externalSetRules,
  ...externalAttachmentSetRules,
  ...externalPeeringSetRules,
  ...switchSetRules,
  ...connectionSetRules,
  ...switchProfileSetRules,
  ...retiredFeatureSetRules,
  ...hostBgpSetRules,
  ...switchPortFeatureSetRules,
];

/**
 * RULES.md ids ingestion does not evaluate, with the reason. Update- and delete-only rules need the
 * previous object or a deletion, which ingestion never has; the rest say nothing to check.
 */
export const rulesNotEvaluated: Readonly<Record<string, string>> = {
  "VPC-208": "delete only",
  "IPNS-201": "update only",
  "IPNS-202": "delete only",
  "EXT-202": "delete only",
  "SW-215": "update only",
  "SW-216": "delete only",
  "SRV-201": "delete only",
  "CONN-209": "update only",
  "CONN-210": "delete only",
  "VLANNS-201": "update only",
  "VLANNS-202": "delete only",
  "SWP-203": "delete only",
  "SG-201": "advisory, about deletion; not an upstream rule",
  "COMMON-201": "describes how references resolve; applied by every SET rule",
  "SG-101": "only COMMON-101 and COMMON-102 apply",
  "SRV-101": "only COMMON-101 and COMMON-102 apply",
  "SRVP-101": "only COMMON-101 and COMMON-102 apply",
};
