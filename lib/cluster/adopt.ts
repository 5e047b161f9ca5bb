// A cluster object as adopt writes it into managed/ (DESIGN §15): normalized as ingest normalizes (no
// status, no server metadata), without our tracking annotation and without the fields the fabric writes
// itself (they are never desired state) — so that the file, defaulted, equals what the cluster holds
// and the next sync finds the object synced without writing to it.
import { normalizeResource, SERVER_WRITTEN_FIELDS } from "../hedgehog/index.js";
import type { LiveObject } from "./client.js";
import { TRACKING_ANNOTATION } from "./tracking.js";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

function removePath(object: Json, path: readonly string[]): void {
  const parent = path.slice(0, -1).reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), object);
  if (isObject(parent)) delete parent[path[path.length - 1]!];
}

export function adoptableObject(live: LiveObject): Json {
  const object = normalizeResource(live) as Json;
  const kind = typeof object.kind === "string" ? object.kind : "";
  removePath(object, ["metadata", "annotations", TRACKING_ANNOTATION]);
  for (const field of SERVER_WRITTEN_FIELDS) if (field.kind === kind) removePath(object, field.path);
  const metadata = object.metadata as Json;
  if (isObject(metadata.annotations) && Object.keys(metadata.annotations).length === 0) delete metadata.annotations;
  return object;
}
