// IPv4Namespace rules (RULES.md §5).
import { formatIp, parsePrefix, prefixesOverlap, type IpPrefix } from "../net.js";
import { arrayAt, text, type JsonRecord } from "../object.js";
import type { IntrinsicRule } from "./rule.js";

function prefixesOf(namespace: JsonRecord): { index: number; text: string; prefix: IpPrefix }[] {
  return (arrayAt(namespace, ["spec", "subnets"]) ?? []).flatMap((item, index) => {
    const prefix = typeof item === "string" ? parsePrefix(item) : undefined;
    return prefix ? [{ index, text: item as string, prefix }] : [];
  });
}

export const ipv4NamespaceRules: readonly IntrinsicRule[] = [
  {
    id: "IPNS-101",
    kind: "IPv4Namespace",
    severity: "error",
    *check(ns) {
      const name = text(ns, ["metadata", "name"]);
      if (name.length > 11) yield { path: ["metadata", "name"], message: `IPv4Namespace name "${name}" is longer than 11 characters` };
    },
  },
  {
    id: "IPNS-102",
    kind: "IPv4Namespace",
    severity: "error",
    *check(ns) {
      for (const [i, item] of (arrayAt(ns, ["spec", "subnets"]) ?? []).entries()) {
        if (typeof item !== "string" || !parsePrefix(item)) yield { path: ["spec", "subnets", i], message: `"${String(item)}" is not an IP prefix` };
      }
    },
  },
  {
    id: "IPNS-103",
    kind: "IPv4Namespace",
    severity: "error",
    *check(ns) {
      const count = (arrayAt(ns, ["spec", "subnets"]) ?? []).length;
      if (count > 10) yield { path: ["spec", "subnets"], message: `an IPv4Namespace has at most 10 subnets, this one has ${count}` };
    },
  },
  {
    id: "IPNS-104",
    kind: "IPv4Namespace",
    severity: "error",
    *check(ns) {
      const prefixes = prefixesOf(ns);
      for (const [i, current] of prefixes.entries()) {
        const earlier = prefixes.slice(0, i).find((other) => prefixesOverlap(other.prefix, current.prefix));
        if (earlier) yield { path: ["spec", "subnets", current.index], message: `subnet ${current.text} overlaps subnet ${earlier.text}` };
      }
    },
  },
  {
    id: "IPNS-105",
    kind: "IPv4Namespace",
    severity: "error",
    needs: ["reservedSubnets"],
    *check(ns, settings) {
      const reserved = (settings.reservedSubnets ?? []).flatMap((item) => parsePrefix(item) ?? []);
      for (const current of prefixesOf(ns)) {
        const clash = reserved.find((r) => prefixesOverlap(r, current.prefix));
        if (clash) {
          yield { path: ["spec", "subnets", current.index], message: `subnet ${current.text} overlaps the reserved subnet ${formatIp(clash.network)}/${clash.length}` };
        }
      }
    },
  },
];
