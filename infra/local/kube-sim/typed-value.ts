// Operations on whole values that structured-merge-diff performs for server-side apply: turning an
// apply configuration into a typed value (which fails on undeclared fields and wrong scalar types,
// answered with a 500 by kube-apiserver), and merging it into the live object.

import { listItemElement, shapeOf } from "./field-paths.js";
import { goTypeName, goValue } from "./go-text.js";
import { isObject } from "./json-values.js";
import type { JsonObject } from "./json-values.js";
import { childOf } from "./schema.js";
import type { SchemaNode } from "./schema.js";

function typedNode(schema: SchemaNode | undefined, value: unknown, path: string, errors: string[]): void {
  if (value === null || schema === undefined) return;
  if (schema.intOrString) return;
  const isMapSchema = schema.type === "object" || schema.properties !== undefined || schema.additionalProperties !== undefined;
  if (isMapSchema) {
    if (!isObject(value)) {
      errors.push(`${path}: expected map, got &{${goValue(value)}}`);
      return;
    }
    for (const key of Object.keys(value).sort()) {
      const child = childOf(schema, key);
      if (child === undefined) {
        errors.push(`${path}.${key}: field not declared in schema`);
        return;
      }
      typedNode(child.schema, value[key], `${path}.${key}`, errors);
    }
    return;
  }
  switch (schema.type) {
    case "array":
      if (!Array.isArray(value)) errors.push(`${path}: expected list, got &{${goValue(value)}}`);
      else value.forEach((item, i) => typedNode(schema.items, item, `${path}[${i}]`, errors));
      return;
    case "integer":
    case "number":
      if (typeof value !== "number") errors.push(`${path}: expected numeric (int or float), got ${goTypeName(value)}`);
      return;
    case "string":
      if (typeof value !== "string") errors.push(`${path}: expected string, got &value.valueUnstructured{Value:${goValue(value)}}`);
      return;
    case "boolean":
      if (typeof value !== "boolean") errors.push(`${path}: expected boolean, got &value.valueUnstructured{Value:${goValue(value)}}`);
      return;
    default:
      return;
  }
}

/**
 * Why an apply configuration cannot be turned into a typed value (unknown fields, wrong scalar
 * types), joined as structured-merge-diff's ValidationErrors prints them; undefined when it can.
 */
export function typedConversionError(schema: SchemaNode, config: JsonObject): string | undefined {
  const errors: string[] = [];
  typedNode(schema, config, "", errors);
  if (errors.length === 0) return undefined;
  if (errors.length === 1) return errors[0];
  return ["errors:", ...errors.map((e) => `  ${e}`)].join("\n");
}

function mergeNode(schema: SchemaNode | undefined, live: unknown, config: unknown): unknown {
  if (config === undefined) return live;
  const shape = shapeOf(schema, config);
  if (shape === "map" && isObject(live)) {
    const out: JsonObject = { ...live };
    for (const key of Object.keys(config as JsonObject)) {
      out[key] = mergeNode(childOf(schema, key)?.schema, live[key], (config as JsonObject)[key]);
    }
    return out;
  }
  if ((shape === "set-list" || shape === "map-list") && Array.isArray(live) && schema !== undefined) {
    const merged = live.map((item) => ({ element: listItemElement(schema, item), item }));
    for (const item of config as unknown[]) {
      const element = listItemElement(schema, item);
      const at = merged.findIndex((m) => m.element === element);
      const value = shape === "map-list" && at >= 0 ? mergeNode(schema.items, (merged[at] as { item: unknown }).item, item) : item;
      if (at >= 0) merged[at] = { element, item: value };
      else merged.push({ element, item: value });
    }
    return merged.map((m) => m.item);
  }
  return structuredClone(config);
}

function dropNulls(schema: SchemaNode | undefined, value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) dropNulls(schema?.items, item);
    return;
  }
  if (!isObject(value)) return;
  for (const key of Object.keys(value)) {
    const child = childOf(schema, key)?.schema;
    if (value[key] === null && child?.nullable !== true) delete value[key];
    else dropNulls(child, value[key]);
  }
}

/**
 * The live object with an apply configuration merged in (structured-merge-diff's Merge): maps
 * merge member by member, set and map lists item by item, everything else is replaced. A null in
 * the configuration removes the field.
 */
export function mergeApplied(schema: SchemaNode, live: JsonObject, config: JsonObject): JsonObject {
  const merged = mergeNode(schema, structuredClone(live), config) as JsonObject;
  dropNulls(schema, merged);
  return merged;
}
