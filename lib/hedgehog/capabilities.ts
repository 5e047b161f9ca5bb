// What a served API can do, read from its CRD schemas rather than guessed from a version string: a
// field is absent, present, or present but marked deprecated in its description (controller-gen
// copies the Go comment, and Hedgehog marks retired fields "Deprecated ..."). Version-specific rules
// name the capability they depend on; the probes below are the only place that knows where to look.
import { isRecord, type JsonRecord } from "./object.js";

export type FieldSupport = "absent" | "present" | "deprecated";

/** Capability id → support. Ids are `<Kind>.<field path>`, "*" standing for every map value. */
export type Capabilities = Readonly<Record<string, FieldSupport>>;

/** The fields whose presence or deprecation some rule depends on (see RULES-NEW.md). */
export const CAPABILITY_PROBES = [
  "Connection.spec.mclag",
  "Connection.spec.mclagDomain",
  "VPCPeering.spec.remote",
  "Switch.spec.portFECs",
  "Switch.spec.portLocators",
  "SwitchProfile.spec.features.portLocator",
  "VPC.spec.subnets.*.hostBGPMinPrefixLen",
  "VPC.spec.subnets.*.hostBGPMaxPrefixLen",
  "VPC.spec.subnets.*.hostBGPExtraPrefixes",
] as const;

export type CapabilityId = (typeof CAPABILITY_PROBES)[number];

const DEPRECATED = /(^|\W)deprecated(\W|$)/i;

/** The schema of a field path inside an openAPIV3Schema ("*" = additionalProperties). */
function fieldSchema(root: JsonRecord, path: readonly string[]): JsonRecord | undefined {
  let node: unknown = root;
  for (const segment of path) {
    if (!isRecord(node)) return undefined;
    node = segment === "*" ? node["additionalProperties"] : isRecord(node["properties"]) ? node["properties"][segment] : undefined;
  }
  return isRecord(node) ? node : undefined;
}

/** Support of every probed field, given each kind's schema (undefined when the kind is not served). */
export function detectCapabilities(schemaOf: (kind: string) => JsonRecord | undefined): Capabilities {
  const out: Record<string, FieldSupport> = {};
  for (const id of CAPABILITY_PROBES) {
    const [kind, ...path] = id.split(".") as [string, ...string[]];
    const schema = schemaOf(kind);
    const field = schema && fieldSchema(schema, path);
    out[id] = !field ? "absent" : typeof field["description"] === "string" && DEPRECATED.test(field["description"]) ? "deprecated" : "present";
  }
  return Object.freeze(out);
}
