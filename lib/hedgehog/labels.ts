// The labels the fabric's mutating webhook derives from spec fields (COMMON-002 and the per-kind
// DEFAULT rows), as one table. Defaults write them; COMMON-103 and the per-kind "-101" rules check
// that the API server would accept them, pointing at the spec field each one came from.
import { devicesOf, portRefs, soleType } from "./connection.js";
import { getIn, isRecord, stringsAt, text, type JsonRecord, type Path } from "./object.js";

export const FABRIC_LABEL_MARK = "fabric.githedgehog.com/";

export interface DerivedLabel {
  readonly key: string;
  readonly value: string;
  /** The spec field the label is made from. */
  readonly field: Path;
}

interface LabelSource {
  readonly kind: string;
  /** DEFAULT rule that writes these labels. */
  readonly defaultRule: string;
  /** INTRINSIC rule that reports an unacceptable derived label. */
  readonly checkRule: string;
  /** When false, the webhook neither clears nor writes labels (VPCATT-001). */
  readonly applies?: (resource: JsonRecord) => boolean;
  readonly derive: (resource: JsonRecord) => DerivedLabel[];
}

const mark = (name: string): string => FABRIC_LABEL_MARK + name;

function attachmentParts(resource: JsonRecord): { vpc: string; subnet: string } {
  const subnet = text(resource, ["spec", "subnet"]);
  const slash = subnet.indexOf("/");
  return slash < 0 ? { vpc: subnet, subnet: "" } : { vpc: subnet.slice(0, slash), subnet: subnet.slice(slash + 1) };
}

/** VPC names across all permit entries, in first-seen order. */
export function peeringVpcs(resource: JsonRecord): string[] {
  const names = new Set<string>();
  for (const entry of (getIn(resource, ["spec", "permit"]) as unknown[] | undefined) ?? []) {
    if (isRecord(entry)) for (const name of Object.keys(entry)) names.add(name);
  }
  return [...names];
}

const labelSources: readonly LabelSource[] = [
  {
    kind: "VPC",
    defaultRule: "VPC-003",
    checkRule: "COMMON-103",
    derive: (vpc) => [
      { key: mark("ipv4ns"), value: text(vpc, ["spec", "ipv4Namespace"]), field: ["spec", "ipv4Namespace"] },
      { key: mark("vlanns"), value: text(vpc, ["spec", "vlanNamespace"]), field: ["spec", "vlanNamespace"] },
    ],
  },
  {
    kind: "VPCAttachment",
    defaultRule: "VPCATT-002",
    checkRule: "VPCATT-101",
    applies: (attachment) => attachmentParts(attachment).vpc !== "",
    derive: (attachment) => {
      const { vpc, subnet } = attachmentParts(attachment);
      return [
        { key: mark("vpc"), value: vpc, field: ["spec", "subnet"] },
        { key: mark("subnet"), value: subnet || "default", field: ["spec", "subnet"] },
        { key: mark("connection"), value: text(attachment, ["spec", "connection"]), field: ["spec", "connection"] },
        ...(getIn(attachment, ["spec", "nativeVLAN"]) === true
          ? [{ key: mark("nativevlan"), value: "true", field: ["spec", "nativeVLAN"] }]
          : []),
      ];
    },
  },
  {
    kind: "VPCPeering",
    defaultRule: "VPCPEER-001",
    checkRule: "VPCPEER-101",
    derive: (peering) => {
      const vpcs = peeringVpcs(peering);
      if (vpcs.length !== 2) return [];
      const [first, second] = [...vpcs].sort();
      return [
        ...vpcs.map((vpc) => ({ key: `vpc.${FABRIC_LABEL_MARK}${vpc}`, value: "true", field: ["spec", "permit"] })),
        { key: mark("vpc1"), value: first ?? "", field: ["spec", "permit"] },
        { key: mark("vpc2"), value: second ?? "", field: ["spec", "permit"] },
      ];
    },
  },
  { kind: "IPv4Namespace", defaultRule: "IPNS-002", checkRule: "COMMON-103", derive: () => [] },
  {
    kind: "External",
    defaultRule: "EXT-002",
    checkRule: "COMMON-103",
    derive: (external) => [
      { key: mark("ipv4ns"), value: text(external, ["spec", "ipv4Namespace"]), field: ["spec", "ipv4Namespace"] },
    ],
  },
  {
    kind: "ExternalAttachment",
    defaultRule: "EXTATT-001",
    checkRule: "EXTATT-101",
    derive: (attachment) => [
      { key: mark("connection"), value: text(attachment, ["spec", "connection"]), field: ["spec", "connection"] },
      { key: mark("external"), value: text(attachment, ["spec", "external"]), field: ["spec", "external"] },
    ],
  },
  {
    kind: "ExternalPeering",
    defaultRule: "EXTPEER-003",
    checkRule: "EXTPEER-101",
    derive: (peering) => [
      { key: mark("vpc"), value: text(peering, ["spec", "permit", "vpc", "name"]), field: ["spec", "permit", "vpc", "name"] },
      {
        key: mark("external"),
        value: text(peering, ["spec", "permit", "external", "name"]),
        field: ["spec", "permit", "external", "name"],
      },
    ],
  },
  {
    kind: "Switch",
    defaultRule: "SW-006",
    checkRule: "SW-101",
    derive: (sw) => [
      { key: mark("profile"), value: text(sw, ["spec", "profile"]), field: ["spec", "profile"] },
      ...stringsAt(sw, ["spec", "groups"]).map((group, i) => ({
        key: `switchgroup.${FABRIC_LABEL_MARK}${group}`,
        value: "true",
        field: ["spec", "groups", i],
      })),
      ...stringsAt(sw, ["spec", "vlanNamespaces"]).map((ns, i) => ({
        key: `vlanns.${FABRIC_LABEL_MARK}${ns}`,
        value: "true",
        field: ["spec", "vlanNamespaces", i],
      })),
    ],
  },
  { kind: "Server", defaultRule: "SRV-001", checkRule: "COMMON-103", derive: () => [] },
  {
    kind: "Connection",
    defaultRule: "CONN-001",
    checkRule: "CONN-101",
    derive: (connection) => {
      const type = soleType(connection);
      if (!type) return [];
      const refs = portRefs(connection, type);
      const withinVPC = text(connection, ["spec", "staticExternal", "withinVPC"]);
      const fieldOf = (device: string, role: "switch" | "server"): Path =>
        refs.find((ref) => ref.role === role && ref.ref.startsWith(device + "/"))?.path ?? ["spec", type.field];
      return [
        { key: mark("connection-type"), value: type.label, field: ["spec", type.field] },
        ...(withinVPC ? [{ key: mark("vpc"), value: withinVPC, field: ["spec", "staticExternal", "withinVPC"] }] : []),
        ...devicesOf(refs, "switch").map((device) => ({
          key: `switch.${FABRIC_LABEL_MARK}${device}`,
          value: "true",
          field: fieldOf(device, "switch"),
        })),
        ...devicesOf(refs, "server").map((device) => ({
          key: `server.${FABRIC_LABEL_MARK}${device}`,
          value: "true",
          field: fieldOf(device, "server"),
        })),
      ];
    },
  },
  { kind: "VLANNamespace", defaultRule: "VLANNS-003", checkRule: "COMMON-103", derive: () => [] },
];

const byKind = new Map(labelSources.map((source) => [source.kind, source]));

/** The label source of a kind, or undefined for kinds whose labels the fabric leaves alone. */
export function labelSourceOf(kind: string): LabelSource | undefined {
  return byKind.get(kind);
}

/** Labels derived by the fabric for this (defaulted) resource; [] when it writes none. */
export function derivedLabels(resource: JsonRecord, kind: string): DerivedLabel[] {
  const source = byKind.get(kind);
  if (!source || (source.applies && !source.applies(resource))) return [];
  return source.derive(resource);
}

/** Whether the fabric clears user-written fabric labels on this resource. */
export function clearsFabricLabels(resource: JsonRecord, kind: string): boolean {
  const source = byKind.get(kind);
  return source !== undefined && (source.applies?.(resource) ?? true);
}
