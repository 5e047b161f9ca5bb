// External rules (RULES.md §6).
import { parsePrefix, prefixesOverlap } from "../net.js";
import { arrayAt, getIn, text, type JsonRecord } from "../object.js";
import type { IntrinsicRule, SetRule } from "./rule.js";

const COMMUNITY = /^(0|[1-9]\d{0,4}):(0|[1-9]\d{0,4})$/;

function isCommunity(value: string): boolean {
  const match = COMMUNITY.exec(value);
  return match !== null && Number(match[1]) <= 65535 && Number(match[2]) <= 65535;
}

export function isStaticExternal(external: JsonRecord): boolean {
  const block = getIn(external, ["spec", "static"]);
  return block !== undefined && block !== null;
}

function communityRule(id: string, field: "inboundCommunity" | "outboundCommunity"): IntrinsicRule {
  return {
    id,
    kind: "External",
    severity: "error",
    *check(external) {
      const value = text(external, ["spec", field]);
      if (!isStaticExternal(external) && value !== "" && !isCommunity(value)) {
        yield { path: ["spec", field], message: `${field} "${value}" is not a BGP community like 50000:50001 (two numbers 0-65535)` };
      }
    },
  };
}

export const externalRules: readonly IntrinsicRule[] = [
  {
    id: "EXT-101",
    kind: "External",
    severity: "error",
    *check(external) {
      const name = text(external, ["metadata", "name"]);
      if (name.length > 11) yield { path: ["metadata", "name"], message: `External name "${name}" is longer than 11 characters` };
    },
  },
  {
    id: "EXT-102",
    kind: "External",
    severity: "error",
    *check(external) {
      if (text(external, ["spec", "ipv4Namespace"]) === "") yield { path: ["spec", "ipv4Namespace"], message: "ipv4Namespace is required" };
    },
  },
  communityRule("EXT-103", "inboundCommunity"),
  communityRule("EXT-104", "outboundCommunity"),
  {
    id: "EXT-105",
    kind: "External",
    severity: "error",
    *check(external) {
      if (!isStaticExternal(external)) return;
      for (const field of ["inboundCommunity", "outboundCommunity"]) {
        if (text(external, ["spec", field]) !== "") yield { path: ["spec", field], message: `${field} must be empty for a static external` };
      }
    },
  },
  {
    id: "EXT-106",
    kind: "External",
    severity: "error",
    *check(external) {
      if (isStaticExternal(external) && (arrayAt(external, ["spec", "static", "prefixes"]) ?? []).length === 0) {
        yield { path: ["spec", "static", "prefixes"], message: "a static external needs at least one prefix" };
      }
    },
  },
  {
    id: "EXT-107",
    kind: "External",
    severity: "error",
    *check(external) {
      for (const [i, item] of (arrayAt(external, ["spec", "static", "prefixes"]) ?? []).entries()) {
        if (typeof item !== "string" || !parsePrefix(item)) yield { path: ["spec", "static", "prefixes", i], message: `"${String(item)}" is not an IP prefix` };
      }
    },
  },
  {
    id: "EXT-108",
    kind: "External",
    severity: "error",
    *check(external) {
      const seen: { text: string; prefix: NonNullable<ReturnType<typeof parsePrefix>> }[] = [];
      for (const [i, item] of (arrayAt(external, ["spec", "static", "prefixes"]) ?? []).entries()) {
        const prefix = typeof item === "string" ? parsePrefix(item) : undefined;
        if (!prefix) continue;
        const earlier = seen.find((other) => prefixesOverlap(other.prefix, prefix));
        if (earlier) yield { path: ["spec", "static", "prefixes", i], message: `static prefix ${String(item)} overlaps ${earlier.text}` };
        seen.push({ text: item as string, prefix });
      }
    },
  },
];

export const externalSetRules: readonly SetRule[] = [
  {
    id: "EXT-201",
    kind: "External",
    severity: "error",
    check: (external, set) => set.reference("IPv4Namespace", text(external, ["spec", "ipv4Namespace"]), ["spec", "ipv4Namespace"]),
  },
];
