// Structural-schema pruning and defaulting, the two rewrites kube-apiserver performs on every
// custom object it decodes (apiextensions-apiserver/pkg/apiserver/schema/{pruning,defaulting}).

import { clone, isObject } from "./json-values.js";
import type { JsonObject } from "./json-values.js";
import { childOf } from "./schema.js";
import type { SchemaNode } from "./schema.js";

function joinField(base: string, key: string): string {
  return base === "" ? key : `${base}.${key}`;
}

function pruneNode(value: unknown, schema: SchemaNode | undefined, path: string, pruned: string[]): void {
  if (schema === undefined) return;
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, i) => pruneNode(item, schema.items, `${path}[${i}]`, pruned));
    return;
  }
  if (!isObject(value)) return;
  for (const key of Object.keys(value)) {
    const child = childOf(schema, key);
    if (child === undefined) {
      pruned.push(joinField(path, key));
      delete value[key];
      continue;
    }
    pruneNode(value[key], child.schema, joinField(path, key), pruned);
  }
}

/**
 * Removes the fields the schema does not declare (in place) and returns their paths, sorted,
 * as kube-apiserver reports them in warnings and strict-decoding errors.
 */
export function pruneUnknownFields(obj: JsonObject, schema: SchemaNode): string[] {
  const pruned: string[] = [];
  pruneNode(obj, schema, "", pruned);
  return pruned.sort();
}

function defaultNode(value: unknown, schema: SchemaNode | undefined): void {
  if (schema === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) defaultNode(item, schema.items);
    return;
  }
  if (!isObject(value) || schema.objectMeta) return;
  for (const [key, property] of schema.properties ?? []) {
    if (!property.hasDefault) continue;
    const missing = !(key in value) || (value[key] === null && !property.nullable);
    if (missing) value[key] = clone(property.default);
  }
  for (const key of Object.keys(value)) defaultNode(value[key], childOf(schema, key)?.schema);
}

/** Fills in structural defaults (in place): only for members of objects that are present. */
export function applyDefaults(obj: JsonObject, schema: SchemaNode): void {
  defaultNode(obj, schema);
}
