// The connection types as data: where each type keeps its port references and link IPs, and what
// the fabric requires of its devices. CONN-001 labels, CONN-104..112 and CONN-118..121 and the SET
// rules about ports all read this one table.
import { getIn, isRecord, type JsonRecord, type Path } from "./object.js";

export type EndpointRole = "switch" | "server" | "gateway";

interface PortPattern {
  /** Path below spec.<type>; "*" walks every element of a list. */
  readonly path: readonly string[];
  readonly role: EndpointRole;
}

export interface ConnectionType {
  /** The spec field that selects the type. */
  readonly field: string;
  /** Value of the fabric.githedgehog.com/connection-type label. */
  readonly label: string;
  readonly ports: readonly PortPattern[];
  /** Intrinsic rule checking the device structure; absent when only CONN-104 applies. */
  readonly structureRule?: string;
  /** Lists that need at least one element, below spec.<type>. */
  readonly nonEmptyLists?: readonly string[];
  /** Allowed number of distinct switch / server devices. */
  readonly switches?: readonly [min: number, max: number];
  readonly servers?: readonly [min: number, max: number];
  /** Every port reference (or, for unbundled, both ends) must be distinct. */
  readonly uniquePorts?: boolean;
  /** The two ends of each link carrying a /31 (paths below one element of spec.<type>.links). */
  readonly linkIps?: readonly [Path, Path];
  /** spec.<type>.mtu is capped by the fabric MTU minus the server-facing offset (CONN-102). */
  readonly mtuCapped?: boolean;
  /** VPCs can attach to it (VPCATT-206). */
  readonly attachable?: boolean;
  /** Needs fabricMode spine-leaf (CONN-117). */
  readonly spineLeafOnly?: boolean;
}

const serverLinks = (): PortPattern[] => [
  { path: ["links", "*", "server", "port"], role: "server" },
  { path: ["links", "*", "switch", "port"], role: "switch" },
];
const switchPair = (list: string): PortPattern[] => [
  { path: [list, "*", "switch1", "port"], role: "switch" },
  { path: [list, "*", "switch2", "port"], role: "switch" },
];

/** In the order upstream picks the first set type (CONN-103). */
export const connectionTypes: readonly ConnectionType[] = [
  {
    field: "unbundled",
    label: "unbundled",
    ports: [
      { path: ["link", "server", "port"], role: "server" },
      { path: ["link", "switch", "port"], role: "switch" },
    ],
    structureRule: "CONN-105",
    uniquePorts: true,
    mtuCapped: true,
    attachable: true,
  },
  {
    field: "bundled",
    label: "bundled",
    ports: serverLinks(),
    structureRule: "CONN-106",
    nonEmptyLists: ["links"],
    switches: [1, 1],
    servers: [1, 1],
    uniquePorts: true,
    mtuCapped: true,
    attachable: true,
  },
  {
    field: "mclagDomain",
    label: "mclag-domain",
    ports: [...switchPair("peerLinks"), ...switchPair("sessionLinks")],
    structureRule: "CONN-109",
    nonEmptyLists: ["peerLinks", "sessionLinks"],
    switches: [2, 2],
    uniquePorts: true,
  },
  {
    field: "mclag",
    label: "mclag",
    ports: serverLinks(),
    structureRule: "CONN-107",
    switches: [1, 2],
    servers: [1, 1],
    uniquePorts: true,
    mtuCapped: true,
    attachable: true,
  },
  {
    field: "eslag",
    label: "eslag",
    ports: serverLinks(),
    structureRule: "CONN-108",
    switches: [1, 4],
    servers: [1, 1],
    uniquePorts: true,
    attachable: true,
    spineLeafOnly: true,
  },
  {
    field: "fabric",
    label: "fabric",
    ports: [
      { path: ["links", "*", "spine", "port"], role: "switch" },
      { path: ["links", "*", "leaf", "port"], role: "switch" },
    ],
    structureRule: "CONN-110",
    switches: [2, 2],
    uniquePorts: true,
    linkIps: [
      ["spine", "ip"],
      ["leaf", "ip"],
    ],
  },
  {
    field: "mesh",
    label: "mesh",
    ports: [
      { path: ["links", "*", "leaf1", "port"], role: "switch" },
      { path: ["links", "*", "leaf2", "port"], role: "switch" },
    ],
    structureRule: "CONN-110",
    switches: [2, 2],
    uniquePorts: true,
    linkIps: [
      ["leaf1", "ip"],
      ["leaf2", "ip"],
    ],
  },
  {
    field: "gateway",
    label: "gateway",
    ports: [
      { path: ["links", "*", "switch", "port"], role: "switch" },
      { path: ["links", "*", "gateway", "port"], role: "gateway" },
    ],
    structureRule: "CONN-111",
    switches: [1, 1],
    uniquePorts: true,
    linkIps: [
      ["switch", "ip"],
      ["gateway", "ip"],
    ],
    spineLeafOnly: true,
  },
  {
    field: "vpcLoopback",
    label: "vpc-loopback",
    ports: switchPair("links"),
    structureRule: "CONN-112",
    switches: [1, 1],
    uniquePorts: true,
  },
  { field: "external", label: "external", ports: [{ path: ["link", "switch", "port"], role: "switch" }] },
  { field: "staticExternal", label: "static-external", ports: [{ path: ["link", "switch", "port"], role: "switch" }] },
];

/** The types set in a Connection's spec (a present, non-null field), in upstream order. */
export function typesOf(connection: unknown): ConnectionType[] {
  return connectionTypes.filter((type) => {
    const value = getIn(connection, ["spec", type.field]);
    return value !== undefined && value !== null;
  });
}

export interface PortRef {
  /** From the document root. */
  readonly path: Path;
  /** "" when absent (the Go zero value). */
  readonly ref: string;
  readonly role: EndpointRole;
}

function expand(value: unknown, pattern: readonly string[], at: Path): { path: Path; value: unknown }[] {
  const [head, ...rest] = pattern;
  if (head === undefined) return [{ path: at, value }];
  if (head === "*") {
    return Array.isArray(value) ? value.flatMap((item, i) => expand(item, rest, [...at, i])) : [];
  }
  return expand(isRecord(value) ? value[head] : undefined, rest, [...at, head]);
}

/** Every port reference of one type, lists walked, missing single references reported as "". */
export function portRefs(connection: unknown, type: ConnectionType): PortRef[] {
  const body = getIn(connection, ["spec", type.field]);
  return type.ports.flatMap((pattern) =>
    expand(body, pattern.path, ["spec", type.field]).map(({ path, value }) => ({
      path,
      ref: typeof value === "string" ? value : "",
      role: pattern.role,
    })),
  );
}

/** "device/port", split at the first "/"; undefined when either part is empty. */
export function splitPort(ref: string): { device: string; port: string } | undefined {
  const slash = ref.indexOf("/");
  if (slash <= 0 || slash === ref.length - 1) return undefined;
  return { device: ref.slice(0, slash), port: ref.slice(slash + 1) };
}

/** Distinct device names of one role, sorted. */
export function devicesOf(refs: readonly PortRef[], role: EndpointRole): string[] {
  const names = new Set<string>();
  for (const ref of refs) {
    const split = ref.role === role ? splitPort(ref.ref) : undefined;
    if (split) names.add(split.device);
  }
  return [...names].sort();
}

/** The single connection type, when exactly one is set. */
export function soleType(connection: unknown): ConnectionType | undefined {
  const types = typesOf(connection);
  return types.length === 1 ? types[0] : undefined;
}

/** All link IP ends of a connection: [path, text] for each end that is set. */
export function linkIpEnds(connection: JsonRecord): { link: number; ends: { path: Path; ip: string }[] }[] {
  const type = soleType(connection);
  const linkIps = type?.linkIps;
  const links = type ? getIn(connection, ["spec", type.field, "links"]) : undefined;
  if (!type || !linkIps || !Array.isArray(links)) return [];
  return links.map((link, i) => ({
    link: i,
    ends: linkIps.flatMap((end) => {
      const ip = getIn(link, end);
      return typeof ip === "string" && ip !== "" ? [{ path: ["spec", type.field, "links", i, ...end], ip }] : [];
    }),
  }));
}
