// JSON merge patch (RFC 7386) and JSON patch (RFC 6902), with the quirks of the Go library
// kube-apiserver uses (evanphx/json-patch v4): `replace` of a missing object member adds it.

import { JsonPatchApplyError } from "./errors.js";
import { clone, deepEqual, isObject } from "./json-values.js";
import type { JsonObject } from "./json-values.js";

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

function parsePointer(pointer: unknown): string[] {
  if (typeof pointer !== "string") throw new JsonPatchApplyError("missing path");
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new JsonPatchApplyError(`invalid path ${pointer}`);
  return pointer
    .slice(1)
    .split("/")
    .map((token) => token.replace(/~1/g, "/").replace(/~0/g, "~"));
}

interface Location {
  readonly container: unknown;
  readonly key: string;
}

function locate(doc: unknown, tokens: readonly string[]): Location {
  let container: unknown = doc;
  for (const token of tokens.slice(0, -1)) {
    if (isObject(container) && token in container) container = container[token];
    else if (Array.isArray(container) && /^\d+$/.test(token) && Number(token) < container.length) container = container[Number(token)];
    else throw new JsonPatchApplyError(`doc is missing path: ${tokens.join("/")}`);
  }
  return { container, key: tokens[tokens.length - 1] as string };
}

function read(doc: unknown, tokens: readonly string[]): unknown {
  if (tokens.length === 0) return doc;
  const { container, key } = locate(doc, tokens);
  if (isObject(container) && key in container) return container[key];
  if (Array.isArray(container) && /^\d+$/.test(key) && Number(key) < container.length) return container[Number(key)];
  throw new JsonPatchApplyError(`doc is missing key: ${key}`);
}

function arrayIndex(list: unknown[], key: string, allowEnd: boolean): number {
  if (allowEnd && key === "-") return list.length;
  if (!/^\d+$/.test(key)) throw new JsonPatchApplyError(`invalid array index ${key}`);
  const index = Number(key);
  if (index > list.length || (!allowEnd && index === list.length)) throw new JsonPatchApplyError(`index out of range: ${key}`);
  return index;
}

function add(doc: unknown, tokens: readonly string[], value: unknown, replaceMissing: boolean): unknown {
  if (tokens.length === 0) return value;
  const { container, key } = locate(doc, tokens);
  if (isObject(container)) container[key] = value;
  else if (Array.isArray(container)) {
    if (replaceMissing) container[arrayIndex(container, key, false)] = value;
    else container.splice(arrayIndex(container, key, true), 0, value);
  } else throw new JsonPatchApplyError(`cannot add to ${tokens.join("/")}`);
  return doc;
}

function remove(doc: unknown, tokens: readonly string[]): unknown {
  if (tokens.length === 0) throw new JsonPatchApplyError("cannot remove the document");
  const { container, key } = locate(doc, tokens);
  if (isObject(container) && key in container) delete container[key];
  else if (Array.isArray(container)) container.splice(arrayIndex(container, key, false), 1);
  else throw new JsonPatchApplyError(`Unable to remove nonexistent key: ${key}: missing value`);
  return doc;
}

/** Applies RFC 6902 operations to a copy of `doc`; throws JsonPatchApplyError when one cannot apply. */
export function jsonPatch(doc: unknown, operations: readonly unknown[]): unknown {
  let out = clone(doc);
  for (const operation of operations) {
    if (!isObject(operation)) throw new JsonPatchApplyError("operation is not an object");
    const tokens = parsePointer(operation["path"]);
    switch (operation["op"]) {
      case "add":
        out = add(out, tokens, clone(operation["value"]), false);
        break;
      case "replace":
        out = add(out, tokens, clone(operation["value"]), true);
        break;
      case "remove":
        out = remove(out, tokens);
        break;
      case "move": {
        const from = parsePointer(operation["from"]);
        const value = read(out, from);
        out = add(remove(out, from), tokens, value, false);
        break;
      }
      case "copy":
        out = add(out, tokens, clone(read(out, parsePointer(operation["from"]))), false);
        break;
      case "test": {
        let actual: unknown;
        try {
          actual = read(out, tokens);
        } catch {
          actual = undefined;
        }
        if (!deepEqual(actual, operation["value"] ?? null)) throw new JsonPatchApplyError(`testing value ${String(operation["path"])} failed: test failed`);
        break;
      }
      default:
        throw new JsonPatchApplyError(`Unexpected kind: ${String(operation["op"])}`);
    }
  }
  return out;
}
