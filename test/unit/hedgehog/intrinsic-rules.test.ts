// Every INTRINSIC rule of RULES.md: a document that breaks it, and valid documents that satisfy it.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { validateDocument, withDefaults, type HedgehogSettings } from "../../../lib/hedgehog/index.js";
import { intrinsicRules, rulesNotEvaluated } from "../../../lib/hedgehog/rules/index.js";
import { base, clone, settings, variants, type Doc } from "./documents.js";

type Key = string | number;

function put(doc: Doc, path: Key[], value: unknown): Doc {
  let node = doc as Record<Key, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<Key, unknown>;
  node[path[path.length - 1] as Key] = value;
  return doc;
}

function drop(doc: Doc, path: Key[]): Doc {
  let node = doc as Record<Key, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<Key, unknown>;
  delete node[path[path.length - 1] as Key];
  return doc;
}

function variant(kind: string, name: string): Doc {
  const found = variants.find((d) => d["kind"] === kind && (d["metadata"] as Doc)["name"] === name);
  if (!found) throw new Error(`no variant ${kind}/${name}`);
  return clone(found);
}

interface Case {
  readonly rule: string;
  readonly why: string;
  /** Builds the breaking document (from a base or variant). */
  readonly doc: () => Doc;
  readonly settings?: HedgehogSettings;
  /**
   * The state cannot reach the rule through the pipeline — the fabric's defaults repair it, the CRD
   * schema rejects it first, or only invalid settings produce it — so the rule row's check is
   * called on the raw document.
   */
  readonly direct?: "repaired by defaults" | "rejected by the schema first" | "needs invalid settings";
  readonly severity?: "error" | "warning";
}

const b = (kind: string, change: (d: Doc) => unknown = () => undefined) => () => {
  const d = clone(base[kind] as Doc);
  change(d);
  return d;
};
const v = (kind: string, name: string, change: (d: Doc) => unknown = () => undefined) => () => {
  const d = variant(kind, name);
  change(d);
  return d;
};
const web = ["spec", "subnets", "web"];
const db = ["spec", "subnets", "db"];
const stmt = (i: number) => ["spec", "inboundACL", "statements", i];
const long = "a".repeat(70);

const cases: Case[] = [
  { rule: "COMMON-101", why: "upper case and underscore in the name", doc: b("Server", (d) => put(d, ["metadata", "name"], "Server_1")) },
  { rule: "COMMON-102", why: "a namespace other than default", doc: b("SwitchGroup", (d) => put(d, ["metadata", "namespace"], "prod")) },
  { rule: "COMMON-103", why: "a label value with a space", doc: b("VPC", (d) => put(d, ["metadata", "labels", "team"], "blue team")) },
  { rule: "COMMON-103", why: "a derived ipv4ns label value that is too long", doc: b("External", (d) => put(d, ["spec", "ipv4Namespace"], long)) },

  { rule: "VPC-101", why: "a 12-character name", doc: b("VPC", (d) => put(d, ["metadata", "name"], "vpc-twelve-1")) },
  { rule: "VPC-102", why: "a name starting with ext.", doc: b("VPC", (d) => put(d, ["metadata", "name"], "ext.vpc")) },
  { rule: "VPC-103", why: "no ipv4Namespace", direct: "repaired by defaults", doc: b("VPC", (d) => put(d, ["spec", "ipv4Namespace"], "")) },
  { rule: "VPC-104", why: "no vlanNamespace", direct: "repaired by defaults", doc: b("VPC", (d) => put(d, ["spec", "vlanNamespace"], "")) },
  { rule: "VPC-105", why: "no subnets", doc: b("VPC", (d) => put(d, ["spec", "subnets"], {})) },
  {
    rule: "VPC-105",
    why: "21 subnets",
    doc: b("VPC", (d) =>
      put(d, ["spec", "subnets"], Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`s${i}`, { subnet: `10.30.${i}.0/24`, vlan: 1100 + i }]))),
    ),
  },
  { rule: "VPC-106", why: "mode l3flat", doc: b("VPC", (d) => put(d, ["spec", "mode"], "l3flat")) },
  { rule: "VPC-106", why: "an unknown mode", doc: b("VPC", (d) => put(d, ["spec", "mode"], "l2")) },
  { rule: "VPC-107", why: "an empty subnet", doc: b("VPC", (d) => put(d, [...db, "subnet"], "")) },
  { rule: "VPC-108", why: "a subnet without a length", doc: b("VPC", (d) => put(d, [...db, "subnet"], "10.10.2.0")) },
  { rule: "VPC-109", why: "a /31 subnet", doc: b("VPC", (d) => put(d, [...db, "subnet"], "10.10.2.0/31")) },
  { rule: "VPC-110", why: "a reserved subnet", doc: b("VPC", (d) => put(d, [...db, "subnet"], "172.28.5.0/24")), settings },
  { rule: "VPC-111", why: "dhcp on a hostBGP subnet", doc: b("VPC", (d) => put(d, ["spec", "subnets", "bgp", "dhcp"], { enable: true })) },
  { rule: "VPC-112", why: "no gateway and a subnet that cannot be defaulted", doc: b("VPC", (d) => drop(put(d, [...db, "subnet"], "bad"), [...db, "gateway"])) },
  { rule: "VPC-113", why: "a gateway that is not an IP", doc: b("VPC", (d) => put(d, [...db, "gateway"], "10.10.2.x")) },
  { rule: "VPC-114", why: "a gateway outside the subnet", doc: b("VPC", (d) => put(d, [...db, "gateway"], "10.10.9.1")) },
  { rule: "VPC-115", why: "no VLAN", doc: b("VPC", (d) => drop(d, [...db, "vlan"])) },
  { rule: "VPC-116", why: "relay and dhcp server together", doc: b("VPC", (d) => put(d, [...web, "dhcp", "relay"], "10.0.2.200/32")) },
  { rule: "VPC-117", why: "a relay without a length", doc: b("VPC", (d) => put(d, [...db, "dhcp", "relay"], "10.0.2.200")) },
  { rule: "VPC-118", why: "relayVPC without relay", doc: b("VPC", (d) => put(d, [...db, "dhcp"], { relayVPC: "vpc-2" })) },
  {
    rule: "VPC-119",
    why: "dhcp options kept on a disabled /31 subnet",
    doc: b("VPC", (d) => put(d, ["spec", "subnets", "p2p"], { subnet: "10.10.9.0/31", gateway: "10.10.9.0", vlan: 1009, dhcp: { options: { pxeURL: "http://boot", interfaceMTU: 1500, leaseTimeSeconds: 600 } } })),
  },
  { rule: "VPC-120", why: "dhcp enabled without a range start", direct: "repaired by defaults", doc: b("VPC", (d) => drop(d, [...web, "dhcp", "range"])) },
  { rule: "VPC-121", why: "range start is the network address", doc: b("VPC", (d) => put(d, [...web, "dhcp", "range", "start"], "10.10.1.0")) },
  { rule: "VPC-121", why: "range start is the gateway", doc: b("VPC", (d) => put(d, [...web, "dhcp", "range", "start"], "10.10.1.1")) },
  { rule: "VPC-121", why: "range start outside the subnet", doc: b("VPC", (d) => put(d, [...web, "dhcp", "range", "start"], "10.10.9.10")) },
  { rule: "VPC-122", why: "range end outside the subnet", doc: b("VPC", (d) => put(d, [...web, "dhcp", "range", "end"], "10.10.9.99")) },
  { rule: "VPC-122", why: "range end that is not an IP", doc: b("VPC", (d) => put(d, [...web, "dhcp", "range", "end"], "last")) },
  { rule: "VPC-123", why: "range start after end", doc: b("VPC", (d) => put(d, [...web, "dhcp", "range"], { start: "10.10.1.99", end: "10.10.1.10" })) },
  { rule: "VPC-124", why: "a DNS server that is not an IP", doc: b("VPC", (d) => put(d, [...web, "dhcp", "options", "dnsServers"], ["dns.example.com"])) },
  { rule: "VPC-125", why: "a time server that is not an IP", doc: b("VPC", (d) => put(d, [...web, "dhcp", "options", "timeServers"], ["ntp"])) },
  { rule: "VPC-126", why: "an interface MTU below 96", doc: b("VPC", (d) => put(d, [...web, "dhcp", "options", "interfaceMTU"], 64)) },
  { rule: "VPC-127", why: "a negative lease time", doc: b("VPC", (d) => put(d, [...web, "dhcp", "options", "leaseTimeSeconds"], -1)) },
  {
    rule: "VPC-128",
    why: "an advertised route gateway outside the subnet",
    doc: b("VPC", (d) => put(d, [...web, "dhcp", "options", "advertisedRoutes"], [{ destination: "10.20.0.0/16", gateway: "10.10.9.1" }])),
  },
  { rule: "VPC-129", why: "a static key that is not a MAC", doc: b("VPC", (d) => put(d, [...web, "dhcp", "static"], { "not-a-mac": { ip: "10.10.1.100" } })) },
  { rule: "VPC-130", why: "a static IP on the broadcast address", doc: b("VPC", (d) => put(d, [...web, "dhcp", "static"], { "00:aa:bb:cc:dd:01": { ip: "10.10.1.255" } })) },
  {
    rule: "VPC-131",
    why: "one static IP for two MACs",
    doc: b("VPC", (d) => put(d, [...web, "dhcp", "static"], { "00:aa:bb:cc:dd:01": { ip: "10.10.1.100" }, "00:aa:bb:cc:dd:02": { ip: "10.10.1.100" } })),
  },
  {
    rule: "VPC-132",
    why: "a dhcp range kept on a disabled /31 subnet",
    doc: b("VPC", (d) => put(d, ["spec", "subnets", "p2p"], { subnet: "10.10.9.0/31", gateway: "10.10.9.0", vlan: 1009, dhcp: { range: { start: "10.10.9.1" } } })),
  },
  { rule: "VPC-133", why: "static entries with dhcp disabled", doc: b("VPC", (d) => put(d, [...db, "dhcp", "static"], { "00:aa:bb:cc:dd:03": { ip: "10.10.2.50" } })) },
  { rule: "VPC-134", why: "two subnets on one VLAN", doc: b("VPC", (d) => put(d, [...db, "vlan"], 1001)) },
  { rule: "VPC-135", why: "overlapping subnets", doc: b("VPC", (d) => put(d, [...db, "subnet"], "10.10.1.128/25")) },
  { rule: "VPC-136", why: "a permit policy with one subnet", doc: b("VPC", (d) => put(d, ["spec", "permit"], [["web"]])) },
  { rule: "VPC-137", why: "a permit policy naming an unknown subnet", doc: b("VPC", (d) => put(d, ["spec", "permit"], [["web", "nope"]])) },
  { rule: "VPC-138", why: "a permit policy naming a subnet twice", doc: b("VPC", (d) => put(d, ["spec", "permit"], [["web", "db", "web"]])) },
  { rule: "VPC-139", why: "a static route with host bits", doc: b("VPC", (d) => put(d, ["spec", "staticRoutes", 0, "prefix"], "192.168.1.1/16")) },
  { rule: "VPC-140", why: "a static route without next hops", doc: b("VPC", (d) => put(d, ["spec", "staticRoutes", 0, "nextHops"], [])) },

  { rule: "VPCATT-101", why: "a connection name longer than a label value", doc: b("VPCAttachment", (d) => put(d, ["spec", "connection"], long)) },
  { rule: "VPCATT-101", why: "a subnet part containing a slash", doc: b("VPCAttachment", (d) => put(d, ["spec", "subnet"], "vpc-1/web/x")) },
  { rule: "VPCATT-102", why: "no subnet", doc: b("VPCAttachment", (d) => drop(d, ["spec", "subnet"])) },
  { rule: "VPCATT-103", why: "no VPC part", doc: b("VPCAttachment", (d) => put(d, ["spec", "subnet"], "/web")) },
  { rule: "VPCATT-104", why: "no connection", doc: b("VPCAttachment", (d) => put(d, ["spec", "connection"], "")) },
  {
    rule: "VPCATT-105",
    why: "a p2p-link annotation that is not a /31",
    doc: b("VPCAttachment", (d) => put(d, ["metadata", "annotations", "fabric.githedgehog.com/p2p-link"], "10.99.0.0/30")),
  },

  { rule: "VPCPEER-101", why: "a VPC name too long for a label key", doc: b("VPCPeering", (d) => put(d, ["spec", "permit"], [{ [long]: {}, "vpc-2": {} }])) },
  { rule: "VPCPEER-102", why: "peering disabled in the fabric", doc: b("VPCPeering"), settings: { vpcPeeringDisabled: true } },
  { rule: "VPCPEER-103", why: "a permit entry with one VPC", doc: b("VPCPeering", (d) => put(d, ["spec", "permit"], [{ "vpc-1": {}, "vpc-2": {} }, { "vpc-1": {} }])) },
  {
    rule: "VPCPEER-104",
    why: "three VPCs across the entries",
    doc: b("VPCPeering", (d) => put(d, ["spec", "permit"], [{ "vpc-1": {}, "vpc-2": {} }, { "vpc-1": {}, "vpc-3": {} }])),
  },

  { rule: "IPNS-101", why: "a 12-character name", doc: b("IPv4Namespace", (d) => put(d, ["metadata", "name"], "ipns-twelve1")) },
  { rule: "IPNS-102", why: "a subnet that is not a prefix", doc: b("IPv4Namespace", (d) => put(d, ["spec", "subnets", 1], "10.20.0.0")) },
  {
    rule: "IPNS-103",
    why: "11 subnets",
    doc: b("IPv4Namespace", (d) => put(d, ["spec", "subnets"], Array.from({ length: 11 }, (_, i) => `10.${100 + i}.0.0/16`))),
  },
  { rule: "IPNS-104", why: "overlapping subnets", doc: b("IPv4Namespace", (d) => put(d, ["spec", "subnets", 1], "10.10.128.0/17")) },
  { rule: "IPNS-105", why: "a reserved subnet", doc: b("IPv4Namespace", (d) => put(d, ["spec", "subnets", 1], "172.28.0.0/24")), settings },

  { rule: "EXT-101", why: "a 12-character name", doc: b("External", (d) => put(d, ["metadata", "name"], "external-123")) },
  { rule: "EXT-102", why: "no ipv4Namespace", direct: "repaired by defaults", doc: b("External", (d) => put(d, ["spec", "ipv4Namespace"], "")) },
  { rule: "EXT-103", why: "an inbound community above 65535", doc: b("External", (d) => put(d, ["spec", "inboundCommunity"], "70000:1")) },
  { rule: "EXT-104", why: "an outbound community with a leading zero", doc: b("External", (d) => put(d, ["spec", "outboundCommunity"], "050000:1")) },
  { rule: "EXT-105", why: "communities on a static external", doc: v("External", "ext-s", (d) => put(d, ["spec", "inboundCommunity"], "1:1")) },
  { rule: "EXT-106", why: "a static external without prefixes", doc: v("External", "ext-s", (d) => put(d, ["spec", "static"], {})) },
  { rule: "EXT-107", why: "a static prefix that does not parse", doc: v("External", "ext-s", (d) => put(d, ["spec", "static", "prefixes", 1], "10.60.0.0/40")) },
  { rule: "EXT-108", why: "overlapping static prefixes", doc: v("External", "ext-s", (d) => put(d, ["spec", "static", "prefixes", 1], "10.50.1.0/24")) },

  { rule: "EXTATT-101", why: "an external name too long for a label value", doc: b("ExternalAttachment", (d) => put(d, ["spec", "external"], long)) },
  { rule: "EXTATT-102", why: "no external", doc: b("ExternalAttachment", (d) => drop(d, ["spec", "external"])) },
  { rule: "EXTATT-103", why: "no connection", doc: b("ExternalAttachment", (d) => drop(d, ["spec", "connection"])) },
  { rule: "EXTATT-104", why: "a BGP switch.ip without a length", doc: b("ExternalAttachment", (d) => put(d, ["spec", "switch", "ip"], "10.99.1.1")) },
  { rule: "EXTATT-105", why: "a BGP attachment without neighbor asn", doc: b("ExternalAttachment", (d) => drop(d, ["spec", "neighbor", "asn"])) },
  { rule: "EXTATT-106", why: "a neighbor ip with a length", doc: b("ExternalAttachment", (d) => put(d, ["spec", "neighbor", "ip"], "10.99.1.0/31")) },
  { rule: "EXTATT-107", why: "switch parameters on a static attachment", doc: v("ExternalAttachment", "ext-s--leaf-1", (d) => put(d, ["spec", "switch"], { vlan: 5 })) },
  { rule: "EXTATT-108", why: "neighbor parameters on a static attachment", doc: v("ExternalAttachment", "ext-s--leaf-1", (d) => put(d, ["spec", "neighbor"], { asn: 65000 })) },
  { rule: "EXTATT-109", why: "a static remoteIP that is not an IP", doc: v("ExternalAttachment", "ext-s--leaf-1", (d) => put(d, ["spec", "static", "remoteIP"], "remote")) },
  { rule: "EXTATT-110", why: "both static.ip and proxy", doc: v("ExternalAttachment", "ext-s--leaf-1", (d) => put(d, ["spec", "static", "proxy"], true)) },
  { rule: "EXTATT-110", why: "neither static.ip nor proxy", doc: v("ExternalAttachment", "ext-s--leaf-1", (d) => drop(d, ["spec", "static", "ip"])) },
  { rule: "EXTATT-111", why: "a static.ip without a length", doc: v("ExternalAttachment", "ext-s--leaf-1", (d) => put(d, ["spec", "static", "ip"], "10.99.2.1")) },
  { rule: "EXTATT-112", why: "a reserved sequence number", doc: b("ExternalAttachment", (d) => put(d, [...stmt(0), "seq"], 5)) },
  { rule: "EXTATT-113", why: "a repeated sequence number", doc: b("ExternalAttachment", (d) => put(d, [...stmt(1), "seq"], 10)) },
  { rule: "EXTATT-114", why: "an unknown action", doc: b("ExternalAttachment", (d) => put(d, [...stmt(0), "action"], "allow")) },
  { rule: "EXTATT-115", why: "an unknown protocol", doc: b("ExternalAttachment", (d) => put(d, [...stmt(1), "protocol"], "sctp")) },
  { rule: "EXTATT-116", why: "a source prefix that is neither any nor a prefix", doc: b("ExternalAttachment", (d) => put(d, [...stmt(0), "srcPrefix"], "all")) },
  { rule: "EXTATT-117", why: "tcpFilters on a udp statement", doc: b("ExternalAttachment", (d) => put(d, [...stmt(0), "protocol"], "udp")) },
  { rule: "EXTATT-118", why: "established with an individual flag", doc: b("ExternalAttachment", (d) => put(d, [...stmt(0), "tcpFilters", "established"], true)) },
  { rule: "EXTATT-119", why: "syn and notSyn", doc: b("ExternalAttachment", (d) => put(d, [...stmt(0), "tcpFilters", "notSyn"], true)) },
  { rule: "EXTATT-120", why: "icmpType on a tcp statement", doc: b("ExternalAttachment", (d) => put(d, [...stmt(1), "protocol"], "ip")) },
  { rule: "EXTATT-121", why: "a port range on icmp", doc: b("ExternalAttachment", (d) => put(d, [...stmt(1), "portRangeBegin"], 1)) },
  { rule: "EXTATT-121", why: "a port range that ends before it begins", doc: b("ExternalAttachment", (d) => put(d, [...stmt(0), "portRangeEnd"], 79)) },

  { rule: "EXTPEER-101", why: "an external name too long for a label value", doc: b("ExternalPeering", (d) => put(d, ["spec", "permit", "external", "name"], long)) },
  { rule: "EXTPEER-102", why: "no VPC name", doc: b("ExternalPeering", (d) => drop(d, ["spec", "permit", "vpc", "name"])) },
  { rule: "EXTPEER-103", why: "no external name", doc: b("ExternalPeering", (d) => put(d, ["spec", "permit", "external", "name"], "")) },
  { rule: "EXTPEER-104", why: "an empty external prefix", doc: b("ExternalPeering", (d) => put(d, ["spec", "permit", "external", "prefixes", 0, "prefix"], "")) },

  { rule: "SW-101", why: "a group name too long for a label key", doc: b("Switch", (d) => put(d, ["spec", "groups"], [long])) },
  { rule: "SW-101", why: "a profile name that is not a label value", doc: b("Switch", (d) => put(d, ["spec", "profile"], "vs profile")) },
  { rule: "SW-102", why: "no VLAN namespaces", direct: "repaired by defaults", doc: b("Switch", (d) => put(d, ["spec", "vlanNamespaces"], [])) },
  { rule: "SW-103", why: "no ASN (un-hydrated)", severity: "warning", doc: b("Switch", (d) => drop(d, ["spec", "asn"])) },
  { rule: "SW-104", why: "no management IP (un-hydrated)", severity: "warning", doc: b("Switch", (d) => drop(d, ["spec", "ip"])) },
  { rule: "SW-105", why: "no protocol IP (un-hydrated)", severity: "warning", doc: b("Switch", (d) => drop(d, ["spec", "protocolIP"])) },
  { rule: "SW-106", why: "a leaf without VTEP IP (un-hydrated)", severity: "warning", doc: b("Switch", (d) => drop(d, ["spec", "vtepIP"])) },
  { rule: "SW-107", why: "a spine with a VTEP IP", doc: v("Switch", "spine-1", (d) => put(d, ["spec", "vtepIP"], "172.30.12.9/32")) },
  { rule: "SW-108", why: "no profile", doc: b("Switch", (d) => drop(d, ["spec", "profile"])) },
  { rule: "SW-109", why: "an unknown redundancy type", direct: "rejected by the schema first", doc: b("Switch", (d) => put(d, ["spec", "redundancy", "type"], "vpc")) },
  { rule: "SW-110", why: "a redundancy group without type", doc: b("Switch", (d) => put(d, ["spec", "redundancy"], { group: "mclag-1" })) },
  { rule: "SW-110", why: "a redundancy type without group", doc: b("Switch", (d) => put(d, ["spec", "redundancy"], { type: "eslag" })) },
  { rule: "SW-111", why: "a link-flap block missing fields", direct: "repaired by defaults", doc: b("Switch") },
  { rule: "SW-112", why: "an empty group name", doc: b("Switch", (d) => put(d, ["spec", "groups"], ["", "mclag-1"])) },
  { rule: "SW-113", why: "a management IP without a length", doc: b("Switch", (d) => put(d, ["spec", "ip"], "172.30.0.10")) },
  { rule: "SW-114", why: "a management IP in the DHCP range", doc: b("Switch", (d) => put(d, ["spec", "ip"], "172.30.5.10/21")), settings },
  { rule: "SW-114", why: "a management IP outside the management subnet", doc: b("Switch", (d) => put(d, ["spec", "ip"], "10.0.0.10/21")), settings },
  { rule: "SW-115", why: "a protocol IP that is not a /32", doc: b("Switch", (d) => put(d, ["spec", "protocolIP"], "172.30.8.1/24")), settings },
  { rule: "SW-116", why: "a leaf ASN outside the leaf range", doc: b("Switch", (d) => put(d, ["spec", "asn"], 64000)), settings },
  { rule: "SW-117", why: "a spine ASN that is not the spine ASN", doc: v("Switch", "spine-1", (d) => put(d, ["spec", "asn"], 65000)), settings },
  { rule: "SW-118", why: "a VTEP IP outside the VTEP subnet", doc: b("Switch", (d) => put(d, ["spec", "vtepIP"], "172.31.12.1/32")), settings },

  { rule: "CONN-101", why: "a server name too long for a label key", doc: b("Connection", (d) => put(d, ["spec", "unbundled", "link", "server", "port"], `${long}/enp2s1`)) },
  { rule: "CONN-101", why: "withinVPC that is not a label value", doc: v("Connection", "leaf-1--static-external", (d) => put(d, ["spec", "staticExternal", "withinVPC"], "vpc 1")) },
  { rule: "CONN-102", why: "an MTU above fabric MTU minus offset", doc: b("Connection", (d) => put(d, ["spec", "unbundled", "mtu"], 9050)), settings },
  { rule: "CONN-103", why: "no connection type", doc: b("Connection", (d) => put(d, ["spec"], {})) },
  {
    rule: "CONN-103",
    why: "two connection types",
    doc: b("Connection", (d) => put(d, ["spec", "vpcLoopback"], { links: [{ switch1: { port: "leaf-1/E1/12" }, switch2: { port: "leaf-1/E1/13" } }] })),
  },
  { rule: "CONN-104", why: "a port without a device part", doc: b("Connection", (d) => put(d, ["spec", "unbundled", "link", "switch", "port"], "/E1/1")) },
  { rule: "CONN-104", why: "a missing port", doc: b("Connection", (d) => put(d, ["spec", "unbundled", "link", "switch"], {})) },
  { rule: "CONN-105", why: "the same port at both ends", doc: b("Connection", (d) => put(d, ["spec", "unbundled", "link", "server", "port"], "leaf-1/E1/1")) },
  { rule: "CONN-106", why: "a bundle across two switches", doc: v("Connection", "server-1--bundled--leaf-1", (d) => put(d, ["spec", "bundled", "links", 1, "switch", "port"], "leaf-2/E1/2")) },
  { rule: "CONN-106", why: "a bundle without links", doc: v("Connection", "server-1--bundled--leaf-1", (d) => put(d, ["spec", "bundled", "links"], [])) },
  {
    rule: "CONN-107",
    why: "an MCLAG across two servers",
    doc: v("Connection", "server-1--mclag--leaf-1--leaf-2", (d) => put(d, ["spec", "mclag", "links", 1, "server", "port"], "server-2/enp2s2")),
  },
  {
    rule: "CONN-108",
    why: "an ESLAG using one port twice",
    doc: v("Connection", "server-1--eslag--leaf-1--leaf-2", (d) => put(d, ["spec", "eslag", "links", 1, "switch", "port"], "leaf-1/E1/1")),
  },
  {
    rule: "CONN-109",
    why: "an MCLAG domain across three switches",
    doc: v("Connection", "leaf-1--mclag-domain--leaf-2", (d) => put(d, ["spec", "mclagDomain", "sessionLinks", 0, "switch2", "port"], "leaf-3/E1/4")),
  },
  {
    rule: "CONN-110",
    why: "a fabric connection within one switch",
    doc: v("Connection", "spine-1--fabric--leaf-1", (d) => {
      put(d, ["spec", "fabric", "links", 0, "spine", "port"], "leaf-1/E1/1");
      put(d, ["spec", "fabric", "links", 1, "spine", "port"], "leaf-1/E1/2");
    }),
  },
  {
    rule: "CONN-111",
    why: "a gateway connection on two switches",
    doc: v("Connection", "leaf-1--gateway--gw-1", (d) =>
      put(d, ["spec", "gateway", "links", 1], { switch: { port: "leaf-2/E1/11" }, gateway: { port: "gw-1/enp2s2" } }),
    ),
  },
  { rule: "CONN-112", why: "a loopback across two switches", doc: v("Connection", "leaf-1--vpc-loopback", (d) => put(d, ["spec", "vpcLoopback", "links", 0, "switch2", "port"], "leaf-2/E1/13")) },
  { rule: "CONN-113", why: "a static external link without switch ip", doc: v("Connection", "leaf-1--static-external", (d) => drop(d, ["spec", "staticExternal", "link", "switch", "ip"])) },
  { rule: "CONN-114", why: "a next hop outside the link network", doc: v("Connection", "leaf-1--static-external", (d) => put(d, ["spec", "staticExternal", "link", "switch", "nextHop"], "10.98.9.254")) },
  { rule: "CONN-115", why: "a default route among other subnets", doc: v("Connection", "leaf-1--static-default", (d) => put(d, ["spec", "staticExternal", "link", "switch", "subnets"], ["0.0.0.0/0", "10.1.0.0/16"])) },
  { rule: "CONN-115", why: "a subnet with host bits", doc: v("Connection", "leaf-1--static-external", (d) => put(d, ["spec", "staticExternal", "link", "switch", "subnets", 1], "10.96.0.1/16")) },
  { rule: "CONN-115", why: "overlapping subnets", doc: v("Connection", "leaf-1--static-external", (d) => put(d, ["spec", "staticExternal", "link", "switch", "subnets", 1], "10.97.1.0/24")) },
  { rule: "CONN-116", why: "a reserved subnet", doc: v("Connection", "leaf-1--static-external", (d) => put(d, ["spec", "staticExternal", "link", "switch", "subnets", 1], "172.28.0.0/24")), settings },
  { rule: "CONN-117", why: "an ESLAG connection outside spine-leaf mode", direct: "needs invalid settings", doc: v("Connection", "server-1--eslag--leaf-1--leaf-2"), settings: { fabricMode: "mesh" as "spine-leaf" } },
  { rule: "CONN-118", why: "a fabric link IP that is not a /31", doc: v("Connection", "spine-1--fabric--leaf-1", (d) => put(d, ["spec", "fabric", "links", 0, "leaf", "ip"], "172.30.128.1/30")) },
  { rule: "CONN-119", why: "link ends in different /31s", doc: v("Connection", "spine-1--fabric--leaf-1", (d) => put(d, ["spec", "fabric", "links", 0, "leaf", "ip"], "172.30.128.5/31")) },
  { rule: "CONN-120", why: "a link IP outside the fabric subnet", doc: v("Connection", "leaf-1--mesh--leaf-2", (d) => put(d, ["spec", "mesh", "links", 0, "leaf1", "ip"], "10.0.0.0/31") && put(d, ["spec", "mesh", "links", 0, "leaf2", "ip"], "10.0.0.1/31")), settings },
  { rule: "CONN-121", why: "one link IP on two links", doc: v("Connection", "spine-1--fabric--leaf-1", (d) => put(d, ["spec", "fabric", "links", 1, "spine", "ip"], "172.30.128.0/31") && put(d, ["spec", "fabric", "links", 1, "leaf", "ip"], "172.30.128.1/31")) },

  { rule: "VLANNS-101", why: "a range starting at 0", doc: b("VLANNamespace", (d) => put(d, ["spec", "ranges", 0, "from"], 0)) },
  { rule: "VLANNS-102", why: "a range ending above 4094", doc: b("VLANNamespace", (d) => put(d, ["spec", "ranges", 0, "to"], 5000)) },
  { rule: "VLANNS-103", why: "a range from 2000 to 1000", doc: b("VLANNamespace", (d) => put(d, ["spec", "ranges", 0], { from: 2000, to: 1000 })) },
  { rule: "VLANNS-104", why: "a range inside the VPC IRB VLANs", doc: b("VLANNamespace", (d) => put(d, ["spec", "ranges", 1], { from: 3500, to: 3600 })), settings },
  { rule: "VLANNS-104", why: "self-overlap once the IRB range is configured", doc: b("VLANNamespace", (d) => put(d, ["spec", "ranges", 1], { from: 1500, to: 1600 })), settings },
  { rule: "VLANNS-105", why: "a range inside the TH5 workaround VLANs", doc: b("VLANNamespace", (d) => put(d, ["spec", "ranges", 1], { from: 4050, to: 4060 })), settings },

  { rule: "SWP-101", why: "no displayName", doc: b("SwitchProfile", (d) => drop(d, ["spec", "displayName"])) },
  { rule: "SWP-102", why: "a repeated other name", doc: b("SwitchProfile", (d) => put(d, ["spec", "otherNames"], ["A", "A"])) },
  { rule: "SWP-102", why: "six other names", doc: b("SwitchProfile", (d) => put(d, ["spec", "otherNames"], ["a", "b", "c", "d", "e", "f"])) },
  { rule: "SWP-103", why: "no switchSilicon", doc: b("SwitchProfile", (d) => put(d, ["spec", "switchSilicon"], "")) },
  { rule: "SWP-104", why: "an unknown nosType", doc: b("SwitchProfile", (d) => put(d, ["spec", "nosType"], "sonic-enterprise")) },
  { rule: "SWP-105", why: "no platform", doc: b("SwitchProfile", (d) => drop(d, ["spec", "platform"])) },
  { rule: "SWP-106", why: "a repeated NOS name", doc: b("SwitchProfile", (d) => put(d, ["spec", "ports", "E1/2", "nos"], "Ethernet0")) },
  { rule: "SWP-107", why: "a management port with a bad ONIE name", doc: b("SwitchProfile", (d) => put(d, ["spec", "ports", "M1", "oniePortName"], "mgmt0")) },
  { rule: "SWP-108", why: "a data port named like a management port", doc: b("SwitchProfile", (d) => put(d, ["spec", "ports", "X1/9"], { nos: "Ethernet9", label: "9", profile: "SFP28-25G" })) },
  { rule: "SWP-109", why: "a repeated label", doc: b("SwitchProfile", (d) => put(d, ["spec", "ports", "E1/2", "label"], "1")) },
  { rule: "SWP-110", why: "a port with both profile and group", doc: b("SwitchProfile", (d) => put(d, ["spec", "ports", "E1/1", "group"], "1")) },
  { rule: "SWP-111", why: "an undefined port profile", doc: b("SwitchProfile", (d) => put(d, ["spec", "ports", "E1/1", "profile"], "SFP-1G")) },
  { rule: "SWP-112", why: "a breakout port with an Ethernet NOS name", doc: b("SwitchProfile", (d) => put(d, ["spec", "ports", "E1/3", "nos"], "Ethernet2")) },
  { rule: "SWP-113", why: "a pipeline on a non-breakout port", doc: b("SwitchProfile", (d) => put(d, ["spec", "ports", "E1/1", "pipeline"], "pipe-1")) },
  { rule: "SWP-114", why: "a data port NOS name that is not Ethernet<n>", doc: b("SwitchProfile", (d) => put(d, ["spec", "ports", "E1/1", "nos"], "eth1")) },
  { rule: "SWP-115", why: "an undefined port group", doc: b("SwitchProfile", (d) => put(d, ["spec", "ports", "E1/2", "group"], "9")) },
  { rule: "SWP-116", why: "a group profile that allows autoneg", doc: b("SwitchProfile", (d) => put(d, ["spec", "portProfiles", "SFP28-25G-fixed", "autoNegAllowed"], true)) },
  { rule: "SWP-117", why: "an unused port profile", doc: b("SwitchProfile", (d) => put(d, ["spec", "portProfiles", "SFP-1G"], { speed: { default: "1G", supported: ["1G"] } })) },
  { rule: "SWP-118", why: "autoNegDefault without autoNegAllowed", doc: b("SwitchProfile", (d) => put(d, ["spec", "portProfiles", "SFP28-25G-fixed", "autoNegDefault"], true)) },
  { rule: "SWP-119", why: "a default speed that is not supported", doc: b("SwitchProfile", (d) => put(d, ["spec", "portProfiles", "SFP28-25G", "speed", "default"], "40G")) },
  { rule: "SWP-120", why: "a 3-lane breakout", doc: b("SwitchProfile", (d) => put(d, ["spec", "portProfiles", "QSFP28-100G", "breakout", "supported", "3x25G"], { offsets: ["0"] })) },
  { rule: "SWP-121", why: "a pipeline without maxPorts", doc: b("SwitchProfile", (d) => put(d, ["spec", "pipelines", "pipe-1", "maxPorts"], 0)) },
];

function check(c: Case) {
  return validateDocument({ index: 0, line: 1, value: c.doc() }, { file: "raw/test.yaml", settings: c.settings ?? {} });
}

describe("each INTRINSIC rule, broken", () => {
  it.each(cases.filter((c) => !c.direct).map((c) => [c.rule, c.why, c] as const))("%s: %s", (rule, _why, c) => {
    const findings = check(c);
    const hit = findings.find((f) => f.rule === rule);
    expect(hit, JSON.stringify(findings, null, 1)).toBeDefined();
    expect(hit?.severity).toBe(c.severity ?? "error");
    expect(hit?.message).toMatch(/^[^\n]+$/);
    expect(hit?.path).toMatch(/^(\/.*)?$/);
  });

  it.each(cases.filter((c) => c.direct).map((c) => [c.rule, c.why, c.direct, c] as const))("%s: %s (%s: the rule row itself)", (rule, _why, direct, c) => {
    const row = intrinsicRules.find((r) => r.id === rule);
    expect([...(row?.check(c.doc(), c.settings ?? {}) ?? [])]).not.toHaveLength(0);
    const findings = check(c);
    if (direct !== "needs invalid settings") expect(findings.filter((f) => f.rule === rule)).toEqual([]);
    if (direct === "rejected by the schema first") expect(findings.map((f) => f.rule)).toContain("SCHEMA");
  });
});

describe("each INTRINSIC rule, satisfied", () => {
  const valid = [...Object.values(base), ...variants];
  it.each(valid.map((d) => [`${String(d["kind"])} ${String((d["metadata"] as Doc)["name"])}`, d] as const))(
    "%s produces no finding with every setting present",
    (_name, doc) => {
      expect(validateDocument({ index: 0, line: 1, value: clone(doc) }, { file: "raw/ok.yaml", settings })).toEqual([]);
    },
  );

  // Version-specific rows need a served schema's capabilities: new-rules.test.ts covers them.
  it.each(intrinsicRules.filter((r) => !r.requires).map((r) => [r.id, r] as const))("%s accepts every valid example of its kind", (_id, rule) => {
    const docs = valid.filter((d) => rule.kind === "*" || d["kind"] === rule.kind);
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) expect([...rule.check(withDefaults(doc), settings)]).toEqual([]);
  });

  it("skips CONFIG rules when the fabric settings lack their values", () => {
    const reserved = cases.find((c) => c.rule === "VPC-110");
    expect(validateDocument({ index: 0, line: 1, value: reserved!.doc() }, { file: "raw/x.yaml" }).map((f) => f.rule)).not.toContain("VPC-110");
  });
});

describe("coverage of RULES.md", () => {
  const rulesMd = readFileSync(new URL("../../fixtures/hedgehog/RULES.md", import.meta.url), "utf8");
  const rows = [...rulesMd.matchAll(/^\| ([A-Z]+-\d{3}) \| ([^|]+) \|/gm)].map((m) => ({ id: m[1] as string, cls: m[2] as string }));
  const intrinsicIds = rows.filter((r) => r.cls.includes("INTRINSIC") && !/update|delete/.test(r.cls)).map((r) => r.id);

  it("finds the INTRINSIC rows", () => {
    expect(intrinsicIds.length).toBeGreaterThan(150);
  });

  it("has a rule row or a stated reason for every INTRINSIC rule", () => {
    const implemented = new Set(intrinsicRules.map((r) => r.id));
    expect(intrinsicIds.filter((id) => !implemented.has(id) && !(id in rulesNotEvaluated))).toEqual([]);
  });

  it("breaks every implemented INTRINSIC rule of RULES.md in at least one case (RULES-NEW.md's 9nn rules: new-rules.test.ts)", () => {
    const broken = new Set(cases.map((c) => c.rule));
    expect(intrinsicRules.map((r) => r.id).filter((id) => !/-9\d\d$/.test(id) && !broken.has(id))).toEqual([]);
  });
});
