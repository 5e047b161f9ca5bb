// Desired (Git) vs live (cluster), both after the fabric's defaults (withDefaults, by the served
// catalog). The spec is compared strictly, both ways: Git holds the whole spec of a Hedgehog object, so
// a field only the cluster has is drift too (`absent: "desired"`), and apply removes it. Metadata is
// compared only where Git sets it (labels and annotations it writes, our tracking annotation):
// controllers and tools annotate objects freely.
//
// Two things are never drift: the fields the fabric writes itself (SERVER_WRITTEN_FIELDS), and a
// field one side lacks while the other holds its zero value (false, 0, "", [], {}), which the Go
// types serialize or omit at will (RULES.md §16: "treat an absent key and an empty object (or a
// zero value / false) as equal").
import { bundledCatalog, isServerWritten, withDefaults, type Catalog } from "../hedgehog/index.js";

export interface FieldDrift {
  /** JSON pointer, e.g. /spec/subnets/default/vlan */
  readonly path: string;
  /** Git's value; left out when Git does not set the field (absent: "desired"). */
  readonly desired?: unknown;
  /** The cluster's value; left out when the cluster lacks the field (absent: "live"). */
  readonly live?: unknown;
  /** Which side lacks the field. JSON null is a value, never a stand-in for absence. */
  readonly absent?: "desired" | "live";
}

type Path = readonly (string | number)[];

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const escape = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");
const pointer = (path: Path) => (path.length === 0 ? "/" : path.map((s) => `/${escape(String(s))}`).join(""));

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && equal(a[k], b[k]));
  }
  return false;
}

/** A Go zero value: what an absent field means to the fabric. */
export function isZeroValue(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  return isObject(value) && Object.values(value).every(isZeroValue);
}

/** Every difference below `path`, both ways; lists are compared whole (order and length are meaning). */
function compare(kind: string, desired: unknown, live: unknown, path: Path, out: FieldDrift[]): void {
  if (isServerWritten(kind, path)) return;
  if (isObject(desired) && isObject(live)) {
    for (const key of [...new Set([...Object.keys(desired), ...Object.keys(live)])].sort()) {
      const inDesired = Object.hasOwn(desired, key);
      const inLive = Object.hasOwn(live, key);
      const at = [...path, key];
      if (inDesired && inLive) compare(kind, desired[key], live[key], at, out);
      else if (isServerWritten(kind, at)) continue;
      else if (inDesired && !isZeroValue(desired[key])) out.push({ path: pointer(at), desired: desired[key], absent: "live" });
      else if (inLive && !isZeroValue(live[key])) out.push({ path: pointer(at), live: live[key], absent: "desired" });
    }
    return;
  }
  if (!equal(desired, live)) out.push({ path: pointer(path), desired, live });
}

/** Only the keys Git writes: labels and annotations others add are theirs. */
function compareMetadata(kind: string, field: "labels" | "annotations", shape: unknown, desired: unknown, live: unknown, out: FieldDrift[]): void {
  if (!isObject(shape)) return;
  const d = isObject(desired) ? desired : {};
  const l = isObject(live) ? live : {};
  for (const key of Object.keys(shape).sort()) {
    const at = ["metadata", field, key];
    if (isServerWritten(kind, at)) continue;
    if (!Object.hasOwn(l, key)) out.push({ path: pointer(at), desired: d[key], absent: "live" });
    else if (!equal(d[key], l[key])) out.push({ path: pointer(at), desired: d[key], live: l[key] });
  }
}

/**
 * The drift of `live` from `desired` (both full objects), sorted by path. `desired` is the Git object
 * as applied, including our tracking annotation.
 */
export function diffResource(desired: Record<string, unknown>, live: Record<string, unknown>, options: { readonly catalog?: Catalog } = {}): FieldDrift[] {
  const catalog = options.catalog ?? bundledCatalog;
  const kind = typeof desired["kind"] === "string" ? desired["kind"] : "";
  const d = withDefaults(structuredClone(desired), catalog);
  const l = withDefaults(structuredClone(live), catalog);
  const out: FieldDrift[] = [];
  const meta = (o: Record<string, unknown>) => (isObject(o["metadata"]) ? o["metadata"] : {});
  for (const field of ["labels", "annotations"] as const) compareMetadata(kind, field, meta(desired)[field], meta(d)[field], meta(l)[field], out);
  compare(kind, d["spec"] ?? {}, l["spec"] ?? {}, ["spec"], out);
  return out;
}

function exists(object: unknown, path: string): boolean {
  let node: unknown = object;
  for (const token of path.slice(1).split("/").map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"))) {
    if (!isObject(node) || !Object.hasOwn(node, token)) return false;
    node = node[token];
  }
  return true;
}

/**
 * The fields apply removes to make the live object equal to Git: those only the cluster has, as far
 * as `live` (not defaulted) holds them — a default the diff derived from such a field (the DHCP range
 * an enabled DHCP gets) goes away with it.
 */
export function fieldsToRemove(drift: readonly FieldDrift[], live: unknown): string[] {
  return drift.filter((entry) => entry.absent === "desired" && exists(live, entry.path)).map((entry) => entry.path);
}
