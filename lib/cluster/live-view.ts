// The live object as the resource detail shows it (DESIGN §9): what the cluster holds, without what
// only the API server keeps about it. A table of those fields and one function that reads it.
import type { LiveObject } from "./client.js";

/**
 * Server-kept bookkeeping, by the path under the object. `status` is the controllers' report, never
 * compared with Git; the metadata fields are the API server's (ObjectMeta, "read-only" in
 * https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/object-meta/); the kubectl
 * annotation is a copy of a whole earlier object.
 */
export const SERVER_FIELDS: readonly (readonly string[])[] = [
  ["status"],
  ["metadata", "uid"],
  ["metadata", "resourceVersion"],
  ["metadata", "generation"],
  ["metadata", "creationTimestamp"],
  ["metadata", "deletionTimestamp"],
  ["metadata", "deletionGracePeriodSeconds"],
  ["metadata", "managedFields"],
  ["metadata", "selfLink"],
  ["metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"],
];

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** A copy of `object` without the server fields (and without an annotations map left empty by that). */
export function liveView(object: LiveObject): Record<string, unknown> {
  const copy = structuredClone(object) as Record<string, unknown>;
  for (const path of SERVER_FIELDS) {
    let parent: unknown = copy;
    for (const segment of path.slice(0, -1)) parent = isObject(parent) ? parent[segment] : undefined;
    if (isObject(parent)) delete parent[path[path.length - 1]!];
  }
  const metadata = copy.metadata;
  if (isObject(metadata) && isObject(metadata.annotations) && Object.keys(metadata.annotations).length === 0) delete metadata.annotations;
  return copy;
}
