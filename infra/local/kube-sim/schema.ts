// A CRD's structural schema (openAPIV3Schema) compiled into the shape every other part of the
// simulator walks: pruning, defaulting, validation, field ownership. ObjectMeta is not described
// by CRD schemas (they say only `metadata: {type: object}`), so it is spelled out here as the real
// server knows it.

import { KubeSimConfigError } from "./errors.js";

export type SchemaType = "object" | "array" | "string" | "integer" | "number" | "boolean";

export interface SchemaNode {
  readonly type?: SchemaType;
  readonly properties?: ReadonlyMap<string, SchemaNode>;
  /** Schema of the values of a map (`additionalProperties`). */
  readonly additionalProperties?: SchemaNode;
  readonly items?: SchemaNode;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: boolean;
  readonly exclusiveMaximum?: boolean;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly pattern?: { readonly source: string; readonly regex: RegExp };
  readonly format?: string;
  readonly hasDefault: boolean;
  readonly default?: unknown;
  readonly nullable: boolean;
  readonly preserveUnknownFields: boolean;
  readonly intOrString: boolean;
  /** x-kubernetes-map-type: atomic maps are owned as a whole. */
  readonly atomicMap: boolean;
  /** x-kubernetes-list-type; lists without one are atomic. */
  readonly listType: "atomic" | "set" | "map";
  readonly listMapKeys: readonly string[];
  /** Marks ObjectMeta, which is validated by its own rules rather than by the schema keywords. */
  readonly objectMeta: boolean;
}

type RawSchema = Record<string, unknown>;

function asNumber(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

/** Go's RE2 and JavaScript agree on the patterns CRDs use; `\z` is the one spelling JS lacks. */
function compilePattern(source: string, where: string): { source: string; regex: RegExp } {
  try {
    return { source, regex: new RegExp(source.replace(/\\z/g, "$"), "u") };
  } catch {
    try {
      return { source, regex: new RegExp(source.replace(/\\z/g, "$")) };
    } catch (error) {
      throw new KubeSimConfigError(`${where}: pattern ${source} does not compile`, { cause: error });
    }
  }
}

export function compileSchema(raw: unknown, where: string): SchemaNode {
  if (raw === undefined || raw === null) return compileSchema({}, where);
  if (typeof raw !== "object" || Array.isArray(raw)) throw new KubeSimConfigError(`${where}: schema must be an object`);
  const s = raw as RawSchema;
  const properties = s["properties"] as Record<string, unknown> | undefined;
  const additional = s["additionalProperties"];
  const listType = s["x-kubernetes-list-type"];
  const pattern = s["pattern"];
  return {
    ...(typeof s["type"] === "string" ? { type: s["type"] as SchemaType } : {}),
    ...(properties ? { properties: new Map(Object.entries(properties).map(([k, v]) => [k, compileSchema(v, `${where}.${k}`)])) } : {}),
    ...(additional && typeof additional === "object" ? { additionalProperties: compileSchema(additional, `${where}{}`) } : {}),
    ...(s["items"] ? { items: compileSchema(s["items"], `${where}[]`) } : {}),
    ...(Array.isArray(s["required"]) ? { required: s["required"] as string[] } : {}),
    ...(Array.isArray(s["enum"]) ? { enum: s["enum"] as unknown[] } : {}),
    ...(asNumber(s["minimum"]) !== undefined ? { minimum: asNumber(s["minimum"]) as number } : {}),
    ...(asNumber(s["maximum"]) !== undefined ? { maximum: asNumber(s["maximum"]) as number } : {}),
    ...(s["exclusiveMinimum"] === true ? { exclusiveMinimum: true } : {}),
    ...(s["exclusiveMaximum"] === true ? { exclusiveMaximum: true } : {}),
    ...(asNumber(s["minItems"]) !== undefined ? { minItems: asNumber(s["minItems"]) as number } : {}),
    ...(asNumber(s["maxItems"]) !== undefined ? { maxItems: asNumber(s["maxItems"]) as number } : {}),
    ...(asNumber(s["minLength"]) !== undefined ? { minLength: asNumber(s["minLength"]) as number } : {}),
    ...(asNumber(s["maxLength"]) !== undefined ? { maxLength: asNumber(s["maxLength"]) as number } : {}),
    ...(asNumber(s["minProperties"]) !== undefined ? { minProperties: asNumber(s["minProperties"]) as number } : {}),
    ...(asNumber(s["maxProperties"]) !== undefined ? { maxProperties: asNumber(s["maxProperties"]) as number } : {}),
    ...(typeof pattern === "string" ? { pattern: compilePattern(pattern, where) } : {}),
    ...(typeof s["format"] === "string" ? { format: s["format"] } : {}),
    hasDefault: "default" in s,
    ...("default" in s ? { default: s["default"] } : {}),
    nullable: s["nullable"] === true,
    preserveUnknownFields: s["x-kubernetes-preserve-unknown-fields"] === true || additional === true,
    intOrString: s["x-kubernetes-int-or-string"] === true,
    atomicMap: s["x-kubernetes-map-type"] === "atomic",
    listType: listType === "set" || listType === "map" ? listType : "atomic",
    listMapKeys: Array.isArray(s["x-kubernetes-list-map-keys"]) ? (s["x-kubernetes-list-map-keys"] as string[]) : [],
    objectMeta: false,
  };
}

function node(partial: Partial<SchemaNode>): SchemaNode {
  return {
    hasDefault: false,
    nullable: false,
    preserveUnknownFields: false,
    intOrString: false,
    atomicMap: false,
    listType: "atomic",
    listMapKeys: [],
    objectMeta: false,
    ...partial,
  };
}

const str = node({ type: "string" });
const int = node({ type: "integer" });
const bool = node({ type: "boolean" });
const stringMap = node({ type: "object", additionalProperties: str });

/** metav1.ObjectMeta as the API server's own schema describes it. */
export const OBJECT_META: SchemaNode = node({
  type: "object",
  objectMeta: true,
  properties: new Map<string, SchemaNode>([
    ["name", str],
    ["generateName", str],
    ["namespace", str],
    ["selfLink", str],
    ["uid", str],
    ["resourceVersion", str],
    ["generation", int],
    ["creationTimestamp", node({ type: "string", nullable: true })],
    ["deletionTimestamp", node({ type: "string", nullable: true })],
    ["deletionGracePeriodSeconds", int],
    ["labels", stringMap],
    ["annotations", stringMap],
    [
      "ownerReferences",
      node({
        type: "array",
        listType: "map",
        listMapKeys: ["uid"],
        items: node({
          type: "object",
          properties: new Map<string, SchemaNode>([
            ["apiVersion", str],
            ["kind", str],
            ["name", str],
            ["uid", str],
            ["controller", bool],
            ["blockOwnerDeletion", bool],
          ]),
        }),
      }),
    ],
    ["finalizers", node({ type: "array", listType: "set", items: str })],
    [
      "managedFields",
      node({
        type: "array",
        items: node({
          type: "object",
          properties: new Map<string, SchemaNode>([
            ["manager", str],
            ["operation", str],
            ["apiVersion", str],
            ["time", str],
            ["fieldsType", str],
            ["fieldsV1", node({ type: "object", preserveUnknownFields: true })],
            ["subresource", str],
          ]),
        }),
      }),
    ],
  ]),
});

/**
 * The schema of a whole object: the CRD's root with apiVersion/kind forced to strings and metadata
 * replaced by ObjectMeta.
 */
export function rootSchema(openAPIV3Schema: unknown, where: string): SchemaNode {
  const compiled = compileSchema(openAPIV3Schema, where);
  const properties = new Map(compiled.properties ?? []);
  properties.set("apiVersion", str);
  properties.set("kind", str);
  properties.set("metadata", OBJECT_META);
  return { ...compiled, type: "object", properties };
}

/** The schema for `key` under an object node, and whether it is a declared field (not a map entry). */
export function childOf(schema: SchemaNode | undefined, key: string): { schema: SchemaNode | undefined; declared: boolean } | undefined {
  if (schema === undefined) return { schema: undefined, declared: false };
  const declared = schema.properties?.get(key);
  if (declared) return { schema: declared, declared: true };
  if (schema.additionalProperties) return { schema: schema.additionalProperties, declared: false };
  if (schema.preserveUnknownFields) return { schema: undefined, declared: false };
  return undefined;
}
