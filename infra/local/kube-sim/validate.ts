// Validation of custom objects as kube-apiserver does it: ObjectMeta rules first, then the CRD's
// OpenAPI schema (kube-openapi's validators, with apiextensions' conversion to field errors), each
// error rendered with the messages clients see.

import { goQuote, goValue } from "./go-text.js";
import { deepEqual, isObject } from "./json-values.js";
import type { JsonObject } from "./json-values.js";
import { dns1123SubdomainErrors, labelValueErrors, qualifiedNameErrors } from "./names.js";
import type { SchemaNode } from "./schema.js";
import type { FieldError } from "./status.js";

/** How field.Error renders a bad value after "Invalid value: ". */
export function renderBadValue(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return goQuote(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return goValue(value);
}

export const fieldErrors = {
  required(field: string, detail = ""): FieldError {
    return { type: "FieldValueRequired", field, body: detail ? `Required value: ${detail}` : "Required value" };
  },
  invalid(field: string, value: unknown, detail: string): FieldError {
    return { type: "FieldValueInvalid", field, body: `Invalid value: ${renderBadValue(value)}${detail ? `: ${detail}` : ""}` };
  },
  typeInvalid(field: string, value: unknown, detail: string): FieldError {
    return { type: "FieldValueTypeInvalid", field, body: `Invalid value: ${renderBadValue(value)}: ${detail}` };
  },
  notSupported(field: string, value: unknown, supported: readonly string[]): FieldError {
    const detail = supported.length > 0 ? `: supported values: ${supported.map((v) => goQuote(v)).join(", ")}` : "";
    return { type: "FieldValueNotSupported", field, body: `Unsupported value: ${renderBadValue(value)}${detail}` };
  },
  tooMany(field: string, actual: number, max: number): FieldError {
    return { type: "FieldValueTooMany", field, body: `Too many: ${actual}: must have at most ${max} items` };
  },
  tooLong(field: string, max: number): FieldError {
    return { type: "FieldValueTooLong", field, body: `Too long: may not be more than ${max} ${max === 1 ? "byte" : "bytes"}` };
  },
  forbidden(field: string, detail: string): FieldError {
    return { type: "FieldValueForbidden", field, body: `Forbidden: ${detail}` };
  },
};

function jsonTypeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  if (typeof value === "object") return "object";
  return typeof value; // string, boolean
}

function typeMatches(schema: SchemaNode, actual: string): boolean {
  if (schema.intOrString) return actual === "integer" || actual === "string";
  if (schema.type === undefined) return true;
  if (schema.type === "number") return actual === "number" || actual === "integer";
  return schema.type === actual;
}

// RFC 3339 as strfmt accepts it for `format: date-time`.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function joinField(base: string, key: string): string {
  return base === "" ? key : `${base}.${key}`;
}

function validateNode(value: unknown, schema: SchemaNode, path: string, errors: FieldError[]): void {
  if (schema.objectMeta) return;
  if (value === null) {
    if (!schema.nullable && schema.type !== undefined) {
      errors.push(fieldErrors.typeInvalid(path, "null", `${path} in body must be of type ${schema.type}: "null"`));
    }
    return;
  }
  const actual = jsonTypeOf(value);
  if (!typeMatches(schema, actual)) {
    errors.push(fieldErrors.typeInvalid(path, actual, `${path} in body must be of type ${schema.type}: "${actual}"`));
    return;
  }
  if (typeof value === "string") {
    if (schema.maxLength !== undefined && [...value].length > schema.maxLength) errors.push(fieldErrors.tooLong(path, schema.maxLength));
    if (schema.minLength !== undefined && [...value].length < schema.minLength) {
      errors.push(fieldErrors.invalid(path, value, `${path} in body should be at least ${schema.minLength} chars long`));
    }
    if (schema.pattern && !schema.pattern.regex.test(value)) {
      errors.push(fieldErrors.invalid(path, value, `${path} in body should match '${schema.pattern.source}'`));
    }
    if (schema.format === "date-time" && !DATE_TIME.test(value)) {
      errors.push(fieldErrors.typeInvalid(path, value, `${path} in body must be of type date-time: ${goQuote(value)}`));
    }
  }
  if (typeof value === "number") {
    if (schema.maximum !== undefined && (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum)) {
      errors.push(fieldErrors.invalid(path, value, `${path} in body should be less than ${schema.exclusiveMaximum ? "" : "or equal to "}${schema.maximum}`));
    }
    if (schema.minimum !== undefined && (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum)) {
      errors.push(fieldErrors.invalid(path, value, `${path} in body should be greater than ${schema.exclusiveMinimum ? "" : "or equal to "}${schema.minimum}`));
    }
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      errors.push(fieldErrors.invalid(path, value.length, `${path} in body should have at least ${schema.minItems} items`));
    }
    if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push(fieldErrors.tooMany(path, value.length, schema.maxItems));
  }
  if (schema.enum && !schema.enum.some((allowed) => deepEqual(allowed, value))) {
    errors.push(fieldErrors.notSupported(path, value, schema.enum.map((v) => (typeof v === "string" ? v : JSON.stringify(v)))));
  }
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, i) => validateNode(item, schema.items as SchemaNode, `${path}[${i}]`, errors));
    return;
  }
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) {
      errors.push(fieldErrors.tooMany(path, keys.length, schema.maxProperties));
    }
    if (schema.minProperties !== undefined && keys.length < schema.minProperties) {
      errors.push(fieldErrors.invalid(path, keys.length, `${path} in body should have at least ${schema.minProperties} properties`));
    }
    for (const required of schema.required ?? []) {
      if (!(required in value)) errors.push(fieldErrors.required(joinField(path, required)));
    }
    for (const key of keys) {
      const child = schema.properties?.get(key) ?? schema.additionalProperties;
      if (child) validateNode(value[key], child, joinField(path, key), errors);
    }
  }
}

const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_ANNOTATIONS_BYTES = 256 * 1024;

function validateObjectMeta(meta: JsonObject, namespaced: boolean, errors: FieldError[]): void {
  const name = typeof meta["name"] === "string" ? meta["name"] : "";
  const generateName = typeof meta["generateName"] === "string" ? meta["generateName"] : "";
  if (generateName !== "") {
    for (const msg of dns1123SubdomainErrors(`${generateName}a`)) errors.push(fieldErrors.invalid("metadata.generateName", generateName, msg));
  }
  if (name === "") errors.push(fieldErrors.required("metadata.name", "name or generateName is required"));
  else for (const msg of dns1123SubdomainErrors(name)) errors.push(fieldErrors.invalid("metadata.name", name, msg));
  const namespace = typeof meta["namespace"] === "string" ? meta["namespace"] : "";
  if (namespaced) {
    if (namespace === "") errors.push(fieldErrors.required("metadata.namespace"));
    else if (namespace.length > 63 || !NAMESPACE_NAME.test(namespace)) {
      errors.push(fieldErrors.invalid("metadata.namespace", namespace, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"));
    }
  } else if (namespace !== "") {
    errors.push(fieldErrors.forbidden("metadata.namespace", "not allowed on this type"));
  }
  if (typeof meta["generation"] === "number" && meta["generation"] < 0) {
    errors.push(fieldErrors.invalid("metadata.generation", meta["generation"], "must be greater than or equal to 0"));
  }
  const labels = isObject(meta["labels"]) ? (meta["labels"] as Record<string, string>) : {};
  for (const [key, value] of Object.entries(labels)) {
    for (const msg of qualifiedNameErrors(key)) errors.push(fieldErrors.invalid("metadata.labels", key, msg));
    for (const msg of labelValueErrors(value)) errors.push(fieldErrors.invalid("metadata.labels", value, msg));
  }
  const annotations = isObject(meta["annotations"]) ? (meta["annotations"] as Record<string, string>) : {};
  let annotationBytes = 0;
  for (const [key, value] of Object.entries(annotations)) {
    for (const msg of qualifiedNameErrors(key.toLowerCase())) errors.push(fieldErrors.invalid("metadata.annotations", key, msg));
    annotationBytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (annotationBytes > MAX_ANNOTATIONS_BYTES) {
    errors.push({ type: "FieldValueTooLong", field: "metadata.annotations", body: `Too long: must have at most ${MAX_ANNOTATIONS_BYTES} bytes` });
  }
  const finalizers = Array.isArray(meta["finalizers"]) ? (meta["finalizers"] as string[]) : [];
  finalizers.forEach((finalizer) => {
    for (const msg of qualifiedNameErrors(finalizer)) errors.push(fieldErrors.invalid("metadata.finalizers", finalizer, msg));
  });
}

/** All validation errors of a custom object about to be stored, in kube-apiserver's order. */
export function validateCustomObject(obj: JsonObject, schema: SchemaNode, namespaced: boolean): FieldError[] {
  const errors: FieldError[] = [];
  validateObjectMeta(isObject(obj["metadata"]) ? obj["metadata"] : {}, namespaced, errors);
  validateNode(obj, schema, "", errors);
  return errors;
}

/**
 * Drops metadata members of the wrong type, as kube-apiserver's decoder does for custom objects
 * (it keeps what it can turn into ObjectMeta and discards the rest without an error).
 */
export function dropMalformedMetadata(obj: JsonObject, metaSchema: SchemaNode): void {
  const meta = obj["metadata"];
  if (meta === undefined) return;
  if (!isObject(meta)) {
    delete obj["metadata"];
    return;
  }
  for (const key of Object.keys(meta)) {
    const fieldSchema = metaSchema.properties?.get(key);
    if (fieldSchema === undefined) continue;
    const errors: FieldError[] = [];
    validateNode(meta[key], { ...fieldSchema, nullable: true }, key, errors);
    if (errors.length > 0) delete meta[key];
  }
}
