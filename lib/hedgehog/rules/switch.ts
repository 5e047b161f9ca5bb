// Switch rules (RULES.md §9). SW-103..SW-106 are warnings: asn, ip, protocolIP and vtepIP are
// filled in by the installer (hhfab hydration) and absent from every raw wiring diagram. The
// cluster-phase rules after them check those fields only when they are written.
import { compareAddress, parseIp, parsePrefix, prefixContains } from "../net.js";
import { entriesAt, getIn, int, stringAt, stringsAt, text, type JsonRecord } from "../object.js";
import { derivedLabelRule } from "./common.js";
import { hasBlock, lanesOf, portProfileNamed, profilePorts, selectedBreakout } from "./profile-ports.js";
import type { IntrinsicRule, SetRule, Violation } from "./rule.js";
import { vlanRangesOf } from "./vpc.js";

const LEAF_ROLES = ["server-leaf", "border-leaf", "mixed-leaf"];
const REDUNDANCY_TYPES = ["", "mclag", "eslag"];

export const isLeaf = (sw: JsonRecord): boolean => LEAF_ROLES.includes(text(sw, ["spec", "role"]));
const isSpine = (sw: JsonRecord): boolean => text(sw, ["spec", "role"]) === "spine";

function rule(id: string, check: IntrinsicRule["check"], extra: Partial<IntrinsicRule> = {}): IntrinsicRule {
  return { id, kind: "Switch", severity: "error", ...extra, check };
}

/** Hydration fields: reported as warnings when absent. */
function hydrated(id: string, field: string, what: string, applies: (sw: JsonRecord) => boolean = () => true): IntrinsicRule {
  return rule(
    id,
    function* (sw) {
      const value = getIn(sw, ["spec", field]);
      if (applies(sw) && (value === undefined || value === null || value === "" || value === 0)) {
        yield { path: ["spec", field], message: `${what} is not set yet; the fabric installer (hhfab) normally fills it in` };
      }
    },
    { severity: "warning" },
  );
}

/** "address/length" inside a configured subnet, optionally /32. */
function* prefixInSubnet(value: string, subnet: string | undefined, path: string[], what: string, host: boolean): Generator<Violation> {
  const prefix = parsePrefix(value);
  const outer = subnet === undefined ? undefined : parsePrefix(subnet);
  if (!prefix) yield { path, message: `${what} "${value}" is not an address/length such as 172.30.8.1/32` };
  else if (host && prefix.length !== 32) yield { path, message: `${what} ${value} must be a /32` };
  else if (outer && !prefixContains(outer, prefix.address)) yield { path, message: `${what} ${value} is not in ${subnet}` };
}

export const switchRules: readonly IntrinsicRule[] = [
  derivedLabelRule("Switch", "SW-101"),
  rule("SW-102", function* (sw) {
    if (stringsAt(sw, ["spec", "vlanNamespaces"]).length === 0) yield { path: ["spec", "vlanNamespaces"], message: "at least one VLAN namespace is required" };
  }),
  hydrated("SW-103", "asn", "ASN"),
  hydrated("SW-104", "ip", "management IP"),
  hydrated("SW-105", "protocolIP", "protocol IP"),
  hydrated("SW-106", "vtepIP", "VTEP IP of this leaf", isLeaf),
  rule("SW-107", function* (sw) {
    if (isSpine(sw) && text(sw, ["spec", "vtepIP"]) !== "") yield { path: ["spec", "vtepIP"], message: "a spine switch cannot have a VTEP IP" };
  }),
  rule("SW-108", function* (sw) {
    if (text(sw, ["spec", "profile"]) === "") yield { path: ["spec", "profile"], message: "profile is required" };
  }),
  rule("SW-109", function* (sw) {
    const type = text(sw, ["spec", "redundancy", "type"]);
    if (!REDUNDANCY_TYPES.includes(type)) yield { path: ["spec", "redundancy", "type"], message: `redundancy type "${type}" is not mclag or eslag` };
  }),
  rule("SW-110", function* (sw) {
    const group = text(sw, ["spec", "redundancy", "group"]);
    const type = text(sw, ["spec", "redundancy", "type"]);
    if (group !== "" && type === "") yield { path: ["spec", "redundancy", "type"], message: `redundancy group ${group} needs a redundancy type` };
    if (group === "" && type !== "") yield { path: ["spec", "redundancy", "group"], message: `redundancy type ${type} needs a redundancy group` };
  }),
  rule("SW-111", function* (sw) {
    const block = getIn(sw, ["spec", "linkFlapErrDisable"]);
    if (block === undefined || block === null) return;
    for (const field of ["flapThreshold", "samplingInterval", "recoveryInterval"]) {
      if (getIn(block, [field]) === undefined) yield { path: ["spec", "linkFlapErrDisable", field], message: `linkFlapErrDisable.${field} is missing` };
    }
  }),
  rule("SW-112", function* (sw) {
    for (const [i, group] of stringsAt(sw, ["spec", "groups"]).entries()) {
      if (group === "") yield { path: ["spec", "groups", i], message: "a group name cannot be empty" };
    }
  }),
  rule("SW-113", function* (sw) {
    const ip = text(sw, ["spec", "ip"]);
    if (ip !== "" && !parsePrefix(ip)) yield { path: ["spec", "ip"], message: `management IP "${ip}" is not an address/length such as 172.30.0.5/21` };
  }),
  rule(
    "SW-114",
    function* (sw, settings) {
      const ip = parsePrefix(text(sw, ["spec", "ip"]));
      const subnet = parsePrefix(settings.managementSubnet ?? "");
      const dhcpStart = parseIp(settings.managementDHCPStart ?? "");
      if (!ip || !subnet || !dhcpStart) return;
      if (!prefixContains(subnet, ip.address)) yield { path: ["spec", "ip"], message: `management IP ${text(sw, ["spec", "ip"])} is not in ${settings.managementSubnet}` };
      else if (compareAddress(ip.address, dhcpStart) >= 0) {
        yield { path: ["spec", "ip"], message: `management IP ${text(sw, ["spec", "ip"])} is in the DHCP range starting at ${settings.managementDHCPStart}` };
      }
    },
    { needs: ["managementSubnet", "managementDHCPStart"] },
  ),
  rule(
    "SW-115",
    function* (sw, settings) {
      const value = text(sw, ["spec", "protocolIP"]);
      if (value !== "") yield* prefixInSubnet(value, settings.protocolSubnet, ["spec", "protocolIP"], "protocol IP", true);
    },
    { needs: ["protocolSubnet"] },
  ),
  rule(
    "SW-116",
    function* (sw, settings) {
      const asn = int(sw, ["spec", "asn"]);
      if (isLeaf(sw) && asn !== 0 && (asn < (settings.leafASNStart ?? 0) || asn > (settings.leafASNEnd ?? 0))) {
        yield { path: ["spec", "asn"], message: `leaf ASN ${asn} is outside the fabric's leaf range ${settings.leafASNStart}-${settings.leafASNEnd}` };
      }
    },
    { needs: ["leafASNStart", "leafASNEnd"] },
  ),
  rule(
    "SW-117",
    function* (sw, settings) {
      const asn = int(sw, ["spec", "asn"]);
      if (isSpine(sw) && asn !== 0 && asn !== settings.spineASN) yield { path: ["spec", "asn"], message: `spine ASN ${asn} is not the fabric's spine ASN ${settings.spineASN}` };
    },
    { needs: ["spineASN"] },
  ),
  rule(
    "SW-118",
    function* (sw, settings) {
      const value = text(sw, ["spec", "vtepIP"]);
      if (isLeaf(sw) && value !== "") yield* prefixInSubnet(value, settings.vtepSubnet, ["spec", "vtepIP"], "VTEP IP", true);
    },
    { needs: ["vtepSubnet"] },
  ),
];

function setRule(id: string, check: SetRule["check"], extra: Partial<SetRule> = {}): SetRule {
  return { id, kind: "Switch", severity: "error", ...extra, check };
}

/** The switch's SwitchProfile when it is in the set. */
function profileOf(sw: JsonRecord, set: Parameters<SetRule["check"]>[1]): JsonRecord | undefined {
  return set.get("SwitchProfile", text(sw, ["spec", "profile"]));
}

/** The other switch of the same MCLAG group, for a switch of type mclag. */
function mclagPeer(sw: JsonRecord, set: Parameters<SetRule["check"]>[1]): { name: string; id: string; object: JsonRecord } | undefined {
  const group = text(sw, ["spec", "redundancy", "group"]);
  if (text(sw, ["spec", "redundancy", "type"]) !== "mclag" || group === "") return undefined;
  const self = text(sw, ["metadata", "name"]);
  const byGroup = set.groupedBy("Switch", "mclag group", (o) =>
    text(o, ["spec", "redundancy", "type"]) === "mclag" ? text(o, ["spec", "redundancy", "group"]) || undefined : undefined,
  );
  return byGroup.get(group)?.find((o) => o.name !== self);
}

/** Speed-or-breakout setting checked against the profile (SW-205, SW-206, SW-207). */
function* portSettings(
  sw: JsonRecord,
  profile: JsonRecord,
  field: "portGroupSpeeds" | "portSpeeds" | "portBreakouts",
): Generator<Violation> {
  const profileName = text(sw, ["spec", "profile"]);
  const block = field === "portBreakouts" ? "breakout" : "speed";
  for (const [port, value] of entriesAt(sw, ["spec", field])) {
    const path = ["spec", field, port];
    const portProfileName =
      field === "portGroupSpeeds" ? stringAt(profile, ["spec", "portGroups", port, "profile"]) : stringAt(profile, ["spec", "ports", port, "profile"]);
    const exists = getIn(profile, ["spec", field === "portGroupSpeeds" ? "portGroups" : "ports", port]) !== undefined;
    const portProfile = portProfileNamed(profile, portProfileName ?? "");
    if (!exists) {
      yield { path, message: `${field === "portGroupSpeeds" ? "port group" : "port"} ${port} is not in SwitchProfile ${profileName}` };
    } else if (!hasBlock(portProfile, block)) {
      yield { path, message: `port ${port} of SwitchProfile ${profileName} has no configurable ${block === "speed" ? "speeds" : "breakouts"}` };
    } else {
      const supported =
        block === "speed" ? stringsAt(portProfile, ["speed", "supported"]) : entriesAt(portProfile, ["breakout", "supported"]).map(([mode]) => mode);
      if (typeof value === "string" && !supported.includes(value)) {
        yield { path, message: `${value} is not supported on port ${port}; supported: ${supported.join(", ")}` };
      }
    }
  }
}

/** A switch-level value that must be unique across switches (SW-211, SW-212, SW-214). */
function* uniqueAcrossSwitches(
  sw: JsonRecord,
  set: Parameters<SetRule["check"]>[1],
  field: string,
  key: (value: string) => string | undefined,
  what: string,
  skip: (other: JsonRecord) => boolean = () => false,
): Generator<Violation> {
  const mine = key(text(sw, ["spec", field]));
  if (mine === undefined) return;
  const self = text(sw, ["metadata", "name"]);
  const byValue = set.groupedBy("Switch", `unique ${field}`, (o) => key(text(o, ["spec", field])));
  for (const other of byValue.get(mine) ?? []) {
    if (other.name === self || skip(other.object)) continue;
    yield { path: ["spec", field], message: `${what} ${text(sw, ["spec", field])} is already used by switch ${other.name}`, conflictsWith: other.id };
  }
}

const addressKey = (value: string): string | undefined => {
  const prefix = parsePrefix(value);
  return prefix ? `${prefix.address.family}:${prefix.address.value}` : undefined;
};
const textKey = (value: string): string | undefined => (value === "" ? undefined : value);

export const switchSetRules: readonly SetRule[] = [
  setRule("SW-201", function* (sw, set) {
    for (const [i, ns] of stringsAt(sw, ["spec", "vlanNamespaces"]).entries()) yield* set.reference("VLANNamespace", ns, ["spec", "vlanNamespaces", i]);
  }),
  setRule("SW-202", function* (sw, set) {
    const seen: { ns: string; from: number; to: number }[] = [];
    for (const [i, ns] of stringsAt(sw, ["spec", "vlanNamespaces"]).entries()) {
      const namespace = set.get("VLANNamespace", ns);
      for (const range of namespace ? vlanRangesOf(namespace) : []) {
        const clash = seen.find((other) => other.ns !== ns && other.from <= range.to && range.from <= other.to);
        if (clash) {
          yield {
            path: ["spec", "vlanNamespaces", i],
            message: `VLAN ranges of VLANNamespaces ${clash.ns} (${clash.from}-${clash.to}) and ${ns} (${range.from}-${range.to}) overlap`,
          };
        }
        seen.push({ ns, ...range });
      }
    }
  }),
  setRule("SW-203", function* (sw, set) {
    for (const [i, group] of stringsAt(sw, ["spec", "groups"]).entries()) yield* set.reference("SwitchGroup", group, ["spec", "groups", i]);
  }),
  setRule("SW-204", (sw, set) => set.reference("SwitchProfile", text(sw, ["spec", "profile"]), ["spec", "profile"])),
  setRule("SW-205", (sw, set) => {
    const profile = profileOf(sw, set);
    return profile ? portSettings(sw, profile, "portGroupSpeeds") : [];
  }),
  setRule("SW-206", (sw, set) => {
    const profile = profileOf(sw, set);
    return profile ? portSettings(sw, profile, "portSpeeds") : [];
  }),
  setRule("SW-207", (sw, set) => {
    const profile = profileOf(sw, set);
    return profile ? portSettings(sw, profile, "portBreakouts") : [];
  }),
  setRule("SW-208", function* (sw, set) {
    const profile = profileOf(sw, set);
    if (!profile) return;
    const ports = new Map(profilePorts(profile).map((port) => [port.name, port]));
    for (const [key] of entriesAt(sw, ["spec", "portAutoNegs"])) {
      const lane = /^(E\d+\/\d+)\/(\d+)$/.exec(key);
      const port = ports.get(lane ? (lane[1] as string) : key);
      const portProfile = port ? portProfileNamed(profile, port.profile) : undefined;
      const mode = port ? selectedBreakout(profile, sw, port) : undefined;
      const allowed =
        port !== undefined &&
        port.group === "" &&
        getIn(portProfile, ["autoNegAllowed"]) === true &&
        (lane ? mode !== undefined && Number(lane[2]) <= (lanesOf(mode) ?? 0) : !hasBlock(portProfile, "breakout"));
      if (!allowed) yield { path: ["spec", "portAutoNegs", key], message: `port ${key} does not support configuring auto-negotiation` };
    }
  }),
  setRule("SW-209", function* (sw, set) {
    const profile = profileOf(sw, set);
    if (!profile) return;
    const needs: [boolean, string, string[]][] = [
      [getIn(sw, ["spec", "roce"]) === true, "roce", ["spec", "roce"]],
      [getIn(sw, ["spec", "ecmp", "roceQPN"]) === true, "ecmpRoCEQPN", ["spec", "ecmp", "roceQPN"]],
      [text(sw, ["spec", "redundancy", "type"]) === "mclag", "mclag", ["spec", "redundancy", "type"]],
      [text(sw, ["spec", "redundancy", "type"]) === "eslag", "eslag", ["spec", "redundancy", "type"]],
    ];
    for (const [used, feature, path] of needs) {
      if (used && getIn(profile, ["spec", "features", feature]) !== true) {
        yield { path, message: `SwitchProfile ${text(sw, ["spec", "profile"])} does not support ${feature}` };
      }
    }
  }),
  setRule("SW-210", function* (sw, set) {
    const profile = profileOf(sw, set);
    if (!profile) return;
    const perPipeline = new Map<string, number>();
    let total = 0;
    for (const port of profilePorts(profile)) {
      if (port.management) continue;
      const mode = selectedBreakout(profile, sw, port);
      const lanes = mode === undefined ? 1 : lanesOf(mode);
      if (lanes === undefined) {
        yield { path: ["spec", "portBreakouts", port.name], message: `breakout mode ${mode} of port ${port.name} is invalid` };
        continue;
      }
      total += lanes;
      if (port.pipeline !== "") perPipeline.set(port.pipeline, (perPipeline.get(port.pipeline) ?? 0) + lanes);
    }
    const maxPorts = int(profile, ["spec", "maxPorts"]);
    if (maxPorts > 0 && total > maxPorts) {
      yield { path: ["spec", "portBreakouts"], message: `the selected breakouts use ${total} ports, more than the profile's maximum ${maxPorts}` };
    }
    for (const [pipeline, used] of [...perPipeline].sort()) {
      const limit = getIn(profile, ["spec", "pipelines", pipeline, "maxPorts"]);
      if (typeof limit !== "number") yield { path: ["spec", "portBreakouts"], message: `pipeline ${pipeline} is not defined in the profile` };
      else if (used > limit) yield { path: ["spec", "portBreakouts"], message: `pipeline ${pipeline} uses ${used} ports, more than its maximum ${limit}` };
    }
  }),
  setRule("SW-211", function* (sw, set) {
    yield* uniqueAcrossSwitches(sw, set, "ip", addressKey, "management IP");
    const vip = parsePrefix(set.settings.controlVIP ?? "");
    const ip = parsePrefix(text(sw, ["spec", "ip"]));
    if (vip && ip && compareAddress(vip.address, ip.address) === 0) {
      yield { path: ["spec", "ip"], message: `management IP ${text(sw, ["spec", "ip"])} is the control VIP` };
    }
  }),
  setRule("SW-212", (sw, set) => uniqueAcrossSwitches(sw, set, "protocolIP", textKey, "protocol IP")),
  setRule("SW-213", function* (sw, set) {
    const asn = int(sw, ["spec", "asn"]);
    if (!isLeaf(sw) || asn === 0) return;
    const peer = mclagPeer(sw, set);
    if (peer) {
      const theirs = int(peer.object, ["spec", "asn"]);
      if (theirs !== 0 && theirs !== asn) yield { path: ["spec", "asn"], message: `MCLAG peers must share an ASN; ${peer.name} has ${theirs}`, conflictsWith: peer.id };
      return;
    }
    const self = text(sw, ["metadata", "name"]);
    const byAsn = set.groupedBy("Switch", "leaf asn", (o) => (isLeaf(o) && int(o, ["spec", "asn"]) !== 0 ? String(int(o, ["spec", "asn"])) : undefined));
    for (const other of byAsn.get(String(asn)) ?? []) {
      if (other.name !== self && mclagPeer(other.object, set)?.name !== self) {
        yield { path: ["spec", "asn"], message: `leaf ASN ${asn} is already used by switch ${other.name}`, conflictsWith: other.id };
      }
    }
  }),
  setRule("SW-214", function* (sw, set) {
    const vtep = text(sw, ["spec", "vtepIP"]);
    if (!isLeaf(sw) || vtep === "") return;
    const peer = mclagPeer(sw, set);
    if (peer) {
      const theirs = text(peer.object, ["spec", "vtepIP"]);
      if (theirs !== "" && theirs !== vtep) yield { path: ["spec", "vtepIP"], message: `MCLAG peers must share a VTEP IP; ${peer.name} has ${theirs}`, conflictsWith: peer.id };
      return;
    }
    const self = text(sw, ["metadata", "name"]);
    yield* uniqueAcrossSwitches(sw, set, "vtepIP", textKey, "VTEP IP", (other) => mclagPeer(other, set)?.name === self);
  }),
];

