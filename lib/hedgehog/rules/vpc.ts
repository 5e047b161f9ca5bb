// VPC rules (RULES.md §2). VPC-119 and VPC-132 are checked on the defaulted object: there they fire
// exactly when the cluster would (a subnet whose prefix is longer than /30 or does not parse keeps
// its dhcp range/options).
import {
  formatIp,
  isCanonical,
  lastAddress,
  parseIp,
  parseMac,
  parsePrefix,
  prefixContains,
  prefixesOverlap,
  prefixWithin,
  sameAddress,
  compareAddress,
  type IpPrefix,
} from "../net.js";
import { arrayAt, compareText, entriesAt, getIn, isRecord, recordAt, text, type JsonRecord, type Path } from "../object.js";
import type { DesiredSet, SetEntry } from "./desired-set.js";
import type { IntrinsicRule, SetRule, Violation } from "./rule.js";

export interface SubnetView {
  readonly name: string;
  readonly path: Path;
  readonly body: JsonRecord;
  readonly text: string;
  readonly prefix: IpPrefix | undefined;
  readonly hostBGP: boolean;
  readonly dhcpEnabled: boolean;
  readonly gateway: string;
  readonly vlan: number;
}

/** The VPC's subnets in name order (map order is not meaningful). */
export function subnetsOf(vpc: JsonRecord): SubnetView[] {
  return entriesAt(vpc, ["spec", "subnets"])
    .filter((entry): entry is [string, JsonRecord] => isRecord(entry[1]))
    .sort(([a], [b]) => compareText(a, b))
    .map(([name, body]) => ({
      name,
      path: ["spec", "subnets", name],
      body,
      text: text(body, ["subnet"]),
      prefix: parsePrefix(text(body, ["subnet"])),
      hostBGP: body["hostBGP"] === true,
      dhcpEnabled: getIn(body, ["dhcp", "enable"]) === true,
      gateway: text(body, ["gateway"]),
      vlan: typeof body["vlan"] === "number" ? body["vlan"] : 0,
    }));
}

type SubnetCheck = (subnet: SubnetView, vpc: JsonRecord) => Iterable<Violation>;

/** A rule evaluated once per subnet. */
function perSubnet(id: string, check: SubnetCheck, extra: Partial<IntrinsicRule> = {}): IntrinsicRule {
  return {
    id,
    kind: "VPC",
    severity: "error",
    ...extra,
    *check(vpc) {
      for (const subnet of subnetsOf(vpc)) yield* check(subnet, vpc);
    },
  };
}

/** Per subnet with DHCP server enabled (and a parsed prefix, which VPC-108 reports otherwise). */
function perDhcpSubnet(id: string, check: (subnet: SubnetView & { prefix: IpPrefix }, dhcp: JsonRecord) => Iterable<Violation>): IntrinsicRule {
  return perSubnet(id, function* (subnet) {
    const dhcp = recordAt(subnet.body, ["dhcp"]);
    if (subnet.dhcpEnabled && subnet.prefix && dhcp) yield* check(subnet as SubnetView & { prefix: IpPrefix }, dhcp);
  });
}

const DHCP_OPTION_FIELDS = [
  "pxeURL",
  "dnsServers",
  "timeServers",
  "interfaceMTU",
  "leaseTimeSeconds",
  "disableDefaultRoute",
  "advertisedRoutes",
] as const;

/** Checks a DHCP range bound (VPC-121 start, VPC-122 end). */
function* rangeBound(subnet: SubnetView & { prefix: IpPrefix }, dhcp: JsonRecord, bound: "start" | "end"): Generator<Violation> {
  const path = [...subnet.path, "dhcp", "range", bound];
  const value = text(dhcp, ["range", bound]);
  if (value === "") {
    if (bound === "end") yield { path, message: "dhcp range end is required" };
    return;
  }
  const address = parseIp(value);
  const gateway = parseIp(subnet.gateway);
  if (!address) yield { path, message: `dhcp range ${bound} "${value}" is not a valid IP address` };
  else if (sameAddress(address, subnet.prefix.network)) yield { path, message: `dhcp range ${bound} ${value} is the subnet's network address` };
  else if (gateway && sameAddress(address, gateway)) yield { path, message: `dhcp range ${bound} ${value} is the gateway address` };
  else if (!prefixContains(subnet.prefix, address)) yield { path, message: `dhcp range ${bound} ${value} is not in subnet ${subnet.text}` };
}

function* listedIps(subnet: SubnetView, dhcp: JsonRecord, field: "dnsServers" | "timeServers", what: string): Generator<Violation> {
  const list = arrayAt(dhcp, ["options", field]) ?? [];
  for (const [i, item] of list.entries()) {
    if (typeof item !== "string" || !parseIp(item)) {
      yield { path: [...subnet.path, "dhcp", "options", field, i], message: `${what} "${String(item)}" is not a valid IP address` };
    }
  }
}

function reservedPrefixes(settings: { reservedSubnets?: readonly string[] }): IpPrefix[] {
  return (settings.reservedSubnets ?? []).flatMap((text) => parsePrefix(text) ?? []);
}

export const vpcRules: readonly IntrinsicRule[] = [
  {
    id: "VPC-101",
    kind: "VPC",
    severity: "error",
    *check(vpc) {
      const name = text(vpc, ["metadata", "name"]);
      if (name.length > 11) yield { path: ["metadata", "name"], message: `VPC name "${name}" is longer than 11 characters` };
    },
  },
  {
    id: "VPC-102",
    kind: "VPC",
    severity: "error",
    *check(vpc) {
      if (text(vpc, ["metadata", "name"]).startsWith("ext.")) {
        yield { path: ["metadata", "name"], message: 'VPC names cannot start with "ext." (reserved for externals)' };
      }
    },
  },
  {
    id: "VPC-103",
    kind: "VPC",
    severity: "error",
    *check(vpc) {
      if (text(vpc, ["spec", "ipv4Namespace"]) === "") yield { path: ["spec", "ipv4Namespace"], message: "ipv4Namespace is required" };
    },
  },
  {
    id: "VPC-104",
    kind: "VPC",
    severity: "error",
    *check(vpc) {
      if (text(vpc, ["spec", "vlanNamespace"]) === "") yield { path: ["spec", "vlanNamespace"], message: "vlanNamespace is required" };
    },
  },
  {
    id: "VPC-105",
    kind: "VPC",
    severity: "error",
    *check(vpc) {
      const count = entriesAt(vpc, ["spec", "subnets"]).length;
      if (count === 0) yield { path: ["spec", "subnets"], message: "a VPC needs at least one subnet" };
      if (count > 20) yield { path: ["spec", "subnets"], message: `a VPC has at most 20 subnets, this one has ${count}` };
    },
  },
  {
    id: "VPC-106",
    kind: "VPC",
    severity: "error",
    *check(vpc) {
      const mode = text(vpc, ["spec", "mode"]);
      if (mode === "l3flat") yield { path: ["spec", "mode"], message: "mode l3flat is not supported yet" };
      else if (mode !== "" && mode !== "l3vni") yield { path: ["spec", "mode"], message: `mode "${mode}" is invalid; use "" (L2VNI) or l3vni` };
    },
  },
  perSubnet("VPC-107", function* (s) {
    if (s.text === "") yield { path: [...s.path, "subnet"], message: `subnet ${s.name} has no subnet prefix` };
  }),
  perSubnet("VPC-108", function* (s) {
    if (s.text !== "" && !s.prefix) yield { path: [...s.path, "subnet"], message: `"${s.text}" is not an IP prefix such as 10.0.1.0/24` };
  }),
  perSubnet("VPC-109", function* (s) {
    if (s.prefix && s.prefix.length > 30) yield { path: [...s.path, "subnet"], message: `prefix length /${s.prefix.length} is too long; at most /30` };
  }),
  {
    id: "VPC-110",
    kind: "VPC",
    severity: "error",
    needs: ["reservedSubnets"],
    *check(vpc, settings) {
      const reserved = reservedPrefixes(settings);
      for (const s of subnetsOf(vpc)) {
        const clash = s.prefix && reserved.find((r) => prefixesOverlap(r, s.prefix as IpPrefix));
        if (clash) yield { path: [...s.path, "subnet"], message: `subnet ${s.text} overlaps the reserved subnet ${formatIp(clash.network)}/${clash.length}` };
      }
    },
  },
  perSubnet("VPC-111", function* (s) {
    if (s.hostBGP && s.dhcpEnabled) yield { path: [...s.path, "dhcp", "enable"], message: "dhcp cannot be enabled on a hostBGP subnet" };
  }),
  perSubnet("VPC-112", function* (s) {
    if (!s.hostBGP && s.gateway === "") yield { path: [...s.path, "gateway"], message: `subnet ${s.name} needs a gateway` };
  }),
  perSubnet("VPC-113", function* (s) {
    if (!s.hostBGP && s.gateway !== "" && !parseIp(s.gateway)) {
      yield { path: [...s.path, "gateway"], message: `gateway "${s.gateway}" is not a valid IP address` };
    }
  }),
  perSubnet("VPC-114", function* (s) {
    const gateway = parseIp(s.gateway);
    if (!s.hostBGP && gateway && s.prefix && !prefixContains(s.prefix, gateway)) {
      yield { path: [...s.path, "gateway"], message: `gateway ${s.gateway} is not in subnet ${s.text}` };
    }
  }),
  perSubnet("VPC-115", function* (s) {
    if (!s.hostBGP && s.vlan === 0) yield { path: [...s.path, "vlan"], message: `subnet ${s.name} needs a VLAN` };
  }),
  perSubnet("VPC-116", function* (s) {
    if (s.dhcpEnabled && text(s.body, ["dhcp", "relay"]) !== "") {
      yield { path: [...s.path, "dhcp"], message: "dhcp relay and the dhcp server cannot both be enabled" };
    }
  }),
  perSubnet("VPC-117", function* (s) {
    const relay = text(s.body, ["dhcp", "relay"]);
    if (relay !== "" && !parsePrefix(relay)) {
      yield { path: [...s.path, "dhcp", "relay"], message: `dhcp relay "${relay}" is not a prefix (write it like 10.0.2.200/32)` };
    }
  }),
  perSubnet("VPC-118", function* (s) {
    if (text(s.body, ["dhcp", "relayVPC"]) !== "" && text(s.body, ["dhcp", "relay"]) === "") {
      yield { path: [...s.path, "dhcp", "relayVPC"], message: "dhcp relayVPC is set but no dhcp relay is" };
    }
  }),
  perSubnet("VPC-119", function* (s) {
    const options = recordAt(s.body, ["dhcp", "options"]);
    if (s.dhcpEnabled || !options) return;
    for (const field of DHCP_OPTION_FIELDS) {
      const value = options[field];
      if (value !== undefined && value !== null && value !== "" && value !== 0 && value !== false) {
        yield { path: [...s.path, "dhcp", "options", field], message: `dhcp option ${field} is set but dhcp is disabled` };
      }
    }
  }),
  perDhcpSubnet("VPC-120", function* (s, dhcp) {
    if (text(dhcp, ["range", "start"]) === "") yield { path: [...s.path, "dhcp", "range"], message: "dhcp range start is required when dhcp is enabled" };
  }),
  perDhcpSubnet("VPC-121", (s, dhcp) => rangeBound(s, dhcp, "start")),
  perDhcpSubnet("VPC-122", (s, dhcp) => rangeBound(s, dhcp, "end")),
  perDhcpSubnet("VPC-123", function* (s, dhcp) {
    const start = parseIp(text(dhcp, ["range", "start"]));
    const end = parseIp(text(dhcp, ["range", "end"]));
    if (start && end && compareAddress(start, end) >= 0) {
      yield { path: [...s.path, "dhcp", "range"], message: `dhcp range start ${formatIp(start)} does not come before end ${formatIp(end)}` };
    }
  }),
  perDhcpSubnet("VPC-124", (s, dhcp) => listedIps(s, dhcp, "dnsServers", "dns server")),
  perDhcpSubnet("VPC-125", (s, dhcp) => listedIps(s, dhcp, "timeServers", "time server")),
  perDhcpSubnet("VPC-126", function* (s, dhcp) {
    const mtu = getIn(dhcp, ["options", "interfaceMTU"]);
    if (typeof mtu === "number" && (mtu < 96 || mtu > 9036)) {
      yield { path: [...s.path, "dhcp", "options", "interfaceMTU"], message: `dhcp interfaceMTU ${mtu} is outside 96..9036` };
    }
  }),
  perDhcpSubnet("VPC-127", function* (s, dhcp) {
    const lease = getIn(dhcp, ["options", "leaseTimeSeconds"]);
    if (typeof lease === "number" && lease < 1) {
      yield { path: [...s.path, "dhcp", "options", "leaseTimeSeconds"], message: `dhcp leaseTimeSeconds ${lease} must be at least 1` };
    }
  }),
  perDhcpSubnet("VPC-128", function* (s, dhcp) {
    for (const [i, route] of (arrayAt(dhcp, ["options", "advertisedRoutes"]) ?? []).entries()) {
      const path = [...s.path, "dhcp", "options", "advertisedRoutes", i];
      const destination = text(route, ["destination"]);
      const gatewayText = text(route, ["gateway"]);
      if (destination === "") yield { path: [...path, "destination"], message: "advertised route destination is required" };
      else if (!parsePrefix(destination)) yield { path: [...path, "destination"], message: `advertised route destination "${destination}" is not a prefix` };
      const gateway = parseIp(gatewayText);
      if (gatewayText === "") yield { path: [...path, "gateway"], message: "advertised route gateway is required" };
      else if (!gateway) yield { path: [...path, "gateway"], message: `advertised route gateway "${gatewayText}" is not a valid IP address` };
      else if (!prefixContains(s.prefix, gateway)) yield { path: [...path, "gateway"], message: `advertised route gateway ${gatewayText} is not in subnet ${s.text}` };
    }
  }),
  perDhcpSubnet("VPC-129", function* (s, dhcp) {
    for (const [mac, entry] of entriesAt(dhcp, ["static"])) {
      const path = [...s.path, "dhcp", "static", mac];
      if (mac === "") yield { path, message: "a static DHCP entry has an empty MAC address" };
      else if (!parseMac(mac)) yield { path, message: `static DHCP key "${mac}" is not a valid MAC address` };
      if (text(entry, ["ip"]) === "") yield { path: [...path, "ip"], message: `static DHCP entry ${mac} has no ip` };
    }
  }),
  perDhcpSubnet("VPC-130", function* (s, dhcp) {
    for (const [mac, entry] of entriesAt(dhcp, ["static"])) {
      const value = text(entry, ["ip"]);
      if (value === "") continue;
      const path = [...s.path, "dhcp", "static", mac, "ip"];
      const address = parseIp(value);
      if (!address) yield { path, message: `static DHCP ip "${value}" is not a valid IP address` };
      else if (!prefixContains(s.prefix, address)) yield { path, message: `static DHCP ip ${value} is not in subnet ${s.text}` };
      else if (sameAddress(address, s.prefix.network)) yield { path, message: `static DHCP ip ${value} is the subnet's network address` };
      else if (value === s.gateway) yield { path, message: `static DHCP ip ${value} is the gateway address` };
      else if (sameAddress(address, lastAddress(s.prefix))) yield { path, message: `static DHCP ip ${value} is the subnet's broadcast address` };
    }
  }),
  perDhcpSubnet("VPC-131", function* (s, dhcp) {
    const owner = new Map<string, string>();
    for (const [mac, entry] of entriesAt(dhcp, ["static"]).sort(([a], [b]) => compareText(a, b))) {
      const ip = text(entry, ["ip"]);
      if (ip === "") continue;
      const first = owner.get(ip);
      if (first !== undefined) yield { path: [...s.path, "dhcp", "static", mac, "ip"], message: `static DHCP ip ${ip} is already assigned to ${first}` };
      else owner.set(ip, mac);
    }
  }),
  perSubnet("VPC-132", function* (s) {
    if (s.dhcpEnabled) return;
    for (const bound of ["start", "end"]) {
      if (text(s.body, ["dhcp", "range", bound]) !== "") {
        yield { path: [...s.path, "dhcp", "range", bound], message: `dhcp range ${bound} is set but dhcp is disabled` };
      }
    }
  }),
  perSubnet("VPC-133", function* (s) {
    if (!s.dhcpEnabled && entriesAt(s.body, ["dhcp", "static"]).length > 0) {
      yield { path: [...s.path, "dhcp", "static"], message: "static DHCP entries need dhcp enabled" };
    }
  }),
  {
    id: "VPC-134",
    kind: "VPC",
    severity: "error",
    *check(vpc) {
      const seen = new Map<number, string>();
      for (const s of subnetsOf(vpc)) {
        if (s.hostBGP || s.vlan === 0) continue;
        const first = seen.get(s.vlan);
        if (first !== undefined) yield { path: [...s.path, "vlan"], message: `VLAN ${s.vlan} is already used by subnet ${first}` };
        else seen.set(s.vlan, s.name);
      }
    },
  },
  {
    id: "VPC-135",
    kind: "VPC",
    severity: "error",
    *check(vpc) {
      const subnets = subnetsOf(vpc);
      for (const [i, s] of subnets.entries()) {
        const earlier = subnets.slice(0, i).find((other) => other.prefix && s.prefix && prefixesOverlap(other.prefix, s.prefix));
        if (earlier) yield { path: [...s.path, "subnet"], message: `subnet ${s.text} overlaps subnet ${earlier.name} (${earlier.text})` };
      }
    },
  },
  {
    id: "VPC-136",
    kind: "VPC",
    severity: "error",
    *check(vpc) {
      for (const [i, policy] of (arrayAt(vpc, ["spec", "permit"]) ?? []).entries()) {
        if (!Array.isArray(policy) || policy.length < 2) yield { path: ["spec", "permit", i], message: `permit policy #${i} needs at least 2 subnets` };
      }
    },
  },
  {
    id: "VPC-137",
    kind: "VPC",
    severity: "error",
    *check(vpc) {
      const names = new Set(entriesAt(vpc, ["spec", "subnets"]).map(([name]) => name));
      for (const [i, policy] of (arrayAt(vpc, ["spec", "permit"]) ?? []).entries()) {
        for (const [j, name] of (Array.isArray(policy) ? policy : []).entries()) {
          if (typeof name === "string" && !names.has(name)) yield { path: ["spec", "permit", i, j], message: `permit policy #${i}: subnet ${name} is not a subnet of this VPC` };
        }
      }
    },
  },
  {
    id: "VPC-138",
    kind: "VPC",
    severity: "error",
    *check(vpc) {
      for (const [i, policy] of (arrayAt(vpc, ["spec", "permit"]) ?? []).entries()) {
        const seen = new Set<unknown>();
        for (const [j, name] of (Array.isArray(policy) ? policy : []).entries()) {
          if (seen.has(name)) yield { path: ["spec", "permit", i, j], message: `permit policy #${i} lists subnet ${String(name)} twice` };
          seen.add(name);
        }
      }
    },
  },
  {
    id: "VPC-139",
    kind: "VPC",
    severity: "error",
    *check(vpc) {
      for (const [i, route] of (arrayAt(vpc, ["spec", "staticRoutes"]) ?? []).entries()) {
        const path = ["spec", "staticRoutes", i, "prefix"];
        const value = text(route, ["prefix"]);
        const prefix = parsePrefix(value);
        if (value === "") yield { path, message: "static route prefix is required" };
        else if (!prefix) yield { path, message: `static route prefix "${value}" is not a prefix` };
        else if (!isCanonical(prefix)) {
          yield { path, message: `static route prefix ${value} has host bits set; write ${formatIp(prefix.network)}/${prefix.length}` };
        }
      }
    },
  },
  {
    id: "VPC-140",
    kind: "VPC",
    severity: "error",
    *check(vpc) {
      for (const [i, route] of (arrayAt(vpc, ["spec", "staticRoutes"]) ?? []).entries()) {
        if ((arrayAt(route, ["nextHops"]) ?? []).length === 0) yield { path: ["spec", "staticRoutes", i, "nextHops"], message: "static route needs at least one next hop" };
      }
    },
  },
];

/** Inclusive VLAN ranges of a VLANNamespace object. */
export function vlanRangesOf(namespace: JsonRecord): { from: number; to: number }[] {
  return (arrayAt(namespace, ["spec", "ranges"]) ?? []).flatMap((range) => {
    const from = getIn(range, ["from"]);
    const to = getIn(range, ["to"]);
    return typeof from === "number" && typeof to === "number" ? [{ from, to }] : [];
  });
}

/** Every VPC subnet of the set, grouped by the VPC's IPv4 or VLAN namespace (computed once per set). */
function subnetsByNamespace(set: DesiredSet, field: "ipv4Namespace" | "vlanNamespace"): ReadonlyMap<string, { vpc: SetEntry; subnet: SubnetView }[]> {
  return set.derived(`VPC subnets by ${field}`, () => {
    const groups = new Map<string, { vpc: SetEntry; subnet: SubnetView }[]>();
    for (const vpc of set.list("VPC")) {
      const ns = text(vpc.object, ["spec", field]);
      const group = groups.get(ns) ?? [];
      for (const subnet of subnetsOf(vpc.object)) group.push({ vpc, subnet });
      groups.set(ns, group);
    }
    return groups;
  });
}

export const vpcSetRules: readonly SetRule[] = [
  {
    id: "VPC-201",
    kind: "VPC",
    severity: "error",
    check: (vpc, set) => set.reference("IPv4Namespace", text(vpc, ["spec", "ipv4Namespace"]), ["spec", "ipv4Namespace"]),
  },
  {
    id: "VPC-202",
    kind: "VPC",
    severity: "error",
    check: (vpc, set) => set.reference("VLANNamespace", text(vpc, ["spec", "vlanNamespace"]), ["spec", "vlanNamespace"]),
  },
  {
    id: "VPC-203",
    kind: "VPC",
    severity: "error",
    *check(vpc, set) {
      const nsName = text(vpc, ["spec", "ipv4Namespace"]);
      const ns = set.get("IPv4Namespace", nsName);
      if (!ns) return;
      const pool = (arrayAt(ns, ["spec", "subnets"]) ?? []).flatMap((item) => (typeof item === "string" ? (parsePrefix(item) ?? []) : []));
      for (const s of subnetsOf(vpc)) {
        if (s.prefix && !pool.some((outer) => prefixWithin(s.prefix as IpPrefix, outer))) {
          yield { path: [...s.path, "subnet"], message: `subnet ${s.text} is not inside any subnet of ${set.describe("IPv4Namespace", nsName)}` };
        }
      }
    },
  },
  {
    id: "VPC-204",
    kind: "VPC",
    severity: "error",
    *check(vpc, set) {
      const nsName = text(vpc, ["spec", "vlanNamespace"]);
      const ns = set.get("VLANNamespace", nsName);
      if (!ns) return;
      const ranges = vlanRangesOf(ns);
      for (const s of subnetsOf(vpc)) {
        if (!s.hostBGP && !ranges.some((r) => s.vlan >= r.from && s.vlan <= r.to)) {
          yield { path: [...s.path, "vlan"], message: `VLAN ${s.vlan} is not in any range of ${set.describe("VLANNamespace", nsName)}` };
        }
      }
    },
  },
  {
    id: "VPC-205",
    kind: "VPC",
    severity: "error",
    *check(vpc, set) {
      for (const s of subnetsOf(vpc)) {
        yield* set.reference("VPC", text(s.body, ["dhcp", "relayVPC"]), [...s.path, "dhcp", "relayVPC"], "dhcp relay ");
      }
    },
  },
  {
    id: "VPC-206",
    kind: "VPC",
    severity: "error",
    *check(vpc, set) {
      const self = text(vpc, ["metadata", "name"]);
      const others = subnetsByNamespace(set, "ipv4Namespace").get(text(vpc, ["spec", "ipv4Namespace"])) ?? [];
      for (const s of subnetsOf(vpc)) {
        const clash = s.prefix && others.find((t) => t.vpc.name !== self && t.subnet.prefix && prefixesOverlap(t.subnet.prefix, s.prefix as IpPrefix));
        if (clash) {
          yield {
            path: [...s.path, "subnet"],
            message: `subnet ${s.text} overlaps subnet ${clash.subnet.name} (${clash.subnet.text}) of ${set.describe("VPC", clash.vpc.name)}`,
            conflictsWith: clash.vpc.id,
          };
        }
      }
    },
  },
  {
    id: "VPC-207",
    kind: "VPC",
    severity: "error",
    *check(vpc, set) {
      const self = text(vpc, ["metadata", "name"]);
      const others = subnetsByNamespace(set, "vlanNamespace").get(text(vpc, ["spec", "vlanNamespace"])) ?? [];
      for (const s of subnetsOf(vpc)) {
        const clash = others.find((t) => t.vpc.name !== self && t.subnet.vlan === s.vlan && !(s.vlan === 0 && (s.hostBGP || t.subnet.hostBGP)));
        if (clash) {
          yield {
            path: [...s.path, "vlan"],
            message: `VLAN ${s.vlan} is already used by subnet ${clash.subnet.name} of ${set.describe("VPC", clash.vpc.name)}`,
            conflictsWith: clash.vpc.id,
          };
        }
      }
    },
  },
];
