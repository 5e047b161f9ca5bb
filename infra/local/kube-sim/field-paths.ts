// Field paths and field sets as structured-merge-diff (the library behind managedFields and
// server-side apply) defines them: which parts of an object a manager owns, how two versions of an
// object differ, and the FieldsV1 wire format.
//
// A path is a list of elements, each encoded as in FieldsV1: `f:<name>` (struct field or map key),
// `v:<json>` (member of a set list), `k:<json>` (item of a map list, by its keys). A set of paths
// is kept as a Set of strings (elements joined by NUL), which is fast enough for thousands of
// objects and easy to diff.

import { deepEqual, isObject } from "./json-values.js";
import type { JsonObject } from "./json-values.js";
import { childOf } from "./schema.js";
import type { SchemaNode } from "./schema.js";

export type FieldSet = Set<string>;

const SEP = "\u0000";

export function pathKey(elements: readonly string[]): string {
  return elements.join(SEP);
}

export function pathElements(key: string): string[] {
  return key === "" ? [] : key.split(SEP);
}

/** Paths the field manager never tracks: identity, system metadata, and the status subresource's part. */
const ROOT_IGNORED = new Set(["f:apiVersion", "f:kind", "f:status"]);
const METADATA_IGNORED = new Set([
  "f:name",
  "f:namespace",
  "f:creationTimestamp",
  "f:selfLink",
  "f:uid",
  "f:clusterName",
  "f:generation",
  "f:managedFields",
  "f:resourceVersion",
]);

function ignoredChild(parent: readonly string[], element: string): boolean {
  if (parent.length === 0) return ROOT_IGNORED.has(element);
  return parent.length === 1 && parent[0] === "f:metadata" && METADATA_IGNORED.has(element);
}

/** The metadata node itself is never owned (only its members are). */
function untrackedNode(path: readonly string[]): boolean {
  return path.length === 0 || (path.length === 1 && path[0] === "f:metadata");
}

export type Shape = "map" | "set-list" | "map-list" | "leaf";

export function shapeOf(schema: SchemaNode | undefined, value: unknown): Shape {
  if (schema === undefined) return isObject(value) ? "map" : "leaf";
  if ((schema.type === "object" || schema.properties || schema.additionalProperties) && !schema.atomicMap && !schema.intOrString) {
    return isObject(value) ? "map" : "leaf";
  }
  if (schema.type === "array" && Array.isArray(value)) {
    if (schema.listType === "set") return "set-list";
    if (schema.listType === "map") return "map-list";
  }
  return "leaf";
}

export function listItemElement(schema: SchemaNode, item: unknown): string {
  if (schema.listType === "set") return `v:${JSON.stringify(item)}`;
  const keys: JsonObject = {};
  for (const k of [...schema.listMapKeys].sort()) keys[k] = isObject(item) ? item[k] : undefined;
  return `k:${JSON.stringify(keys)}`;
}

function listItems(schema: SchemaNode, list: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (Array.isArray(list)) for (const item of list) out.set(listItemElement(schema, item), item);
  return out;
}

function childSchema(schema: SchemaNode | undefined, element: string): SchemaNode | undefined {
  if (element.startsWith("f:")) return childOf(schema, element.slice(2))?.schema;
  return schema?.items;
}

/** Immediate members of a value as (element, child value) pairs, by the value's shape. */
function members(schema: SchemaNode | undefined, value: unknown, shape: Shape): Map<string, unknown> {
  if (shape === "map") return new Map(Object.keys(value as JsonObject).map((k) => [`f:${k}`, (value as JsonObject)[k]]));
  if (shape === "set-list" || shape === "map-list") return listItems(schema as SchemaNode, value);
  return new Map();
}

export interface Comparison {
  readonly added: FieldSet;
  readonly modified: FieldSet;
  readonly removed: FieldSet;
}

function insertAll(set: FieldSet, schema: SchemaNode | undefined, value: unknown, path: string[]): void {
  const shape = shapeOf(schema, value);
  if (!untrackedNode(path)) set.add(pathKey(path));
  for (const [element, child] of members(schema, value, shape)) {
    if (ignoredChild(path, element)) continue;
    insertAll(set, childSchema(schema, element), child, [...path, element]);
  }
}

function compareNode(schema: SchemaNode | undefined, before: unknown, after: unknown, path: string[], out: Comparison): void {
  if (before === undefined && after === undefined) return;
  if (before === undefined) return insertAll(out.added, schema, after, path);
  if (after === undefined) return insertAll(out.removed, schema, before, path);
  const shapeBefore = shapeOf(schema, before);
  const shapeAfter = shapeOf(schema, after);
  if (shapeBefore !== shapeAfter || shapeAfter === "leaf") {
    if (!deepEqual(before, after) && !untrackedNode(path)) out.modified.add(pathKey(path));
    return;
  }
  const a = members(schema, before, shapeBefore);
  const b = members(schema, after, shapeAfter);
  for (const element of new Set([...a.keys(), ...b.keys()])) {
    if (ignoredChild(path, element)) continue;
    compareNode(childSchema(schema, element), a.get(element), b.get(element), [...path, element], out);
  }
}

/** What changed between two versions of an object, as field sets (typed.Comparison). */
export function compareObjects(schema: SchemaNode, before: JsonObject, after: JsonObject): Comparison {
  const out: Comparison = { added: new Set(), modified: new Set(), removed: new Set() };
  compareNode(schema, before, after, [], out);
  return out;
}

function configNode(schema: SchemaNode | undefined, value: unknown, path: string[], out: FieldSet): void {
  const shape = shapeOf(schema, value);
  if (shape === "leaf") {
    if (!untrackedNode(path)) out.add(pathKey(path));
    return;
  }
  for (const [element, child] of members(schema, value, shape)) {
    if (ignoredChild(path, element)) continue;
    const childPath = [...path, element];
    const declared = element.startsWith("f:") && schema?.properties?.has(element.slice(2)) === true;
    const emptyMap = isObject(child) && Object.keys(child).length === 0;
    // Map entries and list items are owned as nodes; declared fields only when empty or null.
    if (child === null || emptyMap || !declared) {
      if (!untrackedNode(childPath)) out.add(pathKey(childPath));
    }
    configNode(childSchema(schema, element), child, childPath, out);
  }
}

/** The fields an apply configuration sets (TypedValue.ToFieldSet): what its applier will own. */
export function appliedFields(schema: SchemaNode, config: JsonObject): FieldSet {
  const out: FieldSet = new Set();
  configNode(schema, config, [], out);
  return out;
}

/** Every proper ancestor of the members of `set`. */
export function ancestors(set: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const key of set) {
    const elements = pathElements(key);
    for (let i = 1; i < elements.length; i += 1) out.add(pathKey(elements.slice(0, i)));
  }
  return out;
}

/** fieldpath.Path.String(): `.spec.subnets.x.vlan`, `[="value"]`, `[uid="..."]`. */
export function pathString(key: string): string {
  return pathElements(key)
    .map((element) => {
      const body = element.slice(2);
      if (element.startsWith("f:")) return `.${body}`;
      if (element.startsWith("v:")) return `[=${body}]`;
      if (element.startsWith("k:")) {
        const keys = JSON.parse(body) as JsonObject;
        return `[${Object.keys(keys)
          .map((k) => `${k}=${JSON.stringify(keys[k])}`)
          .join(",")}]`;
      }
      return `[${body}]`;
    })
    .join("");
}

/** The FieldsV1 tree of a set: `{"f:spec": {".": {}, "f:x": {}}}`. */
export function toFieldsV1(set: FieldSet): JsonObject {
  const root: JsonObject = {};
  for (const key of [...set].sort()) {
    let node = root;
    for (const element of pathElements(key)) {
      if (!isObject(node[element])) node[element] = {};
      node = node[element] as JsonObject;
    }
  }
  // A node that is itself a member and has children carries ".": {}.
  for (const key of set) {
    let node = root;
    for (const element of pathElements(key)) node = node[element] as JsonObject;
    if (Object.keys(node).some((k) => k !== ".")) node["."] = {};
  }
  return sortTree(root);
}

function sortTree(node: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(node).sort()) out[key] = sortTree(node[key] as JsonObject);
  return out;
}

/** Reads a FieldsV1 tree back into a set; undefined when it is malformed. */
export function fromFieldsV1(tree: unknown): FieldSet | undefined {
  const out: FieldSet = new Set();
  const walk = (node: unknown, path: string[]): boolean => {
    if (!isObject(node)) return false;
    const keys = Object.keys(node);
    if (path.length > 0 && (keys.length === 0 || keys.includes("."))) out.add(pathKey(path));
    for (const key of keys) {
      if (key === ".") continue;
      if (!/^[fvki]:/.test(key)) return false;
      if (!walk(node[key], [...path, key])) return false;
    }
    return true;
  };
  return walk(tree, []) ? out : undefined;
}

/** Removes the value at each path (and below) from `obj`, in place. */
export function removePaths(schema: SchemaNode, obj: JsonObject, keys: Iterable<string>): void {
  const sorted = [...keys].sort((a, b) => a.length - b.length);
  for (const key of sorted) {
    const elements = pathElements(key);
    let parent: unknown = obj;
    let parentSchema: SchemaNode | undefined = schema;
    for (let i = 0; i < elements.length - 1 && parent !== undefined; i += 1) {
      const element = elements[i] as string;
      parent = stepInto(parentSchema, parent, element);
      parentSchema = childSchema(parentSchema, element);
    }
    const last = elements[elements.length - 1];
    if (last === undefined || parent === undefined) continue;
    if (last.startsWith("f:") && isObject(parent)) {
      delete parent[last.slice(2)];
    } else if (Array.isArray(parent) && parentSchema) {
      const index = parent.findIndex((item) => listItemElement(parentSchema as SchemaNode, item) === last);
      if (index >= 0) parent.splice(index, 1);
    }
  }
}

function stepInto(schema: SchemaNode | undefined, value: unknown, element: string): unknown {
  if (element.startsWith("f:")) return isObject(value) ? value[element.slice(2)] : undefined;
  if (Array.isArray(value) && schema) return value.find((item) => listItemElement(schema, item) === element);
  return undefined;
}
