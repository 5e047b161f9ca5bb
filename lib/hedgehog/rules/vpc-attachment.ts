// VPCAttachment rules (RULES.md §3).
import { devicesOf, portRefs, soleType } from "../connection.js";
import { parsePrefix } from "../net.js";
import { getIn, stringAt, stringsAt, text, type JsonRecord } from "../object.js";
import { derivedLabelRule } from "./common.js";
import type { DesiredSet } from "./desired-set.js";
import type { IntrinsicRule, SetRule, Violation } from "./rule.js";
import { subnetsOf } from "./vpc.js";

const P2P_LINK_ANNOTATION = "fabric.githedgehog.com/p2p-link";

/** spec.subnet split at the first "/". */
function target(attachment: JsonRecord): { vpc: string; subnet: string; slash: boolean } {
  const value = text(attachment, ["spec", "subnet"]);
  const slash = value.indexOf("/");
  return slash < 0 ? { vpc: value, subnet: "", slash: false } : { vpc: value.slice(0, slash), subnet: value.slice(slash + 1), slash: true };
}

export const vpcAttachmentRules: readonly IntrinsicRule[] = [
  derivedLabelRule("VPCAttachment", "VPCATT-101"),
  {
    id: "VPCATT-102",
    kind: "VPCAttachment",
    severity: "error",
    *check(attachment) {
      if (text(attachment, ["spec", "subnet"]) === "") yield { path: ["spec", "subnet"], message: "subnet is required (write <vpc>/<subnet>)" };
    },
  },
  {
    id: "VPCATT-103",
    kind: "VPCAttachment",
    severity: "error",
    *check(attachment) {
      const { vpc, slash } = target(attachment);
      if (text(attachment, ["spec", "subnet"]) === "") return;
      if (vpc === "") yield { path: ["spec", "subnet"], message: "subnet must be <vpc>/<subnet>; the VPC part is missing" };
      else if (!slash) yield { path: ["spec", "subnet"], message: "subnet must be <vpc>/<subnet>; the subnet part is missing" };
    },
  },
  {
    id: "VPCATT-104",
    kind: "VPCAttachment",
    severity: "error",
    *check(attachment) {
      if (text(attachment, ["spec", "connection"]) === "") yield { path: ["spec", "connection"], message: "connection is required" };
    },
  },
  {
    id: "VPCATT-105",
    kind: "VPCAttachment",
    severity: "error",
    *check(attachment) {
      const value = getIn(attachment, ["metadata", "annotations", P2P_LINK_ANNOTATION]);
      if (value === undefined) return;
      const path = ["metadata", "annotations", P2P_LINK_ANNOTATION];
      const prefix = typeof value === "string" ? parsePrefix(value) : undefined;
      if (value === "") yield { path, message: `annotation ${P2P_LINK_ANNOTATION} is empty` };
      else if (!prefix) yield { path, message: `annotation ${P2P_LINK_ANNOTATION} "${String(value)}" is not a prefix` };
      else if (prefix.address.family !== 4 || prefix.length !== 31) yield { path, message: `annotation ${P2P_LINK_ANNOTATION} must be an IPv4 /31` };
    },
  },
];

/** The attachment's VPC and Connection when both are in the set. */
function resolved(attachment: JsonRecord, set: DesiredSet): { vpc?: JsonRecord; connection?: JsonRecord } {
  return { vpc: set.get("VPC", target(attachment).vpc), connection: set.get("Connection", text(attachment, ["spec", "connection"])) };
}

function switchesOf(connection: JsonRecord): string[] {
  const type = soleType(connection);
  return type ? devicesOf(portRefs(connection, type), "switch") : [];
}

function isHostBgpSubnet(attachment: JsonRecord, vpc: JsonRecord | undefined): boolean {
  const name = target(attachment).subnet || "default";
  return vpc !== undefined && subnetsOf(vpc).some((s) => s.name === name && s.hostBGP);
}

/** Another attachment on the same connection for which `clash` holds. */
function* sameConnection(
  attachment: JsonRecord,
  set: DesiredSet,
  clash: (other: JsonRecord) => boolean,
  describe: (otherName: string) => Violation,
): Generator<Violation> {
  const self = text(attachment, ["metadata", "name"]);
  const connection = text(attachment, ["spec", "connection"]);
  if (connection === "") return;
  const byConnection = set.groupedBy("VPCAttachment", "connection", (a) => text(a, ["spec", "connection"]) || undefined);
  for (const other of byConnection.get(connection) ?? []) {
    if (other.name !== self && clash(other.object)) {
      yield { ...describe(other.name), conflictsWith: other.id };
    }
  }
}

export const vpcAttachmentSetRules: readonly SetRule[] = [
  {
    id: "VPCATT-201",
    kind: "VPCAttachment",
    severity: "error",
    check: (attachment, set) => set.reference("VPC", target(attachment).vpc, ["spec", "subnet"]),
  },
  {
    id: "VPCATT-202",
    kind: "VPCAttachment",
    severity: "error",
    *check(attachment, set) {
      const { vpc: vpcName, subnet } = target(attachment);
      const vpc = set.get("VPC", vpcName);
      if (vpc && getIn(vpc, ["spec", "subnets", subnet]) === undefined) {
        yield { path: ["spec", "subnet"], message: `VPC ${vpcName} has no subnet "${subnet}"` };
      }
    },
  },
  {
    id: "VPCATT-203",
    kind: "VPCAttachment",
    severity: "error",
    check: (attachment, set) => set.reference("Connection", text(attachment, ["spec", "connection"]), ["spec", "connection"]),
  },
  {
    id: "VPCATT-204",
    kind: "VPCAttachment",
    severity: "error",
    *check(attachment, set) {
      const { vpc, connection } = resolved(attachment, set);
      if (vpc && connection && soleType(connection)?.field === "eslag" && text(vpc, ["spec", "mode"]) !== "") {
        yield { path: ["spec", "connection"], message: `an ESLAG connection can attach only L2VNI VPCs, not mode ${text(vpc, ["spec", "mode"])}` };
      }
    },
  },
  {
    id: "VPCATT-205",
    kind: "VPCAttachment",
    severity: "error",
    *check(attachment, set) {
      const { vpc, connection } = resolved(attachment, set);
      if (connection && isHostBgpSubnet(attachment, vpc) && soleType(connection)?.field !== "unbundled") {
        yield { path: ["spec", "connection"], message: "only unbundled connections can attach to a hostBGP subnet" };
      }
    },
  },
  {
    id: "VPCATT-206",
    kind: "VPCAttachment",
    severity: "error",
    *check(attachment, set) {
      const { connection } = resolved(attachment, set);
      if (!connection) return;
      const type = soleType(connection);
      if (!type?.attachable) {
        yield { path: ["spec", "connection"], message: "a VPC can attach only to an unbundled, bundled, MCLAG or ESLAG connection" };
      } else if (switchesOf(connection).length === 0) {
        yield { path: ["spec", "connection"], message: `connection ${text(attachment, ["spec", "connection"])} has no switch endpoint` };
      }
    },
  },
  {
    id: "VPCATT-207",
    kind: "VPCAttachment",
    severity: "error",
    *check(attachment, set) {
      const { connection } = resolved(attachment, set);
      for (const sw of connection ? switchesOf(connection) : []) yield* set.reference("Switch", sw, ["spec", "connection"], "connection's ");
    },
  },
  {
    id: "VPCATT-208",
    kind: "VPCAttachment",
    severity: "error",
    *check(attachment, set) {
      const { vpc, connection } = resolved(attachment, set);
      if (!vpc || !connection) return;
      const namespace = text(vpc, ["spec", "vlanNamespace"]);
      for (const name of switchesOf(connection)) {
        const sw = set.get("Switch", name);
        if (sw && !stringsAt(sw, ["spec", "vlanNamespaces"]).includes(namespace)) {
          yield { path: ["spec", "connection"], message: `switch ${name} does not list VLANNamespace ${namespace} of VPC ${target(attachment).vpc}` };
        }
      }
    },
  },
  {
    id: "VPCATT-209",
    kind: "VPCAttachment",
    severity: "error",
    *check(attachment, set) {
      const { vpc, connection } = resolved(attachment, set);
      if (!vpc || !connection) return;
      const mode = text(vpc, ["spec", "mode"]);
      const needed = mode === "" ? ["l2vni", "l3vni"] : ["l3vni"];
      for (const name of switchesOf(connection)) {
        const profileName = stringAt(set.get("Switch", name), ["spec", "profile"]) ?? "";
        yield* set.reference("SwitchProfile", profileName, ["spec", "connection"], `switch ${name}'s `);
        const profile = set.get("SwitchProfile", profileName);
        const missing = needed.filter((feature) => getIn(profile, ["spec", "features", feature]) !== true);
        if (profile && missing.length > 0) {
          yield {
            path: ["spec", "connection"],
            message: `switch ${name}'s profile ${profileName} lacks feature ${missing.join(" and ")} needed by VPC mode ${mode || "l2vni"}`,
          };
        }
      }
    },
  },
  {
    id: "VPCATT-210",
    kind: "VPCAttachment",
    severity: "error",
    *check(attachment, set) {
      const { vpc, connection } = resolved(attachment, set);
      if (!connection || !isHostBgpSubnet(attachment, vpc)) return;
      for (const name of switchesOf(connection)) {
        const sw = set.get("Switch", name);
        if (text(sw, ["spec", "redundancy", "type"]) === "mclag" && text(sw, ["spec", "redundancy", "group"]) !== "") {
          yield { path: ["spec", "subnet"], message: `a hostBGP subnet cannot attach to switch ${name}, an MCLAG peer` };
        }
      }
    },
  },
  {
    id: "VPCATT-211",
    kind: "VPCAttachment",
    severity: "error",
    check: (attachment, set) =>
      sameConnection(
        attachment,
        set,
        (other) => text(other, ["spec", "subnet"]) === text(attachment, ["spec", "subnet"]),
        (other) => ({ path: ["spec", "subnet"], message: `VPCAttachment ${other} already attaches this connection to ${text(attachment, ["spec", "subnet"])}` }),
      ),
  },
  {
    id: "VPCATT-212",
    kind: "VPCAttachment",
    severity: "error",
    check: (attachment, set) =>
      getIn(attachment, ["spec", "nativeVLAN"]) === true
        ? sameConnection(
            attachment,
            set,
            (other) => getIn(other, ["spec", "nativeVLAN"]) === true,
            (other) => ({ path: ["spec", "nativeVLAN"], message: `VPCAttachment ${other} already uses the native VLAN of this connection` }),
          )
        : [],
  },
];
