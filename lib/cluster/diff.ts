// Desired (Git) vs live (cluster): every field Git sets must match, compared after the fabric's defaults
// on both sides, plus the labels and annotations we set. Fields only the cluster has are not drift
// (status, server metadata, defaults the webhook or the CRD add).
import { withDefaults } from "../hedgehog/index.js";

export interface FieldDrift {
  /** JSON pointer, e.g. /spec/subnets/default/vlan */
  readonly path: string;
  readonly desired: unknown;
  readonly live: unknown;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const escape = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => equal(a[k], b[k]));
  }
  return false;
}

/** Walks the fields `shape` sets; at each leaf compares `desired` with `live`. */
function compare(shape: unknown, desired: unknown, live: unknown, path: string, out: FieldDrift[]): void {
  if (isObject(shape) && isObject(desired)) {
    if (!isObject(live)) {
      out.push({ path: path || "/", desired: desired as Json, live: (live ?? null) as Json });
      return;
    }
    for (const key of Object.keys(shape).sort()) compare(shape[key], desired[key], live[key], `${path}/${escape(key)}`, out);
    return;
  }
  // Lists are compared whole: order and length are part of what Git says.
  if (!equal(desired, live)) out.push({ path, desired: (desired ?? null) as Json, live: (live ?? null) as Json });
}

/**
 * The drift of `live` from `desired` (both full objects). `desired` is the Git object as applied,
 * including our tracking annotation.
 */
export function diffResource(desired: Record<string, unknown>, live: Record<string, unknown>): FieldDrift[] {
  const d = withDefaults(structuredClone(desired)) as Record<string, unknown>;
  const l = withDefaults(structuredClone(live)) as Record<string, unknown>;
  const out: FieldDrift[] = [];
  const meta = (o: Record<string, unknown>) => (isObject(o.metadata) ? o.metadata : {});
  for (const field of ["labels", "annotations"] as const) {
    const shape = meta(desired)[field];
    if (isObject(shape)) compare(shape, meta(d)[field], meta(l)[field] ?? {}, `/metadata/${field}`, out);
  }
  if (desired.spec !== undefined) compare(desired.spec, d.spec, l.spec, "/spec", out);
  return out;
}
