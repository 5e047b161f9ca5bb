// COMMON-101..103 and the per-kind "derived label" rules (VPCATT-101, VPCPEER-101, EXTATT-101,
// EXTPEER-101, SW-101, CONN-101): the API server checks metadata and the labels the mutating
// webhook wrote, so a spec value that cannot be a label value is rejected.
import { derivedLabels, labelSourceOf } from "../labels.js";
import { isDnsSubdomain, isLabelValue, isQualifiedName } from "../names.js";
import { entriesAt, text, type JsonRecord } from "../object.js";
import type { IntrinsicRule, Violation } from "./rule.js";

function* derivedLabelViolations(resource: JsonRecord, kind: string): Generator<Violation> {
  for (const label of derivedLabels(resource, kind)) {
    if (!isQualifiedName(label.key)) {
      const name = label.key.slice(label.key.indexOf("/") + 1);
      yield {
        path: label.field,
        message: `"${name}" cannot be the name part of label ${label.key.slice(0, label.key.indexOf("/") + 1)}…: it must be 1 to 63 characters, alphanumeric at both ends, with only - _ . inside`,
      };
    } else if (!isLabelValue(label.value)) {
      yield {
        path: label.field,
        message: `"${label.value}" cannot be the value of label ${label.key}: it must be at most 63 characters, alphanumeric at both ends, with only - _ . inside`,
      };
    }
  }
}

/** The derived-label rule of a kind whose labels RULES.md checks under its own id. */
export function derivedLabelRule(kind: string, id: string): IntrinsicRule {
  return { id, kind, severity: "error", check: (resource) => derivedLabelViolations(resource, kind) };
}

export const commonRules: readonly IntrinsicRule[] = [
  {
    id: "COMMON-101",
    kind: "*",
    severity: "error",
    *check(resource) {
      const name = text(resource, ["metadata", "name"]);
      if (!isDnsSubdomain(name)) {
        yield {
          path: ["metadata", "name"],
          message: `name "${name}" is not a lowercase RFC 1123 subdomain (a-z, 0-9, "-" and ".", alphanumeric at both ends, at most 253 characters)`,
        };
      }
    },
  },
  {
    id: "COMMON-102",
    kind: "*",
    severity: "error",
    *check(resource) {
      const namespace = text(resource, ["metadata", "namespace"]);
      if (namespace !== "default") {
        yield { path: ["metadata", "namespace"], message: `namespace "${namespace}" is not supported; only default is` };
      }
    },
  },
  {
    id: "COMMON-103",
    kind: "*",
    severity: "error",
    *check(resource) {
      const kind = text(resource, ["kind"]);
      const derived = new Set(derivedLabels(resource, kind).map((label) => label.key));
      for (const [key, value] of entriesAt(resource, ["metadata", "labels"])) {
        if (derived.has(key)) continue;
        if (!isQualifiedName(key)) yield { path: ["metadata", "labels", key], message: `label key "${key}" is not a valid qualified name` };
        else if (typeof value === "string" && !isLabelValue(value)) {
          yield {
            path: ["metadata", "labels", key],
            message: `label value "${value}" must be at most 63 characters, alphanumeric at both ends, with only - _ . inside`,
          };
        }
      }
      for (const [key] of entriesAt(resource, ["metadata", "annotations"])) {
        if (!isQualifiedName(key)) {
          yield { path: ["metadata", "annotations", key], message: `annotation key "${key}" is not a valid qualified name` };
        }
      }
      if (labelSourceOf(kind)?.checkRule === "COMMON-103") yield* derivedLabelViolations(resource, kind);
    },
  },
];
