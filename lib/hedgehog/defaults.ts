// What the fabric's mutating webhook (and the API server) fill in before validation: the DEFAULT
// rows of RULES.md as one table, applied in order by one function. Used twice: validation sees the
// document the way the cluster does, and the diff compares the cluster with the defaulted Git file.
//
// Deliberately not reproduced: SWP-001 (a ports summary annotation whose tie order is random
// upstream; the diff must ignore it) and VLANNS-002 (invalid VLAN ranges silently dropped; we
// reject those documents instead, as RULES.md recommends).
import { bundledCatalog, type Catalog } from "./catalog.js";
import { classifyDocument } from "./classify.js";
import { clearsFabricLabels, derivedLabels, FABRIC_LABEL_MARK } from "./labels.js";
import { formatIp, lastAddress, offsetAddress, parseMac, parsePrefix } from "./net.js";
import {
  cloneJson,
  compareText,
  ensureRecord,
  getIn,
  isRecord,
  recordAt,
  setOwn,
  stringAt,
  text,
  type JsonRecord,
} from "./object.js";
import { pruneNulls } from "./schema.js";

interface DefaultRule {
  readonly id: string;
  /** Kinds the row applies to; "*" for all. */
  readonly kinds: readonly string[] | "*";
  readonly apply: (resource: JsonRecord) => void;
}

const isEmpty = (value: unknown): boolean => value === undefined || value === null || value === "" || value === 0;

function defaultString(resource: JsonRecord, path: readonly string[], value: string): void {
  const parent = ensureRecord(resource, path.slice(0, -1));
  const key = path[path.length - 1] as string;
  if (parent && isEmpty(parent[key])) setOwn(parent, key, value);
}

/** Adds `{}` where the Go type always serializes an object (RULES.md §16). */
function alwaysObject(resource: JsonRecord, path: readonly string[]): void {
  const parent = ensureRecord(resource, path.slice(0, -1));
  const key = path[path.length - 1] as string;
  if (parent && (parent[key] === undefined || parent[key] === null)) setOwn(parent, key, {});
}

function sortStrings(resource: JsonRecord, path: readonly string[]): void {
  const list = getIn(resource, path);
  if (Array.isArray(list) && list.every((item) => typeof item === "string")) {
    (list as string[]).sort(compareText);
  }
}

function subnetsOf(vpc: JsonRecord): JsonRecord[] {
  return Object.values(recordAt(vpc, ["spec", "subnets"]) ?? {}).filter(isRecord);
}

/** VPC-004..009, one subnet at a time; a subnet whose prefix does not parse gets no defaults. */
function defaultSubnet(subnet: JsonRecord): void {
  const prefix = parsePrefix(text(subnet, ["subnet"]));
  if (!prefix) return;
  const hostBGP = subnet["hostBGP"] === true;
  // VPC-004
  if (!hostBGP && isEmpty(subnet["gateway"])) setOwn(subnet, "gateway", formatIp(offsetAddress(prefix.network, 1)));
  const dhcp = ensureRecord(subnet, ["dhcp"]); // also §16: dhcp is always serialized
  if (!dhcp) return;
  const enabled = dhcp["enable"] === true;
  // VPC-005
  if (prefix.length <= 30 && !enabled) {
    delete dhcp["range"];
    delete dhcp["options"];
    return;
  }
  if (!enabled) return;
  // VPC-006
  const range = ensureRecord(dhcp, ["range"]);
  if (!range) return;
  if (isEmpty(range["start"])) setOwn(range, "start", formatIp(offsetAddress(prefix.network, 2)));
  if (isEmpty(range["end"])) setOwn(range, "end", formatIp(lastAddress(prefix)));
  const options = dhcp["options"];
  if (isRecord(options)) {
    const blank =
      isEmpty(options["pxeURL"]) &&
      (options["dnsServers"] === undefined || options["dnsServers"] === null) &&
      (options["timeServers"] === undefined || options["timeServers"] === null) &&
      isEmpty(options["interfaceMTU"]) &&
      isEmpty(options["leaseTimeSeconds"]) &&
      options["disableDefaultRoute"] !== true &&
      (options["advertisedRoutes"] === undefined || options["advertisedRoutes"] === null);
    if (blank) {
      // VPC-007; upstream then skips VPC-009 for this subnet.
      delete dhcp["options"];
      return;
    }
    // VPC-008
    if (isEmpty(options["interfaceMTU"])) setOwn(options, "interfaceMTU", 9036);
    if (isEmpty(options["leaseTimeSeconds"])) setOwn(options, "leaseTimeSeconds", 3600);
    for (const list of ["dnsServers", "timeServers"]) {
      if (!Array.isArray(options[list])) setOwn(options, list, []);
      sortStrings(options, [list]);
    }
    const routes = options["advertisedRoutes"];
    if (Array.isArray(routes)) {
      if (routes.length === 0) delete options["advertisedRoutes"];
      else
        routes.sort(
          (a: unknown, b: unknown) =>
            compareText(text(a, ["destination"]), text(b, ["destination"])) ||
            compareText(text(a, ["gateway"]), text(b, ["gateway"])),
        );
    }
  }
  // VPC-009
  const statics = dhcp["static"];
  if (isRecord(statics)) {
    const canonical: JsonRecord = {};
    for (const [mac, entry] of Object.entries(statics)) setOwn(canonical, parseMac(mac) ?? mac, entry);
    setOwn(dhcp, "static", canonical);
  }
}

const defaultRules: readonly DefaultRule[] = [
  { id: "COMMON-001", kinds: "*", apply: (r) => defaultString(r, ["metadata", "namespace"], "default") },

  { id: "VPC-001", kinds: ["VPC"], apply: (r) => defaultString(r, ["spec", "ipv4Namespace"], "default") },
  { id: "VPC-002", kinds: ["VPC"], apply: (r) => defaultString(r, ["spec", "vlanNamespace"], "default") },
  { id: "VPC-004..009", kinds: ["VPC"], apply: (r) => subnetsOf(r).forEach(defaultSubnet) },

  {
    id: "VPCATT-001",
    kinds: ["VPCAttachment"],
    apply: (r) => {
      const subnet = stringAt(r, ["spec", "subnet"]);
      const spec = recordAt(r, ["spec"]);
      if (spec && subnet && !subnet.includes("/")) setOwn(spec, "subnet", `${subnet}/default`);
    },
  },
  {
    id: "VPCPEER-002",
    kinds: ["VPCPeering"],
    apply: (r) => {
      const permit = getIn(r, ["spec", "permit"]);
      if (!Array.isArray(permit)) return;
      for (const entry of permit) {
        if (isRecord(entry)) for (const [vpc, value] of Object.entries(entry)) if (value === null) setOwn(entry, vpc, {});
      }
    },
  },
  { id: "IPNS-001", kinds: ["IPv4Namespace"], apply: (r) => sortStrings(r, ["spec", "subnets"]) },
  { id: "EXT-001", kinds: ["External"], apply: (r) => defaultString(r, ["spec", "ipv4Namespace"], "default") },
  {
    id: "EXTATT-002",
    kinds: ["ExternalAttachment"],
    apply: (r) => {
      alwaysObject(r, ["spec", "switch"]);
      alwaysObject(r, ["spec", "neighbor"]);
    },
  },
  { id: "EXTPEER-001", kinds: ["ExternalPeering"], apply: (r) => sortStrings(r, ["spec", "permit", "vpc", "subnets"]) },
  {
    id: "EXTPEER-002",
    kinds: ["ExternalPeering"],
    apply: (r) => {
      const prefixes = getIn(r, ["spec", "permit", "external", "prefixes"]);
      if (Array.isArray(prefixes)) prefixes.sort((a: unknown, b: unknown) => compareText(text(a, ["prefix"]), text(b, ["prefix"])));
    },
  },
  {
    id: "§16 ExternalPeering",
    kinds: ["ExternalPeering"],
    apply: (r) => {
      alwaysObject(r, ["spec", "permit", "vpc"]);
      alwaysObject(r, ["spec", "permit", "external"]);
    },
  },

  {
    id: "SW-001",
    kinds: ["Switch"],
    apply: (r) => {
      const list = getIn(r, ["spec", "vlanNamespaces"]);
      const spec = ensureRecord(r, ["spec"]);
      if (spec && (list === undefined || list === null || (Array.isArray(list) && list.length === 0))) {
        setOwn(spec, "vlanNamespaces", ["default"]);
      }
    },
  },
  {
    id: "SW-002",
    kinds: ["Switch"],
    apply: (r) => {
      const group = text(r, ["spec", "redundancy", "group"]);
      if (group === "") return;
      const spec = recordAt(r, ["spec"]);
      const groups = spec?.["groups"] ?? [];
      if (spec && Array.isArray(groups) && !groups.includes(group)) setOwn(spec, "groups", [...groups, group]);
    },
  },
  {
    id: "SW-003",
    kinds: ["Switch"],
    apply: (r) => {
      sortStrings(r, ["spec", "groups"]);
      sortStrings(r, ["spec", "vlanNamespaces"]);
    },
  },
  {
    id: "SW-004",
    kinds: ["Switch"],
    apply: (r) => {
      for (const field of ["portGroupSpeeds", "portSpeeds"]) {
        const speeds = recordAt(r, ["spec", field]);
        if (!speeds) continue;
        for (const [port, speed] of Object.entries(speeds)) {
          if (typeof speed === "string" && speed.startsWith("SPEED_")) setOwn(speeds, port, speed.slice("SPEED_".length));
        }
      }
    },
  },
  {
    id: "SW-005",
    kinds: ["Switch"],
    apply: (r) => {
      const block = recordAt(r, ["spec", "linkFlapErrDisable"]);
      if (!block) return;
      const defaults: [string, number][] = [
        ["flapThreshold", 3],
        ["samplingInterval", 30],
        ["recoveryInterval", 300],
      ];
      for (const [field, value] of defaults) if (block[field] === undefined || block[field] === null) setOwn(block, field, value);
    },
  },
  {
    id: "§16 Switch",
    kinds: ["Switch"],
    apply: (r) => ["redundancy", "boot", "ecmp"].forEach((field) => alwaysObject(r, ["spec", field])),
  },
  {
    id: "VLANNS-001",
    kinds: ["VLANNamespace"],
    apply: (r) => {
      const ranges = getIn(r, ["spec", "ranges"]);
      if (!Array.isArray(ranges)) return;
      for (const range of ranges) if (isRecord(range) && isEmpty(range["to"])) setOwn(range, "to", range["from"]);
      const bound = (range: unknown, field: string): number => {
        const value = getIn(range, [field]);
        return typeof value === "number" ? value : 0;
      };
      ranges.sort((a: unknown, b: unknown) => bound(a, "from") - bound(b, "from") || bound(a, "to") - bound(b, "to"));
    },
  },
  {
    id: "§16 SwitchProfile",
    kinds: ["SwitchProfile"],
    apply: (r) => ["features", "config"].forEach((field) => alwaysObject(r, ["spec", field])),
  },

  // Last, because the labels are made from the defaulted spec.
  {
    id: "COMMON-002",
    kinds: "*",
    apply: (r) => {
      const kind = text(r, ["kind"]);
      if (!clearsFabricLabels(r, kind)) return;
      const labels = recordAt(r, ["metadata", "labels"]);
      const kept: JsonRecord = {};
      for (const [key, value] of Object.entries(labels ?? {})) if (!key.includes(FABRIC_LABEL_MARK)) setOwn(kept, key, value);
      for (const label of derivedLabels(r, kind)) setOwn(kept, label.key, label.value);
      const metadata = recordAt(r, ["metadata"]);
      const written = metadata?.["labels"];
      if (metadata && (written === undefined || written === null || isRecord(written)) && (labels || Object.keys(kept).length > 0)) {
        setOwn(metadata, "labels", kept);
      }
    },
  },
];

/** The DEFAULT rule ids this module reproduces, in the order it applies them. */
export const defaultRuleIds: readonly string[] = defaultRules.map((rule) => rule.id);

/**
 * The object as the fabric stores it: every DEFAULT rule applied, the always-serialized empty
 * objects added, fabric labels derived, and (for a Hedgehog kind) null fields dropped as the API
 * server prunes them. Pure: the input is not modified.
 */
export function withDefaults<T>(resource: T, catalog: Catalog = bundledCatalog): T {
  if (!isRecord(resource)) return cloneJson(resource);
  const copy = cloneJson(resource) as JsonRecord;
  const kind = text(copy, ["kind"]);
  for (const rule of defaultRules) if (rule.kinds === "*" || rule.kinds.includes(kind)) rule.apply(copy);
  const classification = classifyDocument(copy, catalog);
  if (classification.class === "hedgehog") pruneNulls(classification.kindInfo, classification.version, copy, catalog);
  return copy as T;
}
