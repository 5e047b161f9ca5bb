// CRD schema validation the way the API server does it under strict field validation: unknown
// fields are errors, then types, enums, patterns and bounds. Schemas are compiled once, lazily.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import formats from "ajv-formats";
import { bundledCatalog, type Catalog, type KindInfo } from "./catalog.js";
import { cloneJson, isRecord, type JsonRecord, type Path } from "./object.js";

/** The x-kubernetes-* vocabulary: annotations for ajv; preserve-unknown-fields is honoured below. */
const KUBERNETES_KEYWORDS = [
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-int-or-string",
  "x-kubernetes-embedded-resource",
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-map-type",
  "x-kubernetes-validations",
];

/** ObjectMeta as the API server accepts it in a request body (the CRD says only `type: object`). */
const stringMap = { type: "object", additionalProperties: { type: "string" } };
const OBJECT_META: JsonRecord = {
  type: "object",
  properties: {
    name: { type: "string" },
    generateName: { type: "string" },
    namespace: { type: "string" },
    selfLink: { type: "string" },
    uid: { type: "string" },
    resourceVersion: { type: "string" },
    generation: { type: "integer" },
    creationTimestamp: { type: "string" },
    deletionTimestamp: { type: "string" },
    deletionGracePeriodSeconds: { type: "integer" },
    labels: stringMap,
    annotations: stringMap,
    ownerReferences: { type: "array", items: { type: "object" } },
    finalizers: { type: "array", items: { type: "string" } },
    managedFields: { type: "array", items: { type: "object" } },
  },
};

const ajv = new Ajv({ strict: false, allErrors: true });
formats.default(ajv, ["int32", "int64", "date-time", "date", "uri", "email", "uuid", "ipv4", "ipv6", "byte"]);
for (const keyword of KUBERNETES_KEYWORDS) ajv.addKeyword({ keyword });

/** Unknown field = error: additionalProperties false wherever properties are listed and unknown fields are not preserved. */
function strictify(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictify);
  if (!isRecord(schema)) return schema;
  const out: JsonRecord = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "description") continue;
    // "properties" maps field names to schemas: recurse into each, never read the names as keywords.
    out[key] =
      key === "properties" && isRecord(value)
        ? Object.fromEntries(Object.entries(value).map(([field, sub]) => [field, strictify(sub)]))
        : strictify(value);
  }
  if (isRecord(out["properties"]) && out["additionalProperties"] === undefined && out["x-kubernetes-preserve-unknown-fields"] !== true) {
    out["additionalProperties"] = false;
  }
  return out;
}

function prepare(schema: JsonRecord): JsonRecord {
  const copy = cloneJson(schema);
  const properties = isRecord(copy["properties"]) ? copy["properties"] : {};
  properties["metadata"] = OBJECT_META;
  copy["properties"] = properties;
  return strictify(copy) as JsonRecord;
}

interface Compiled {
  readonly schema: JsonRecord;
  readonly validate: ValidateFunction;
}

// Compiled once per schema object (a catalog kept warm keeps its schemas), and once per schema content:
// a cluster serving the bundled CRDs reuses the bundled validators instead of compiling them again.
const compiledBySchema = new WeakMap<JsonRecord, Compiled>();
const compiledByContent = new Map<string, Compiled>();

function compiledFor(catalog: Catalog, info: KindInfo, version: string): Compiled | undefined {
  const raw = catalog.schema(info, version);
  if (!raw) return undefined;
  let entry = compiledBySchema.get(raw);
  if (!entry) {
    const schema = prepare(raw);
    const content = JSON.stringify(schema);
    entry = compiledByContent.get(content);
    if (!entry) {
      entry = { schema, validate: ajv.compile(schema) };
      compiledByContent.set(content, entry);
    }
    compiledBySchema.set(raw, entry);
  }
  return entry;
}

/**
 * Drops null values of declared, non-nullable fields, as the API server prunes them before
 * validating. Map entries (additionalProperties) and list items keep their nulls: the schema
 * reports those.
 */
function pruneWith(value: unknown, schema: unknown): void {
  if (!isRecord(schema)) return;
  if (Array.isArray(value)) {
    for (const item of value) pruneWith(item, schema["items"]);
    return;
  }
  if (!isRecord(value)) return;
  const properties = isRecord(schema["properties"]) ? schema["properties"] : undefined;
  for (const [key, item] of Object.entries(value)) {
    const declared = properties && Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (declared !== undefined) {
      if (item === null && !(isRecord(declared) && declared["nullable"] === true)) delete value[key];
      else pruneWith(item, declared);
    } else if (isRecord(schema["additionalProperties"])) {
      pruneWith(item, schema["additionalProperties"]);
    }
  }
}

/** Prunes nulls in place, following the CRD schema of the kind's version. */
export function pruneNulls(info: KindInfo, version: string, value: unknown, catalog: Catalog = bundledCatalog): void {
  const entry = compiledFor(catalog, info, version);
  if (entry) pruneWith(value, entry.schema);
}

export interface SchemaViolation {
  readonly path: Path;
  readonly message: string;
}

function pathOf(instancePath: string): (string | number)[] {
  if (instancePath === "") return [];
  return instancePath
    .slice(1)
    .split("/")
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"))
    .map((segment) => (/^(0|[1-9]\d*)$/.test(segment) ? Number(segment) : segment));
}

const TYPE_NAMES: Record<string, string> = {
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "true or false",
  object: "a mapping",
  array: "a list",
};

function describe(error: ErrorObject): SchemaViolation {
  const path = pathOf(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperties":
      return { path: [...path, String(params["additionalProperty"])], message: `unknown field "${String(params["additionalProperty"])}"` };
    case "required":
      return { path: [...path, String(params["missingProperty"])], message: `required field "${String(params["missingProperty"])}" is missing` };
    case "type":
      return { path, message: `must be ${TYPE_NAMES[String(params["type"])] ?? String(params["type"])}` };
    case "enum":
      return { path, message: `must be one of: ${(params["allowedValues"] as unknown[]).map(String).join(", ")}` };
    case "pattern":
      return { path, message: `does not match the pattern ${String(params["pattern"])}` };
    case "format":
      return {
        path,
        message: params["format"] === "int32" ? "must be a 32-bit integer" : `must be in ${String(params["format"])} format`,
      };
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return { path, message: `must be ${String(params["comparison"])} ${String(params["limit"])}` };
    case "minItems":
      return { path, message: `must have at least ${String(params["limit"])} item(s)` };
    case "maxItems":
      return { path, message: `must have at most ${String(params["limit"])} items` };
    default:
      return { path, message: error.message ?? `fails the schema keyword ${error.keyword}` };
  }
}

/** Schema violations of a (defaulted, null-pruned) object against the CRD of its version. */
export function schemaViolations(info: KindInfo, version: string, value: unknown, catalog: Catalog = bundledCatalog): SchemaViolation[] {
  const entry = compiledFor(catalog, info, version);
  if (!entry) return [{ path: ["apiVersion"], message: `${info.kind} has no served version ${version}` }];
  if (entry.validate(value)) return [];
  return (entry.validate.errors ?? []).map(describe);
}
