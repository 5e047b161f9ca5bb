// The tracking annotation on every object we apply (DESIGN §8, §14). It names the fabric and its
// registration uid: prune only ever touches objects this registration applied — never objects somebody
// else created, another fabric's, or those of an earlier registration of the same fabric name.
//
//   hedgehog-gitops/tracking-id: <fabric>@<uid>:<group>/<Kind>:<namespace>/<name>
//
// Before registration uids the value was `<fabric>:<group>/<Kind>:<namespace>/<name>` (legacy). Such
// an object is re-annotated by the next apply-mode reconcile of the fabric that holds it in Git, and is
// never pruned until then.
export const TRACKING_ANNOTATION = "hedgehog-gitops/tracking-id";
export const FIELD_MANAGER = "hedgehog-gitops";

/** Whose objects: a fabric and its registration. */
export interface TrackingOwner {
  readonly id: string;
  readonly uid: string;
}

export function trackingId(owner: TrackingOwner, group: string, kind: string, namespace: string, name: string): string {
  return `${owner.id}@${owner.uid}:${group}/${kind}:${namespace}/${name}`;
}

/** The pre-uid form, recognized for migration only. */
export function legacyTrackingId(fabricId: string, group: string, kind: string, namespace: string, name: string): string {
  return `${fabricId}:${group}/${kind}:${namespace}/${name}`;
}

export function trackingIdOf(object: unknown): string | undefined {
  const annotations = (object as { metadata?: { annotations?: Record<string, unknown> } })?.metadata?.annotations;
  const value = annotations?.[TRACKING_ANNOTATION];
  return typeof value === "string" ? value : undefined;
}

/** Who the annotation names: the fabric, and the registration (null in the legacy form). */
export function trackedOwner(object: unknown): { readonly fabricId: string; readonly uid: string | null } | undefined {
  const value = trackingIdOf(object);
  if (value === undefined) return undefined;
  const colon = value.indexOf(":");
  const owner = colon < 0 ? value : value.slice(0, colon);
  const at = owner.indexOf("@");
  return at < 0 ? { fabricId: owner, uid: null } : { fabricId: owner.slice(0, at), uid: owner.slice(at + 1) };
}

/** Applied by this registration: the only objects prune may delete. */
export function isTrackedBy(object: unknown, owner: TrackingOwner): boolean {
  const tracked = trackedOwner(object);
  return tracked !== undefined && tracked.fabricId === owner.id && tracked.uid === owner.uid;
}

/** Annotated with this fabric's name, by any registration or in the legacy form: in its namespace, reported. */
export function isTrackedByName(object: unknown, fabricId: string): boolean {
  return trackedOwner(object)?.fabricId === fabricId;
}
