// What every handler works with: the served types, the store, the namespaces that exist, the
// clock and the admission checks; and the shape of a handler's answer.

import type { AdmissionCheck } from "./admission.js";
import type { Catalog, ResourceAtVersion, ResourceType } from "./catalog.js";
import type { CrdRegistry } from "./crds.js";
import type { ObjectStore } from "./store.js";
import type { Subject } from "./status.js";

export interface SimContext {
  /** Replaced when the served CRDs change (KubeSim.serveCrds). */
  catalog: Catalog;
  readonly crds: CrdRegistry;
  readonly store: ObjectStore;
  readonly namespaces: Set<string>;
  readonly now: () => Date;
  readonly admission: AdmissionCheck | undefined;
  readonly newUid: () => string;
}

/** A request for one resource type (and maybe one object) at one version. */
export interface ResourceRequest {
  readonly target: ResourceAtVersion;
  readonly namespace: string;
  readonly name: string;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
  readonly warnings?: readonly string[];
  /** Default application/json. */
  readonly contentType?: string;
}

/** Store key of a type: `<group>/<plural>`. */
export function storeKey(type: ResourceType): string {
  return `${type.group}/${type.plural}`;
}

/** `<plural>.<group>`: how most messages name the resource. */
export function resourceSubject(type: ResourceType): Subject {
  return { group: type.group, name: type.plural };
}

/** `<Kind>.<group>`: how validation and delete-precondition messages name it. */
export function kindSubject(type: ResourceType): Subject {
  return { group: type.group, name: type.kind };
}
