// The desired set the SET rules read: managed/ plus the incoming batch, defaulted, indexed by kind
// and name, together with what the fabric creates by itself and so never appears in Git — and, when
// the fabric has a cluster, the cluster's objects that Git does not hold (an installer-made
// VLANNamespace, a Switch created by hand), so that a reference, a range or an overlap is judged
// against what really exists.
import type { Capabilities } from "../capabilities.js";
import { bundledCatalog } from "../catalog.js";
import { isDnsSubdomain } from "../names.js";
import type { JsonRecord, Path } from "../object.js";
import type { HedgehogSettings } from "../settings.js";
import type { Violation } from "./rule.js";

/** SwitchProfiles the fabric controller creates itself in v0.126.0 (RULES.md §14). */
const BUILTIN_SWITCH_PROFILES = {
  always: [
    "celestica-ds2000",
    "celestica-ds3000",
    "celestica-ds4000",
    "celestica-ds4101",
    "celestica-ds5000",
    "dell-s5232f-on",
    "dell-s5248f-on",
    "dell-z9332f-on",
    "edgecore-dcs203",
    "edgecore-dcs204",
    "edgecore-dcs240",
    "edgecore-dcs501",
    "edgecore-eps202",
    "edgecore-eps203",
    "supermicro-sse-c4632sb",
    "vs",
  ],
  includeSONiCCLSPlus: [
    "celestica-ds2000-clsp",
    "celestica-ds3000-clsp",
    "celestica-ds4000-clsp",
    "celestica-ds4101-clsp",
    "celestica-ds5000-clsp",
    "vs-clsp",
  ],
  includeCumulus: ["cumulus-vx"],
} as const;

/** Objects the fabric creates at installation: kind -> names. */
const FABRIC_CREATED: Readonly<Record<string, readonly string[]>> = {
  IPv4Namespace: ["default"],
  VLANNamespace: ["default"],
};

/** Whether a SwitchProfile name is built in; an optional family counts unless the settings turn it off. */
export function isBuiltinSwitchProfile(name: string, settings: HedgehogSettings): boolean {
  return (
    (BUILTIN_SWITCH_PROFILES.always as readonly string[]).includes(name) ||
    (settings.includeSONiCCLSPlus !== false && (BUILTIN_SWITCH_PROFILES.includeSONiCCLSPlus as readonly string[]).includes(name)) ||
    (settings.includeCumulus !== false && (BUILTIN_SWITCH_PROFILES.includeCumulus as readonly string[]).includes(name))
  );
}

/**
 * The kinds SET rules look up in the set (references, ranges, overlaps, uniqueness): the cluster's
 * objects of these kinds take part in the desired set. VPCPeering, ExternalPeering and ServerProfile
 * are never looked up by another resource's rule.
 */
export const REFERENCED_KINDS: readonly string[] = [
  "IPv4Namespace",
  "VLANNamespace",
  "SwitchProfile",
  "SwitchGroup",
  "Switch",
  "Server",
  "Connection",
  "VPC",
  "External",
  "VPCAttachment",
  "ExternalAttachment",
];

export interface SetEntry {
  readonly id: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** The defaulted object. */
  readonly object: JsonRecord;
  /** Git (managed/ and the batch) or, for what Git does not hold, the cluster. Default git. */
  readonly origin?: "git" | "cluster";
}

export interface SetOptions {
  /** Of the served schema; version rules read them. Default: the bundled catalog's. */
  readonly capabilities?: Capabilities;
  /** The set includes the cluster's objects: a reference that resolves nowhere is then an error. */
  readonly withCluster?: boolean;
}

export class DesiredSet {
  private readonly byKey = new Map<string, SetEntry>();
  private readonly byKind = new Map<string, SetEntry[]>();
  private readonly derivedValues = new Map<string, unknown>();

  readonly capabilities: Capabilities;
  readonly withCluster: boolean;

  constructor(
    entries: readonly SetEntry[],
    readonly settings: HedgehogSettings,
    options: SetOptions = {},
  ) {
    this.capabilities = options.capabilities ?? bundledCatalog.capabilities;
    this.withCluster = options.withCluster ?? false;
    for (const entry of entries) {
      this.byKey.set(`${entry.kind}/${entry.namespace}/${entry.name}`, entry);
      const list = this.byKind.get(entry.kind) ?? [];
      list.push(entry);
      this.byKind.set(entry.kind, list);
    }
    for (const list of this.byKind.values()) list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** References resolve in the referencing object's namespace, which is always default (COMMON-201). */
  get(kind: string, name: string, namespace = "default"): JsonRecord | undefined {
    return this.byKey.get(`${kind}/${namespace}/${name}`)?.object;
  }

  entry(kind: string, name: string, namespace = "default"): SetEntry | undefined {
    return this.byKey.get(`${kind}/${namespace}/${name}`);
  }

  list(kind: string): readonly SetEntry[] {
    return this.byKind.get(kind) ?? [];
  }

  /**
   * A value computed once per set and kept (an index the SET rules share, so that checking every
   * resource against every other stays linear). `key` names what build computes.
   */
  derived<T>(key: string, build: (set: DesiredSet) => T): T {
    if (!this.derivedValues.has(key)) this.derivedValues.set(key, build(this));
    return this.derivedValues.get(key) as T;
  }

  /** Entries of a kind grouped by a key; entries for which key gives undefined are left out. */
  groupedBy(kind: string, name: string, key: (object: JsonRecord) => readonly string[] | string | undefined): ReadonlyMap<string, readonly SetEntry[]> {
    return this.derived(`${kind}:${name}`, (set) => {
      const groups = new Map<string, SetEntry[]>();
      for (const entry of set.list(kind)) {
        const keys = key(entry.object);
        for (const k of new Set(typeof keys === "string" ? [keys] : (keys ?? []))) {
          const group = groups.get(k);
          if (group) group.push(entry);
          else groups.set(k, [entry]);
        }
      }
      return groups;
    });
  }

  /** "VLANNamespace default", with " (in the cluster)" when the cluster, not Git, holds it. */
  describe(kind: string, name: string, namespace = "default"): string {
    return `${kind} ${name}${this.entry(kind, name, namespace)?.origin === "cluster" ? " (in the cluster)" : ""}`;
  }

  isFabricCreated(kind: string, name: string): boolean {
    if (kind === "SwitchProfile") return isBuiltinSwitchProfile(name, this.settings);
    return FABRIC_CREATED[kind]?.includes(name) ?? false;
  }

  /**
   * A reference that must resolve: nothing when it is in the set (Git or the cluster) or the fabric
   * creates it. Otherwise, with the cluster's objects in the set, an error: it exists nowhere. Without
   * a cluster, a warning: it may exist only in a cluster nobody could look at.
   */
  *reference(kind: string, name: string, path: Path, from = ""): Generator<Violation> {
    if (name === "" || this.get(kind, name) || this.isFabricCreated(kind, name)) return;
    const shown = isDnsSubdomain(name) ? name : JSON.stringify(name);
    yield this.withCluster
      ? { path, message: `${from}${kind} ${shown} is neither in the desired set nor in the cluster`, severity: "error" }
      : { path, message: `${from}${kind} ${shown} is not in the desired set; it must already exist in the cluster`, severity: "warning" };
  }
}
