// HostBGP prefix rules of newer fabrics (RULES-NEW.md, VPC-902..911): hostBGPMinPrefixLen,
// hostBGPMaxPrefixLen and hostBGPExtraPrefixes on VPC subnets. They run only where the served VPC
// schema has those fields. Sources: the Hedgehog docs' API reference (githedgehog/docs,
// docs/reference/fabric-api.md.gen: VPCSubnet, VPCSubnetHostBGPPrefix, both lengths 1–32, "32 by
// default") and githedgehog/fabric api/vpc/v1beta1/vpc_types.go (VPC.Validate,
// validateHostBGPPrefixLens, at most 100 extra prefixes, canonical IPv4 prefixes, no overlaps).
import { formatIp, isCanonical, parsePrefix, prefixesOverlap, prefixWithin, type IpPrefix } from "../net.js";
import { arrayAt, entriesAt, getIn, text, type JsonRecord, type Path } from "../object.js";
import type { IntrinsicRule, SetRule, Violation } from "./rule.js";
import { subnetsOf, type SubnetView } from "./vpc.js";

export const DEFAULT_HOST_BGP_PREFIX_LEN = 32;
export const MAX_HOST_BGP_EXTRA_PREFIXES = 100;

const LENGTHS = { "VPC.spec.subnets.*.hostBGPMinPrefixLen": "present" } as const;
const EXTRAS = { "VPC.spec.subnets.*.hostBGPExtraPrefixes": "present" } as const;

const length = (value: unknown): number => (typeof value === "number" ? value : 0);

/** The subnet's accepted prefix lengths, 32 where unset. */
function subnetLengths(subnet: SubnetView): { min: number; max: number } {
  return {
    min: length(subnet.body["hostBGPMinPrefixLen"]) || DEFAULT_HOST_BGP_PREFIX_LEN,
    max: length(subnet.body["hostBGPMaxPrefixLen"]) || DEFAULT_HOST_BGP_PREFIX_LEN,
  };
}

interface ExtraPrefix {
  readonly key: string;
  readonly path: Path;
  readonly prefix: IpPrefix | undefined;
  readonly min: number;
  readonly max: number;
}

/** The subnet's extra prefixes, in key order, with the lengths each accepts (its own, else the subnet's). */
function extrasOf(subnet: SubnetView): ExtraPrefix[] {
  const inherited = subnetLengths(subnet);
  return entriesAt(subnet.body, ["hostBGPExtraPrefixes"])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, config]) => ({
      key,
      path: [...subnet.path, "hostBGPExtraPrefixes", key],
      prefix: parsePrefix(key),
      min: length(getIn(config, ["minPrefixLen"])) || inherited.min,
      max: length(getIn(config, ["maxPrefixLen"])) || inherited.max,
    }));
}

/** A usable extra prefix: IPv4, canonical (VPC-906 reports the others). */
const usable = (extra: ExtraPrefix): extra is ExtraPrefix & { prefix: IpPrefix } =>
  extra.prefix !== undefined && extra.prefix.address.family === 4 && isCanonical(extra.prefix);

const show = (prefix: IpPrefix): string => `${formatIp(prefix.network)}/${prefix.length}`;

/** validateHostBGPPrefixLens: min ≤ max ≤ 32 and min not shorter than the prefix itself. */
function* lengthsFit(prefix: IpPrefix, min: number, max: number, path: Path, what: string): Generator<Violation> {
  if (min > max) yield { path, message: `${what}: hostBGP min prefix length ${min} is greater than max prefix length ${max}` };
  else if (max > DEFAULT_HOST_BGP_PREFIX_LEN) yield { path, message: `${what}: hostBGP max prefix length ${max} is greater than ${DEFAULT_HOST_BGP_PREFIX_LEN}` };
  else if (min < prefix.length) yield { path, message: `${what}: hostBGP min prefix length ${min} is shorter than the prefix length of ${show(prefix)}` };
}

function rule(id: string, requires: IntrinsicRule["requires"], check: (subnet: SubnetView, vpc: JsonRecord, settings: Parameters<IntrinsicRule["check"]>[1]) => Iterable<Violation>, extra: Partial<IntrinsicRule> = {}): IntrinsicRule {
  return {
    id,
    kind: "VPC",
    severity: "error",
    requires,
    ...extra,
    *check(vpc, settings) {
      for (const subnet of subnetsOf(vpc)) yield* check(subnet, vpc, settings);
    },
  };
}

export const hostBgpRules: readonly IntrinsicRule[] = [
  rule("VPC-902", LENGTHS, function* (s) {
    if (s.hostBGP) return;
    for (const field of ["hostBGPMinPrefixLen", "hostBGPMaxPrefixLen"]) {
      if (length(s.body[field]) !== 0) yield { path: [...s.path, field], message: `${field} is set on subnet ${s.name}, which is not a hostBGP subnet` };
    }
  }),
  rule("VPC-903", EXTRAS, function* (s) {
    if (!s.hostBGP && entriesAt(s.body, ["hostBGPExtraPrefixes"]).length > 0) {
      yield { path: [...s.path, "hostBGPExtraPrefixes"], message: `hostBGPExtraPrefixes is set on subnet ${s.name}, which is not a hostBGP subnet` };
    }
  }),
  rule("VPC-904", LENGTHS, function* (s) {
    if (!s.hostBGP || !s.prefix) return;
    const { min, max } = subnetLengths(s);
    yield* lengthsFit(s.prefix, min, max, [...s.path, "hostBGPMinPrefixLen"], `subnet ${s.name}`);
  }),
  rule("VPC-905", EXTRAS, function* (s) {
    const count = entriesAt(s.body, ["hostBGPExtraPrefixes"]).length;
    if (s.hostBGP && count > MAX_HOST_BGP_EXTRA_PREFIXES) {
      yield { path: [...s.path, "hostBGPExtraPrefixes"], message: `subnet ${s.name} has ${count} hostBGP extra prefixes; at most ${MAX_HOST_BGP_EXTRA_PREFIXES}` };
    }
  }),
  rule("VPC-906", EXTRAS, function* (s) {
    if (!s.hostBGP) return;
    for (const extra of extrasOf(s)) {
      if (!extra.prefix) yield { path: extra.path, message: `hostBGP extra prefix "${extra.key}" is not an IP prefix` };
      else if (extra.prefix.address.family !== 4) yield { path: extra.path, message: `hostBGP extra prefix ${extra.key} is not an IPv4 prefix` };
      else if (!isCanonical(extra.prefix)) yield { path: extra.path, message: `hostBGP extra prefix ${extra.key} has host bits set; write ${show(extra.prefix)}` };
    }
  }),
  rule("VPC-907", EXTRAS, function* (s) {
    if (!s.hostBGP) return;
    for (const extra of extrasOf(s).filter(usable)) yield* lengthsFit(extra.prefix, extra.min, extra.max, extra.path, `hostBGP extra prefix ${extra.key}`);
  }),
  rule(
    "VPC-908",
    EXTRAS,
    function* (s, _vpc, settings) {
      if (!s.hostBGP) return;
      const reserved = (settings.reservedSubnets ?? []).flatMap((item) => parsePrefix(item) ?? []);
      for (const extra of extrasOf(s).filter(usable)) {
        const clash = reserved.find((r) => prefixesOverlap(r, extra.prefix));
        if (clash) yield { path: extra.path, message: `hostBGP extra prefix ${extra.key} overlaps the reserved subnet ${show(clash)}` };
      }
    },
    { needs: ["reservedSubnets"] },
  ),
  {
    id: "VPC-909",
    kind: "VPC",
    severity: "error",
    requires: EXTRAS,
    *check(vpc) {
      // Subnets among themselves are VPC-135; here every extra prefix against the subnets and the earlier extras.
      const subnets = subnetsOf(vpc);
      const seen: { what: string; prefix: IpPrefix }[] = subnets.flatMap((s) => (s.prefix ? [{ what: `subnet ${s.name} (${s.text})`, prefix: s.prefix }] : []));
      for (const s of subnets.filter((x) => x.hostBGP)) {
        for (const extra of extrasOf(s).filter(usable)) {
          const clash = seen.find((other) => prefixesOverlap(other.prefix, extra.prefix));
          if (clash) yield { path: extra.path, message: `hostBGP extra prefix ${extra.key} overlaps ${clash.what}` };
          seen.push({ what: `hostBGP extra prefix ${extra.key} of subnet ${s.name}`, prefix: extra.prefix });
        }
      }
    },
  },
];

/** Every usable extra prefix of a VPC. */
function allExtras(vpc: JsonRecord): ExtraPrefix[] {
  return subnetsOf(vpc)
    .filter((s) => s.hostBGP)
    .flatMap((s) => extrasOf(s).filter(usable));
}

export const hostBgpSetRules: readonly SetRule[] = [
  {
    id: "VPC-910",
    kind: "VPC",
    severity: "error",
    requires: EXTRAS,
    *check(vpc, set) {
      const nsName = text(vpc, ["spec", "ipv4Namespace"]);
      const ns = set.get("IPv4Namespace", nsName);
      if (!ns) return;
      const pool = (arrayAt(ns, ["spec", "subnets"]) ?? []).flatMap((item) => (typeof item === "string" ? (parsePrefix(item) ?? []) : []));
      for (const extra of allExtras(vpc)) {
        if (!pool.some((outer) => prefixWithin(extra.prefix as IpPrefix, outer))) {
          yield { path: extra.path, message: `hostBGP extra prefix ${extra.key} is not inside any subnet of ${set.describe("IPv4Namespace", nsName)}` };
        }
      }
    },
  },
  {
    id: "VPC-911",
    kind: "VPC",
    severity: "error",
    requires: EXTRAS,
    *check(vpc, set) {
      const self = text(vpc, ["metadata", "name"]);
      const namespace = text(vpc, ["spec", "ipv4Namespace"]);
      const mine = [
        ...subnetsOf(vpc).flatMap((s) => (s.prefix ? [{ path: [...s.path, "subnet"] as Path, what: `subnet ${s.text}`, prefix: s.prefix }] : [])),
        ...allExtras(vpc).map((e) => ({ path: e.path, what: `hostBGP extra prefix ${e.key}`, prefix: e.prefix as IpPrefix })),
      ];
      const others = set.groupedBy("VPC", "hostBGP extra prefixes by IPv4Namespace", (o) => (allExtras(o).length > 0 ? text(o, ["spec", "ipv4Namespace"]) : undefined));
      for (const other of others.get(namespace) ?? []) {
        if (other.name === self) continue;
        for (const extra of allExtras(other.object)) {
          for (const own of mine) {
            if (prefixesOverlap(own.prefix, extra.prefix as IpPrefix)) {
              yield { path: own.path, message: `${own.what} overlaps hostBGP extra prefix ${extra.key} of ${set.describe("VPC", other.name)}`, conflictsWith: other.id };
            }
          }
        }
      }
      // My extra prefixes against the other VPCs' subnets (subnet against subnet is VPC-206).
      const myExtras = allExtras(vpc);
      if (myExtras.length === 0) return;
      for (const other of set.list("VPC")) {
        if (other.name === self || text(other.object, ["spec", "ipv4Namespace"]) !== namespace) continue;
        for (const s of subnetsOf(other.object)) {
          for (const extra of myExtras) {
            if (s.prefix && prefixesOverlap(s.prefix, extra.prefix as IpPrefix)) {
              yield { path: extra.path, message: `hostBGP extra prefix ${extra.key} overlaps subnet ${s.name} (${s.text}) of ${set.describe("VPC", other.name)}`, conflictsWith: other.id };
            }
          }
        }
      }
    },
  },
];
