// The tracking annotation on every object we apply (DESIGN §8). Prune only ever touches objects whose
// annotation names this fabric: objects somebody else created are never ours to delete.
export const TRACKING_ANNOTATION = "hedgehog-gitops/tracking-id";
export const FIELD_MANAGER = "hedgehog-gitops";

/** `<fabric>:<group>/<Kind>:<namespace>/<name>` */
export function trackingId(fabricId: string, group: string, kind: string, namespace: string, name: string): string {
  return `${fabricId}:${group}/${kind}:${namespace}/${name}`;
}

export function trackingIdOf(object: unknown): string | undefined {
  const annotations = (object as { metadata?: { annotations?: Record<string, unknown> } })?.metadata?.annotations;
  const value = annotations?.[TRACKING_ANNOTATION];
  return typeof value === "string" ? value : undefined;
}

export function isTrackedBy(object: unknown, fabricId: string): boolean {
  return trackingIdOf(object)?.startsWith(`${fabricId}:`) ?? false;
}
