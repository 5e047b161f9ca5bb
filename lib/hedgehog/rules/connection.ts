// Connection rules (RULES.md §11). The per-type structure rules (CONN-105..112) and the link IP
// rules read the connection type table in ../connection.ts.
import { connectionTypes, devicesOf, linkIpEnds, portRefs, soleType, splitPort, typesOf, type ConnectionType, type PortRef } from "../connection.js";
import { parseIp, parsePrefix, prefixContains, prefixesOverlap, isCanonical, formatIp } from "../net.js";
import { arrayAt, compareText, getIn, text, type JsonRecord } from "../object.js";
import { derivedLabelRule } from "./common.js";
import type { DesiredSet } from "./desired-set.js";
import { usablePortNames } from "./profile-ports.js";
import type { IntrinsicRule, SetRule, Violation } from "./rule.js";

function rule(id: string, check: IntrinsicRule["check"], extra: Partial<IntrinsicRule> = {}): IntrinsicRule {
  return { id, kind: "Connection", severity: "error", ...extra, check };
}

function countText(range: readonly [number, number], noun: string): string {
  const [min, max] = range;
  return min === max ? `exactly ${min} ${noun}${min === 1 ? "" : "es"}` : `${min} to ${max} ${noun}es`;
}

/** The structure rule of one connection type, read from the type table. */
function* structure(connection: JsonRecord, type: ConnectionType): Generator<Violation> {
  const at = ["spec", type.field];
  for (const list of type.nonEmptyLists ?? []) {
    if ((arrayAt(connection, [...at, list]) ?? []).length === 0) yield { path: [...at, list], message: `a ${type.label} connection needs at least one entry in ${list}` };
  }
  const refs = portRefs(connection, type);
  for (const [role, range] of [
    ["switch", type.switches],
    ["server", type.servers],
  ] as const) {
    if (!range) continue;
    const devices = devicesOf(refs, role);
    if (devices.length < range[0] || devices.length > range[1]) {
      yield {
        path: at,
        message: `a ${type.label} connection must use ${countText(range, role === "switch" ? "switch" : "server")}, found ${devices.length}${devices.length ? ` (${devices.join(", ")})` : ""}`,
      };
    }
  }
  if (type.uniquePorts) {
    const seen = new Set<string>();
    for (const ref of refs) {
      if (ref.ref !== "" && seen.has(ref.ref)) yield { path: ref.path, message: `port ${ref.ref} is used twice in this connection` };
      seen.add(ref.ref);
    }
  }
}

const reserved = (settings: { reservedSubnets?: readonly string[] }) => (settings.reservedSubnets ?? []).flatMap((item) => parsePrefix(item) ?? []);
const staticSubnets = (connection: JsonRecord) =>
  (arrayAt(connection, ["spec", "staticExternal", "link", "switch", "subnets"]) ?? []).map((item, i) => ({
    index: i,
    text: typeof item === "string" ? item : "",
    prefix: typeof item === "string" ? parsePrefix(item) : undefined,
  }));
const staticPath = (...rest: (string | number)[]) => ["spec", "staticExternal", "link", "switch", ...rest];

/** Link IP ends of the connection, each with its address. */
function linkAddresses(connection: JsonRecord) {
  return linkIpEnds(connection).flatMap(({ ends }) => ends.map((end) => ({ ...end, prefix: parsePrefix(end.ip) })));
}

export const connectionRules: readonly IntrinsicRule[] = [
  derivedLabelRule("Connection", "CONN-101"),
  rule(
    "CONN-102",
    function* (connection, settings) {
      const cap = (settings.fabricMTU ?? 0) - (settings.serverFacingMTUOffset ?? 0);
      for (const type of typesOf(connection).filter((t) => t.mtuCapped)) {
        const mtu = getIn(connection, ["spec", type.field, "mtu"]);
        if (typeof mtu === "number" && mtu > cap) {
          yield { path: ["spec", type.field, "mtu"], message: `MTU ${mtu} exceeds the fabric MTU minus the server-facing offset (${cap})` };
        }
      }
    },
    { needs: ["fabricMTU", "serverFacingMTUOffset"] },
  ),
  rule("CONN-103", function* (connection) {
    const types = typesOf(connection);
    if (types.length === 0) yield { path: ["spec"], message: `exactly one connection type must be set (one of ${connectionTypes.map((t) => t.field).join(", ")})` };
    if (types.length > 1) yield { path: ["spec"], message: `exactly one connection type must be set, found ${types.map((t) => t.field).join(", ")}` };
  }),
  rule("CONN-104", function* (connection) {
    for (const type of typesOf(connection)) {
      for (const ref of portRefs(connection, type)) {
        if (!splitPort(ref.ref)) yield { path: ref.path, message: `port "${ref.ref}" is not of the form <device>/<port>` };
      }
    }
  }),
  ...[...new Set(connectionTypes.flatMap((type) => (type.structureRule ? [type.structureRule] : [])))].map((id) =>
    rule(id, function* (connection) {
      const type = soleType(connection);
      if (type?.structureRule === id) yield* structure(connection, type);
    }),
  ),
  rule("CONN-113", function* (connection) {
    if (soleType(connection)?.field !== "staticExternal") return;
    const ip = text(connection, staticPath("ip"));
    if (ip === "") yield { path: staticPath("ip"), message: "staticExternal switch.ip is required" };
    else if (!parsePrefix(ip)) yield { path: staticPath("ip"), message: `staticExternal switch.ip "${ip}" is not an address/length` };
  }),
  rule("CONN-114", function* (connection) {
    if (soleType(connection)?.field !== "staticExternal") return;
    const nextHop = text(connection, staticPath("nextHop"));
    const address = parseIp(nextHop);
    const network = parsePrefix(text(connection, staticPath("ip")));
    if (nextHop === "") yield { path: staticPath("nextHop"), message: "staticExternal switch.nextHop is required" };
    else if (!address) yield { path: staticPath("nextHop"), message: `staticExternal nextHop "${nextHop}" is not a valid IP address` };
    else if (network && !prefixContains(network, address)) {
      yield { path: staticPath("nextHop"), message: `staticExternal nextHop ${nextHop} is not in ${text(connection, staticPath("ip"))}` };
    }
  }),
  rule("CONN-115", function* (connection) {
    const subnets = staticSubnets(connection);
    const hasDefault = subnets.some((s) => s.text === "0.0.0.0/0");
    for (const [i, s] of subnets.entries()) {
      const path = staticPath("subnets", s.index);
      const prefix = s.prefix;
      if (!prefix) yield { path, message: `"${s.text}" is not an IP prefix` };
      else if (hasDefault && subnets.length > 1) {
        if (s.text === "0.0.0.0/0") yield { path, message: "the default route 0.0.0.0/0 must be the only subnet" };
      } else if (!isCanonical(prefix)) yield { path, message: `subnet ${s.text} has host bits set; write ${formatIp(prefix.network)}/${prefix.length}` };
      else {
        const earlier = subnets.slice(0, i).find((o) => o.prefix && prefixesOverlap(o.prefix, prefix));
        if (earlier) yield { path, message: `subnet ${s.text} overlaps ${earlier.text}` };
      }
    }
  }),
  rule(
    "CONN-116",
    function* (connection, settings) {
      const subnets = staticSubnets(connection);
      if (subnets.length === 1 && subnets[0]?.text === "0.0.0.0/0") return;
      for (const s of subnets) {
        const prefix = s.prefix;
        const clash = prefix && reserved(settings).find((r) => prefixesOverlap(r, prefix));
        if (clash) yield { path: staticPath("subnets", s.index), message: `subnet ${s.text} overlaps the reserved subnet ${formatIp(clash.network)}/${clash.length}` };
      }
    },
    { needs: ["reservedSubnets"] },
  ),
  rule(
    "CONN-117",
    function* (connection, settings) {
      const type = soleType(connection);
      if (type?.spineLeafOnly && settings.fabricMode !== "spine-leaf") {
        yield { path: ["spec", type.field], message: `${type.label} connections are allowed only in fabric mode spine-leaf` };
      }
    },
    { needs: ["fabricMode"] },
  ),
  rule("CONN-118", function* (connection) {
    for (const { ends } of linkIpEnds(connection)) {
      if (ends.length !== 2) continue;
      for (const end of ends) {
        if (parsePrefix(end.ip)?.length !== 31) yield { path: end.path, message: `link IP ${end.ip} is not a /31` };
      }
    }
  }),
  rule("CONN-119", function* (connection) {
    for (const { ends } of linkIpEnds(connection)) {
      const [first, second] = ends;
      const a = first && parsePrefix(first.ip);
      const b = second && parsePrefix(second.ip);
      if (first && second && a?.length === 31 && b?.length === 31 && a.network.value !== b.network.value) {
        yield { path: second.path, message: `link IPs ${first.ip} and ${second.ip} are not in the same /31` };
      }
    }
  }),
  rule(
    "CONN-120",
    function* (connection, settings) {
      const fabric = parsePrefix(settings.fabricSubnet ?? "");
      if (!fabric) return;
      for (const end of linkAddresses(connection)) {
        if (end.prefix && !prefixContains(fabric, end.prefix.address)) yield { path: end.path, message: `link IP ${end.ip} is not in the fabric subnet ${settings.fabricSubnet}` };
      }
    },
    { needs: ["fabricSubnet"] },
  ),
  rule("CONN-121", function* (connection) {
    const seen = new Set<string>();
    for (const end of linkAddresses(connection)) {
      if (!end.prefix) continue;
      const key = formatIp(end.prefix.address);
      if (seen.has(key)) yield { path: end.path, message: `link IP address ${key} is used twice in this connection` };
      seen.add(key);
    }
  }),
];

/** Port references of the connection's single type (all types set when there are several). */
function refsOf(connection: JsonRecord): PortRef[] {
  return typesOf(connection).flatMap((type) => portRefs(connection, type));
}

function* devicesExist(connection: JsonRecord, set: DesiredSet, role: "switch" | "server"): Generator<Violation> {
  const refs = refsOf(connection);
  for (const device of devicesOf(refs, role)) {
    const path = refs.find((ref) => ref.role === role && splitPort(ref.ref)?.device === device)?.path ?? ["spec"];
    yield* set.reference(role === "switch" ? "Switch" : "Server", device, path);
  }
}

/** Port key for CONN-206: a two-slash reference ("sw/E1/4") and its lane 1 ("sw/E1/4/1") collide. */
function portKeys(ref: string): string[] {
  const slashes = ref.split("/").length - 1;
  if (slashes === 2) return [ref, `${ref}/1`];
  if (slashes === 3 && ref.endsWith("/1")) return [ref, ref.slice(0, -2)];
  return [ref];
}

export const connectionSetRules: readonly SetRule[] = [
  { id: "CONN-201", kind: "Connection", severity: "error", check: (c, set) => devicesExist(c, set, "switch") },
  {
    id: "CONN-202",
    kind: "Connection",
    severity: "error",
    *check(connection, set) {
      const type = soleType(connection);
      if (!type || !["mclag", "eslag", "mclagDomain"].includes(type.field)) return;
      const switches = devicesOf(portRefs(connection, type), "switch").flatMap((name) => {
        const sw = set.get("Switch", name);
        return sw && text(sw, ["spec", "redundancy", "type"]) !== "" ? [{ name, group: text(sw, ["spec", "redundancy", "group"]), kind: text(sw, ["spec", "redundancy", "type"]) }] : [];
      });
      const [first, ...rest] = switches;
      for (const other of rest) {
        if (first && other.group !== first.group) yield { path: ["spec", type.field], message: `switches ${first.name} and ${other.name} must belong to the same redundancy group` };
        else if (first && other.kind !== first.kind) yield { path: ["spec", type.field], message: `switches ${first.name} and ${other.name} must have the same redundancy type` };
      }
    },
  },
  {
    id: "CONN-203",
    kind: "Connection",
    severity: "error",
    *check(connection, set) {
      const type = soleType(connection);
      const wanted = type?.field === "eslag" ? "eslag" : type?.field === "mclag" || type?.field === "mclagDomain" ? "mclag" : undefined;
      if (!type || !wanted) return;
      for (const name of devicesOf(portRefs(connection, type), "switch")) {
        const sw = set.get("Switch", name);
        if (!sw) continue;
        if (text(sw, ["spec", "redundancy", "group"]) === "") yield { path: ["spec", type.field], message: `switch ${name} needs a redundancy group for a ${type.label} connection` };
        else if (text(sw, ["spec", "redundancy", "type"]) !== wanted) yield { path: ["spec", type.field], message: `switch ${name} needs redundancy type ${wanted} for a ${type.label} connection` };
      }
    },
  },
  {
    id: "CONN-204",
    kind: "Connection",
    severity: "error",
    *check(connection, set) {
      for (const ref of refsOf(connection)) {
        const split = ref.role === "switch" ? splitPort(ref.ref) : undefined;
        const sw = split && set.get("Switch", split.device);
        if (!split || !sw) continue;
        const profileName = text(sw, ["spec", "profile"]);
        const profile = set.get("SwitchProfile", profileName);
        if (profile && !usablePortNames(profile, sw).has(split.port)) {
          yield { path: ref.path, message: `port ${split.port} does not exist on switch ${split.device} (SwitchProfile ${profileName})` };
        }
      }
    },
  },
  { id: "CONN-205", kind: "Connection", severity: "error", check: (c, set) => devicesExist(c, set, "server") },
  {
    id: "CONN-206",
    kind: "Connection",
    severity: "error",
    *check(connection, set) {
      const self = text(connection, ["metadata", "name"]);
      const byPort = set.groupedBy("Connection", "port keys", (c) => refsOf(c).flatMap((ref) => (ref.ref === "" ? [] : portKeys(ref.ref))));
      for (const ref of refsOf(connection).filter((r) => r.ref !== "")) {
        const others = new Map(portKeys(ref.ref).flatMap((k) => byPort.get(k) ?? []).filter((o) => o.name !== self).map((o) => [o.id, o]));
        for (const other of [...others.values()].sort((a, b) => compareText(a.id, b.id))) {
          yield { path: ref.path, message: `port ${ref.ref} is already used by connection ${other.name}`, conflictsWith: other.id };
        }
      }
    },
  },
  {
    id: "CONN-207",
    kind: "Connection",
    severity: "error",
    *check(connection, set) {
      const self = text(connection, ["metadata", "name"]);
      const byAddress = set.groupedBy("Connection", "link addresses", (c) => linkAddresses(c).flatMap((end) => (end.prefix ? [formatIp(end.prefix.address)] : [])));
      for (const end of linkAddresses(connection)) {
        const address = end.prefix ? formatIp(end.prefix.address) : undefined;
        for (const other of (address && byAddress.get(address)) || []) {
          if (other.name !== self) yield { path: end.path, message: `link IP address ${address} is already used by connection ${other.name}`, conflictsWith: other.id };
        }
      }
    },
  },
  {
    id: "CONN-208",
    kind: "Connection",
    severity: "error",
    check: (c, set) => set.reference("VPC", text(c, ["spec", "staticExternal", "withinVPC"]), ["spec", "staticExternal", "withinVPC"], "withinVPC "),
  },
];
