// ExternalAttachment rules (RULES.md §7). An attachment is static when spec.static is present.
import { soleType } from "../connection.js";
import { parseIp, parsePrefix } from "../net.js";
import { arrayAt, getIn, int, isRecord, text, type JsonRecord, type Path } from "../object.js";
import { derivedLabelRule } from "./common.js";
import { isStaticExternal } from "./external.js";
import type { IntrinsicRule, SetRule, Violation } from "./rule.js";

const ACTIONS = ["permit", "deny", "discard", "transit"];
const PROTOCOLS = ["ip", "tcp", "udp", "icmp"];
const TCP_FLAGS = ["fin", "syn", "rst", "psh", "ack", "urg"];

function isStatic(attachment: JsonRecord): boolean {
  const block = getIn(attachment, ["spec", "static"]);
  return block !== undefined && block !== null;
}

const isSet = (value: unknown): boolean => value !== undefined && value !== null && value !== "" && value !== 0;

/** A rule over each inbound ACL statement, in either mode. */
function perStatement(id: string, check: (statement: JsonRecord, path: Path, index: number) => Iterable<Violation>): IntrinsicRule {
  return {
    id,
    kind: "ExternalAttachment",
    severity: "error",
    *check(attachment) {
      for (const [i, statement] of (arrayAt(attachment, ["spec", "inboundACL", "statements"]) ?? []).entries()) {
        if (isRecord(statement)) yield* check(statement, ["spec", "inboundACL", "statements", i], i);
      }
    },
  };
}

function bgpRule(id: string, check: (attachment: JsonRecord) => Iterable<Violation>): IntrinsicRule {
  return { id, kind: "ExternalAttachment", severity: "error", check: (attachment) => (isStatic(attachment) ? [] : check(attachment)) };
}

function staticRule(id: string, check: (attachment: JsonRecord) => Iterable<Violation>): IntrinsicRule {
  return { id, kind: "ExternalAttachment", severity: "error", check: (attachment) => (isStatic(attachment) ? check(attachment) : []) };
}

function* required(attachment: JsonRecord, field: string): Generator<Violation> {
  if (text(attachment, ["spec", field]) === "") yield { path: ["spec", field], message: `${field} is required` };
}

export const externalAttachmentRules: readonly IntrinsicRule[] = [
  derivedLabelRule("ExternalAttachment", "EXTATT-101"),
  { id: "EXTATT-102", kind: "ExternalAttachment", severity: "error", check: (a) => required(a, "external") },
  { id: "EXTATT-103", kind: "ExternalAttachment", severity: "error", check: (a) => required(a, "connection") },
  bgpRule("EXTATT-104", function* (a) {
    const ip = text(a, ["spec", "switch", "ip"]);
    if (ip === "") yield { path: ["spec", "switch", "ip"], message: "switch.ip is required for a BGP attachment" };
    else if (!parsePrefix(ip)) yield { path: ["spec", "switch", "ip"], message: `switch.ip "${ip}" is not an address/length such as 10.0.0.1/31` };
  }),
  bgpRule("EXTATT-105", function* (a) {
    if (int(a, ["spec", "neighbor", "asn"]) === 0) yield { path: ["spec", "neighbor", "asn"], message: "neighbor.asn is required for a BGP attachment" };
  }),
  bgpRule("EXTATT-106", function* (a) {
    const ip = text(a, ["spec", "neighbor", "ip"]);
    if (ip === "") yield { path: ["spec", "neighbor", "ip"], message: "neighbor.ip is required for a BGP attachment" };
    else if (!parseIp(ip)) yield { path: ["spec", "neighbor", "ip"], message: `neighbor.ip "${ip}" is not a bare IP address` };
  }),
  staticRule("EXTATT-107", function* (a) {
    for (const field of ["ip", "vlan"]) {
      if (isSet(getIn(a, ["spec", "switch", field]))) yield { path: ["spec", "switch", field], message: `switch.${field} must not be set for a static attachment` };
    }
  }),
  staticRule("EXTATT-108", function* (a) {
    for (const field of ["asn", "ip"]) {
      if (isSet(getIn(a, ["spec", "neighbor", field]))) yield { path: ["spec", "neighbor", field], message: `neighbor.${field} must not be set for a static attachment` };
    }
  }),
  staticRule("EXTATT-109", function* (a) {
    const ip = text(a, ["spec", "static", "remoteIP"]);
    if (ip === "") yield { path: ["spec", "static", "remoteIP"], message: "static.remoteIP is required" };
    else if (!parseIp(ip)) yield { path: ["spec", "static", "remoteIP"], message: `static.remoteIP "${ip}" is not a bare IP address` };
  }),
  staticRule("EXTATT-110", function* (a) {
    const ip = text(a, ["spec", "static", "ip"]) !== "";
    const proxy = getIn(a, ["spec", "static", "proxy"]) === true;
    if (ip === proxy) yield { path: ["spec", "static"], message: "set exactly one of static.ip and static.proxy" };
  }),
  staticRule("EXTATT-111", function* (a) {
    const ip = text(a, ["spec", "static", "ip"]);
    if (ip !== "" && !parsePrefix(ip)) yield { path: ["spec", "static", "ip"], message: `static.ip "${ip}" is not an address/length` };
  }),
  perStatement("EXTATT-112", function* (s, path) {
    const seq = int(s, ["seq"]);
    if (seq < 10) yield { path: [...path, "seq"], message: `sequence number ${seq} is reserved for security rules; use 10 or more` };
  }),
  {
    id: "EXTATT-113",
    kind: "ExternalAttachment",
    severity: "error",
    *check(attachment) {
      const seen = new Set<number>();
      for (const [i, statement] of (arrayAt(attachment, ["spec", "inboundACL", "statements"]) ?? []).entries()) {
        const seq = int(statement, ["seq"]);
        if (seen.has(seq)) yield { path: ["spec", "inboundACL", "statements", i, "seq"], message: `sequence number ${seq} is used twice` };
        seen.add(seq);
      }
    },
  },
  perStatement("EXTATT-114", function* (s, path) {
    if (!ACTIONS.includes(text(s, ["action"]))) yield { path: [...path, "action"], message: `action "${text(s, ["action"])}" is not one of ${ACTIONS.join(", ")}` };
  }),
  perStatement("EXTATT-115", function* (s, path) {
    if (!PROTOCOLS.includes(text(s, ["protocol"]))) yield { path: [...path, "protocol"], message: `protocol "${text(s, ["protocol"])}" is not one of ${PROTOCOLS.join(", ")}` };
  }),
  perStatement("EXTATT-116", function* (s, path) {
    for (const field of ["srcPrefix", "dstPrefix"]) {
      const value = text(s, [field]);
      if (value === "") yield { path: [...path, field], message: `${field} is required` };
      else if (value !== "any" && !parsePrefix(value)) yield { path: [...path, field], message: `${field} "${value}" is neither "any" nor a prefix` };
    }
  }),
  perStatement("EXTATT-117", function* (s, path) {
    if (isSet(s["tcpFilters"]) && text(s, ["protocol"]) !== "tcp") yield { path: [...path, "tcpFilters"], message: "tcpFilters are allowed only with protocol tcp" };
  }),
  perStatement("EXTATT-118", function* (s, path) {
    const flags = TCP_FLAGS.flatMap((flag) => [flag, `not${flag[0]?.toUpperCase()}${flag.slice(1)}`]);
    if (getIn(s, ["tcpFilters", "established"]) === true && flags.some((flag) => getIn(s, ["tcpFilters", flag]) === true)) {
      yield { path: [...path, "tcpFilters"], message: "tcpFilters.established cannot be combined with individual TCP flags" };
    }
  }),
  perStatement("EXTATT-119", function* (s, path) {
    for (const flag of TCP_FLAGS) {
      const negation = `not${flag[0]?.toUpperCase()}${flag.slice(1)}`;
      if (getIn(s, ["tcpFilters", flag]) === true && getIn(s, ["tcpFilters", negation]) === true) {
        yield { path: [...path, "tcpFilters"], message: `tcpFilters ${flag} and ${negation} contradict each other` };
      }
    }
  }),
  perStatement("EXTATT-120", function* (s, path) {
    if (text(s, ["protocol"]) === "icmp") return;
    for (const field of ["icmpType", "icmpCode"]) {
      if (getIn(s, [field]) !== undefined && getIn(s, [field]) !== null) yield { path: [...path, field], message: `${field} is allowed only with protocol icmp` };
    }
  }),
  perStatement("EXTATT-121", function* (s, path) {
    const begin = int(s, ["portRangeBegin"]);
    const end = int(s, ["portRangeEnd"]);
    if (begin <= 0 && end <= 0) return;
    const protocol = text(s, ["protocol"]);
    if (protocol !== "tcp" && protocol !== "udp") yield { path: [...path, "portRangeBegin"], message: "a port range is allowed only with protocol tcp or udp" };
    else if (begin < 1) yield { path: [...path, "portRangeBegin"], message: "portRangeBegin must be at least 1" };
    else if (begin > end) yield { path: [...path, "portRangeEnd"], message: `portRangeBegin ${begin} is after portRangeEnd ${end}` };
  }),
];

/** The VLAN an attachment uses on its connection (switch.vlan for BGP, static.vlan for static). */
function effectiveVlan(attachment: JsonRecord): number {
  return isStatic(attachment) ? int(attachment, ["spec", "static", "vlan"]) : int(attachment, ["spec", "switch", "vlan"]);
}

export const externalAttachmentSetRules: readonly SetRule[] = [
  {
    id: "EXTATT-201",
    kind: "ExternalAttachment",
    severity: "error",
    check: (a, set) => set.reference("External", text(a, ["spec", "external"]), ["spec", "external"]),
  },
  {
    id: "EXTATT-202",
    kind: "ExternalAttachment",
    severity: "error",
    *check(a, set) {
      const external = set.get("External", text(a, ["spec", "external"]));
      if (!external || isStaticExternal(external) === isStatic(a)) return;
      yield {
        path: isStatic(a) ? ["spec", "static"] : ["spec", "external"],
        message: isStatic(a)
          ? `the attachment is static but External ${text(a, ["spec", "external"])} is not`
          : `External ${text(a, ["spec", "external"])} is static but the attachment is not (add spec.static)`,
      };
    },
  },
  {
    id: "EXTATT-203",
    kind: "ExternalAttachment",
    severity: "error",
    check: (a, set) => set.reference("Connection", text(a, ["spec", "connection"]), ["spec", "connection"]),
  },
  {
    id: "EXTATT-204",
    kind: "ExternalAttachment",
    severity: "error",
    *check(a, set) {
      const connection = set.get("Connection", text(a, ["spec", "connection"]));
      if (connection && soleType(connection)?.field !== "external") {
        yield { path: ["spec", "connection"], message: `connection ${text(a, ["spec", "connection"])} is not of type external` };
      }
    },
  },
  {
    id: "EXTATT-205",
    kind: "ExternalAttachment",
    severity: "error",
    *check(a, set) {
      const self = text(a, ["metadata", "name"]);
      const connection = text(a, ["spec", "connection"]);
      const vlan = effectiveVlan(a);
      const byConnection = set.groupedBy("ExternalAttachment", "connection", (o) => text(o, ["spec", "connection"]) || undefined);
      for (const other of connection === "" ? [] : (byConnection.get(connection) ?? [])) {
        if (other.name !== self && effectiveVlan(other.object) === vlan) {
          yield {
            path: isStatic(a) ? ["spec", "static", "vlan"] : ["spec", "switch", "vlan"],
            message: `connection ${connection} already has ExternalAttachment ${other.name} with VLAN ${vlan}`,
            conflictsWith: other.id,
          };
        }
      }
    },
  },
];
