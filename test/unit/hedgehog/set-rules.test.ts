// SET rules on small desired sets: references, duplicates, overlaps and conflicts.
import { describe, expect, it } from "vitest";
import { validateBatch, validateSet, type Finding, type HedgehogSettings, type SetMember } from "../../../lib/hedgehog/index.js";
import { setRules } from "../../../lib/hedgehog/rules/index.js";
import { base, clone, settings, variants, VPC_API, WIRING_API, type Doc } from "./documents.js";

const named = (kind: string, name: string): Doc => {
  const found = [...Object.values(base), ...variants].find((d) => d["kind"] === kind && (d["metadata"] as Doc)["name"] === name);
  if (!found) throw new Error(`no example ${kind}/${name}`);
  return clone(found);
};
const doc = (apiVersion: string, kind: string, name: string, spec: Doc): Doc => ({ apiVersion, kind, metadata: { name }, spec });
const spec = (d: Doc) => d["spec"] as Doc;
const edit = (d: Doc, change: (spec: Doc) => void): Doc => {
  change(spec(d));
  return d;
};
const leaf = (name: string, extra: Doc = {}): Doc => {
  const template = named("Switch", "leaf-1");
  return { ...template, metadata: { name }, spec: { ...spec(template), ...extra } };
};

/** A consistent small fabric: every reference resolves, nothing overlaps. */
function world(): Doc[] {
  const vpc1 = edit(named("VPC", "vpc-1"), (s) => Object.assign(s, { ipv4Namespace: "ipns-1", vlanNamespace: "vlans-1" }));
  return [
    named("IPv4Namespace", "ipns-1"),
    named("VLANNamespace", "vlans-1"),
    vpc1,
    doc(VPC_API, "VPC", "vpc-2", { ipv4Namespace: "ipns-1", vlanNamespace: "vlans-1", subnets: { default: { subnet: "10.10.5.0/24", vlan: 1005 } } }),
    leaf("leaf-1", { vlanNamespaces: ["vlans-1"] }),
    leaf("leaf-2", { vlanNamespaces: ["vlans-1"], ip: "172.30.0.11/21", protocolIP: "172.30.8.2/32" }),
    doc(WIRING_API, "SwitchGroup", "mclag-1", {}),
    doc(WIRING_API, "SwitchGroup", "border", {}),
    named("Server", "server-1"),
    named("Connection", "server-1--unbundled--leaf-1"),
    named("Connection", "leaf-1--external--edge"),
    named("VPCAttachment", "vpc-1--server-1"),
    named("VPCPeering", "vpc-1--vpc-2"),
    named("External", "ext-1"),
    named("ExternalAttachment", "ext-1--leaf-1"),
    named("ExternalPeering", "vpc-1--ext-1"),
    named("SwitchProfile", "custom-1"),
  ];
}

const key = (d: Doc) => `${String(d["kind"])}/${String((d["metadata"] as Doc)["name"])}`;

/** The world with documents replaced (same kind and name) or added. */
function worldWith(...docs: Doc[]): Doc[] {
  const replaced = new Map(docs.map((d) => [key(d), d]));
  const kept = world().map((d) => replaced.get(key(d)) ?? d);
  const known = new Set(world().map(key));
  return [...kept, ...docs.filter((d) => !known.has(key(d)))];
}

const members = (docs: readonly Doc[], origin: SetMember["origin"] = "batch"): SetMember[] =>
  docs.map((value, index) => ({ file: `${origin === "batch" ? "raw" : "managed"}/set.yaml`, index, line: 1, value, origin }));

const setFindings = (docs: readonly Doc[], with_: HedgehogSettings = settings): Finding[] => validateSet(members(docs), { settings: with_ });

const fromWorld = (kind: string, name: string, change: (spec: Doc) => void): Doc => {
  const found = world().find((d) => key(d) === `${kind}/${name}`);
  if (!found) throw new Error(`${kind}/${name} not in world`);
  return edit(found, change);
};

interface Case {
  readonly rule: string;
  readonly why: string;
  readonly docs: () => Doc[];
  /** Subject of the expected finding. */
  readonly name: string;
  readonly severity: "error" | "warning";
  readonly settings?: HedgehogSettings;
}

const eslag = () => named("Connection", "server-1--eslag--leaf-1--leaf-2");
const attach = (name: string, subnet: string, connection: string, extra: Doc = {}) => doc(VPC_API, "VPCAttachment", name, { subnet, connection, ...extra });
const withProfile = (extra: Doc = {}) => fromWorld("Switch", "leaf-1", (s) => Object.assign(s, { profile: "custom-1", portSpeeds: {} }, extra));

const cases: Case[] = [
  { rule: "VPC-201", why: "an IPv4Namespace that is nowhere", name: "vpc-2", severity: "warning", docs: () => worldWith(fromWorld("VPC", "vpc-2", (s) => (s["ipv4Namespace"] = "ipns-9"))) },
  { rule: "VPC-202", why: "a VLANNamespace that is nowhere", name: "vpc-2", severity: "warning", docs: () => worldWith(fromWorld("VPC", "vpc-2", (s) => (s["vlanNamespace"] = "vlans-9"))) },
  {
    rule: "VPC-203",
    why: "a subnet outside the IPv4Namespace",
    name: "vpc-2",
    severity: "error",
    docs: () => worldWith(fromWorld("VPC", "vpc-2", (s) => (s["subnets"] = { default: { subnet: "10.30.0.0/24", vlan: 1005 } }))),
  },
  {
    rule: "VPC-204",
    why: "a VLAN outside the VLANNamespace",
    name: "vpc-2",
    severity: "error",
    docs: () => worldWith(fromWorld("VPC", "vpc-2", (s) => (s["subnets"] = { default: { subnet: "10.10.5.0/24", vlan: 3500 } }))),
  },
  {
    rule: "VPC-205",
    why: "a relay VPC that is nowhere",
    name: "vpc-1",
    severity: "warning",
    docs: () => worldWith(fromWorld("VPC", "vpc-1", (s) => (((s["subnets"] as Doc)["db"] as Doc)["dhcp"] = { relay: "10.0.2.200/32", relayVPC: "vpc-9" }))),
  },
  {
    rule: "VPC-206",
    why: "a subnet overlapping another VPC's",
    name: "vpc-2",
    severity: "error",
    docs: () => worldWith(fromWorld("VPC", "vpc-2", (s) => (s["subnets"] = { default: { subnet: "10.10.1.0/25", vlan: 1005 } }))),
  },
  {
    rule: "VPC-207",
    why: "a VLAN used by another VPC",
    name: "vpc-2",
    severity: "error",
    docs: () => worldWith(fromWorld("VPC", "vpc-2", (s) => (s["subnets"] = { default: { subnet: "10.10.5.0/24", vlan: 1001 } }))),
  },

  { rule: "VPCATT-201", why: "a VPC that is nowhere", name: "a-2", severity: "warning", docs: () => worldWith(attach("a-2", "vpc-9/web", "server-1--unbundled--leaf-1")) },
  { rule: "VPCATT-202", why: "a subnet the VPC lacks", name: "a-2", severity: "error", docs: () => worldWith(attach("a-2", "vpc-1/nope", "server-1--unbundled--leaf-1")) },
  { rule: "VPCATT-202", why: "an empty subnet part", name: "a-2", severity: "error", docs: () => worldWith(attach("a-2", "vpc-1/", "server-1--unbundled--leaf-1")) },
  { rule: "VPCATT-203", why: "a connection that is nowhere", name: "a-2", severity: "warning", docs: () => worldWith(attach("a-2", "vpc-1/db", "conn-9")) },
  {
    rule: "VPCATT-204",
    why: "an ESLAG connection to an l3vni VPC",
    name: "a-2",
    severity: "error",
    docs: () => worldWith(eslag(), fromWorld("VPC", "vpc-2", (s) => (s["mode"] = "l3vni")), attach("a-2", "vpc-2/default", "server-1--eslag--leaf-1--leaf-2")),
  },
  {
    rule: "VPCATT-205",
    why: "a hostBGP subnet through a bundled connection",
    name: "a-2",
    severity: "error",
    docs: () => worldWith(named("Connection", "server-1--bundled--leaf-1"), attach("a-2", "vpc-1/bgp", "server-1--bundled--leaf-1")),
  },
  {
    rule: "VPCATT-206",
    why: "an attachment to a fabric connection",
    name: "a-2",
    severity: "error",
    docs: () => worldWith(named("Connection", "spine-1--fabric--leaf-1"), attach("a-2", "vpc-1/db", "spine-1--fabric--leaf-1")),
  },
  {
    rule: "VPCATT-207",
    why: "a connection whose switch is nowhere",
    name: "a-2",
    severity: "warning",
    docs: () =>
      worldWith(
        doc(WIRING_API, "Connection", "server-1--unbundled--leaf-9", { unbundled: { link: { server: { port: "server-1/enp2s9" }, switch: { port: "leaf-9/E1/1" } } } }),
        attach("a-2", "vpc-1/db", "server-1--unbundled--leaf-9"),
      ),
  },
  {
    rule: "VPCATT-208",
    why: "a switch without the VPC's VLANNamespace",
    name: "vpc-1--server-1",
    severity: "error",
    docs: () => worldWith(fromWorld("Switch", "leaf-1", (s) => (s["vlanNamespaces"] = ["default"]))),
  },
  {
    rule: "VPCATT-209",
    why: "a switch profile without l3vni",
    name: "vpc-1--server-1",
    severity: "error",
    docs: () => worldWith(withProfile(), edit(named("SwitchProfile", "custom-1"), (s) => ((s["features"] as Doc)["l3vni"] = false))),
  },
  {
    rule: "VPCATT-210",
    why: "a hostBGP subnet on an MCLAG peer",
    name: "a-2",
    severity: "error",
    docs: () => worldWith(attach("a-2", "vpc-1/bgp", "server-1--unbundled--leaf-1")),
  },
  { rule: "VPCATT-211", why: "the same connection and subnet twice", name: "a-2", severity: "error", docs: () => worldWith(attach("a-2", "vpc-1/web", "server-1--unbundled--leaf-1")) },
  {
    rule: "VPCATT-212",
    why: "two native VLANs on one connection",
    name: "a-2",
    severity: "error",
    docs: () => worldWith(attach("a-2", "vpc-1/db", "server-1--unbundled--leaf-1", { nativeVLAN: true })),
  },

  {
    rule: "VPCPEER-201",
    why: "a VPC that is nowhere",
    name: "vpc-1--vpc-2",
    severity: "warning",
    docs: () => worldWith(edit(named("VPCPeering", "vpc-1--vpc-2"), (s) => (s["permit"] = [{ "vpc-1": {}, "vpc-9": {} }]))),
  },
  { rule: "VPCPEER-202", why: "VPCs in different IPv4Namespaces", name: "vpc-1--vpc-2", severity: "error", docs: () => worldWith(fromWorld("VPC", "vpc-2", (s) => delete s["ipv4Namespace"])) },
  { rule: "VPCPEER-203", why: "VPCs in different VLANNamespaces", name: "vpc-1--vpc-2", severity: "error", docs: () => worldWith(fromWorld("VPC", "vpc-2", (s) => delete s["vlanNamespace"])) },
  { rule: "VPCPEER-204", why: "a remote SwitchGroup that is nowhere", name: "vpc-1--vpc-2", severity: "warning", docs: () => worldWith(edit(named("VPCPeering", "vpc-1--vpc-2"), (s) => (s["remote"] = "edge-9"))) },
  {
    rule: "VPCPEER-205",
    why: "a subnet the VPC lacks",
    name: "vpc-1--vpc-2",
    severity: "error",
    docs: () => worldWith(edit(named("VPCPeering", "vpc-1--vpc-2"), (s) => (s["permit"] = [{ "vpc-1": { subnets: ["nope"] }, "vpc-2": {} }]))),
  },

  { rule: "EXT-201", why: "an IPv4Namespace that is nowhere", name: "ext-1", severity: "warning", docs: () => worldWith(edit(named("External", "ext-1"), (s) => (s["ipv4Namespace"] = "ipns-9"))) },
  { rule: "EXTATT-201", why: "an External that is nowhere", name: "ext-1--leaf-1", severity: "warning", docs: () => worldWith(edit(named("ExternalAttachment", "ext-1--leaf-1"), (s) => (s["external"] = "ext-9"))) },
  {
    rule: "EXTATT-202",
    why: "a BGP attachment to a static External",
    name: "ext-1--leaf-1",
    severity: "error",
    docs: () => worldWith(named("External", "ext-s"), edit(named("ExternalAttachment", "ext-1--leaf-1"), (s) => (s["external"] = "ext-s"))),
  },
  { rule: "EXTATT-203", why: "a connection that is nowhere", name: "ext-1--leaf-1", severity: "warning", docs: () => worldWith(edit(named("ExternalAttachment", "ext-1--leaf-1"), (s) => (s["connection"] = "conn-9"))) },
  {
    rule: "EXTATT-204",
    why: "a connection that is not external",
    name: "ext-1--leaf-1",
    severity: "error",
    docs: () => worldWith(edit(named("ExternalAttachment", "ext-1--leaf-1"), (s) => (s["connection"] = "server-1--unbundled--leaf-1"))),
  },
  {
    rule: "EXTATT-205",
    why: "two attachments with one VLAN on a connection",
    name: "ext-1--leaf-1b",
    severity: "error",
    docs: () => worldWith({ ...named("ExternalAttachment", "ext-1--leaf-1"), metadata: { name: "ext-1--leaf-1b" } }),
  },
  { rule: "EXTPEER-201", why: "a VPC that is nowhere", name: "vpc-1--ext-1", severity: "warning", docs: () => worldWith(edit(named("ExternalPeering", "vpc-1--ext-1"), (s) => ((s["permit"] as Doc)["vpc"] = { name: "vpc-9" }))) },
  {
    rule: "EXTPEER-202",
    why: "an External that is nowhere",
    name: "vpc-1--ext-1",
    severity: "warning",
    docs: () => worldWith(edit(named("ExternalPeering", "vpc-1--ext-1"), (s) => ((s["permit"] as Doc)["external"] = { name: "ext-9" }))),
  },
  { rule: "EXTPEER-203", why: "VPC and External in different IPv4Namespaces", name: "vpc-1--ext-1", severity: "error", docs: () => worldWith(edit(named("External", "ext-1"), (s) => delete s["ipv4Namespace"])) },
  {
    rule: "EXTPEER-204",
    why: "a subnet the VPC lacks",
    name: "vpc-1--ext-1",
    severity: "error",
    docs: () => worldWith(edit(named("ExternalPeering", "vpc-1--ext-1"), (s) => ((s["permit"] as Doc)["vpc"] = { name: "vpc-1", subnets: ["nope"] }))),
  },

  { rule: "SW-201", why: "a VLANNamespace that is nowhere", name: "leaf-1", severity: "warning", docs: () => worldWith(fromWorld("Switch", "leaf-1", (s) => (s["vlanNamespaces"] = ["vlans-1", "vlans-9"]))) },
  {
    rule: "SW-202",
    why: "two VLANNamespaces with overlapping ranges",
    name: "leaf-1",
    severity: "error",
    docs: () => worldWith(doc(WIRING_API, "VLANNamespace", "vlans-2", { ranges: [{ from: 2000, to: 2100 }] }), fromWorld("Switch", "leaf-1", (s) => (s["vlanNamespaces"] = ["vlans-1", "vlans-2"]))),
  },
  { rule: "SW-203", why: "a SwitchGroup that is nowhere", name: "leaf-1", severity: "warning", docs: () => worldWith(fromWorld("Switch", "leaf-1", (s) => (s["groups"] = ["mclag-1", "group-9"]))) },
  { rule: "SW-204", why: "a SwitchProfile that is nowhere and not built in", name: "leaf-1", severity: "warning", docs: () => worldWith(fromWorld("Switch", "leaf-1", (s) => (s["profile"] = "custom-9"))) },
  { rule: "SW-205", why: "a port group speed the group's profile lacks", name: "leaf-1", severity: "error", docs: () => worldWith(withProfile({ portGroupSpeeds: { "1": "10G" } })) },
  { rule: "SW-206", why: "a port speed the port's profile lacks", name: "leaf-1", severity: "error", docs: () => worldWith(withProfile({ portSpeeds: { "E1/1": "100G" } })) },
  { rule: "SW-206", why: "a speed on a port the profile lacks", name: "leaf-1", severity: "error", docs: () => worldWith(withProfile({ portSpeeds: { "E1/9": "25G" } })) },
  { rule: "SW-207", why: "an unsupported breakout", name: "leaf-1", severity: "error", docs: () => worldWith(withProfile({ portBreakouts: { "E1/3": "2x50G" } })) },
  { rule: "SW-207", why: "a breakout on a speed port", name: "leaf-1", severity: "error", docs: () => worldWith(withProfile({ portBreakouts: { "E1/1": "4x25G" } })) },
  { rule: "SW-208", why: "auto-negotiation on a group port", name: "leaf-1", severity: "error", docs: () => worldWith(withProfile({ portAutoNegs: { "E1/2": true } })) },
  { rule: "SW-209", why: "RoCE on a profile without it", name: "leaf-1", severity: "error", docs: () => worldWith(withProfile({ roce: true })) },
  {
    rule: "SW-210",
    why: "breakouts beyond the profile's port budget",
    name: "leaf-1",
    severity: "error",
    docs: () => worldWith(withProfile({ portBreakouts: { "E1/3": "4x25G" } }), edit(named("SwitchProfile", "custom-1"), (s) => (s["maxPorts"] = 4))),
  },
  { rule: "SW-211", why: "a management IP used twice", name: "leaf-2", severity: "error", docs: () => worldWith(fromWorld("Switch", "leaf-2", (s) => (s["ip"] = "172.30.0.10/24"))) },
  { rule: "SW-211", why: "the control VIP as management IP", name: "leaf-2", severity: "error", docs: () => worldWith(fromWorld("Switch", "leaf-2", (s) => (s["ip"] = "172.30.0.1/21"))) },
  { rule: "SW-212", why: "a protocol IP used twice", name: "leaf-2", severity: "error", docs: () => worldWith(fromWorld("Switch", "leaf-2", (s) => (s["protocolIP"] = "172.30.8.1/32"))) },
  { rule: "SW-213", why: "MCLAG peers with different ASNs", name: "leaf-2", severity: "error", docs: () => worldWith(fromWorld("Switch", "leaf-2", (s) => (s["asn"] = 65102))) },
  {
    rule: "SW-213",
    why: "a leaf ASN used by another leaf",
    name: "leaf-3",
    severity: "error",
    docs: () => worldWith(leaf("leaf-3", { redundancy: {}, groups: [], ip: "172.30.0.12/21", protocolIP: "172.30.8.3/32", vtepIP: "172.30.12.3/32" })),
  },
  { rule: "SW-214", why: "MCLAG peers with different VTEP IPs", name: "leaf-2", severity: "error", docs: () => worldWith(fromWorld("Switch", "leaf-2", (s) => (s["vtepIP"] = "172.30.12.2/32"))) },
  {
    rule: "SW-214",
    why: "a VTEP IP used by another leaf",
    name: "leaf-3",
    severity: "error",
    docs: () => worldWith(leaf("leaf-3", { redundancy: {}, groups: [], asn: 65103, ip: "172.30.0.12/21", protocolIP: "172.30.8.3/32" })),
  },

  {
    rule: "CONN-201",
    why: "a switch that is nowhere",
    name: "server-1--unbundled--leaf-9",
    severity: "warning",
    docs: () => worldWith(doc(WIRING_API, "Connection", "server-1--unbundled--leaf-9", { unbundled: { link: { server: { port: "server-1/enp2s9" }, switch: { port: "leaf-9/E1/1" } } } })),
  },
  {
    rule: "CONN-202",
    why: "MCLAG switches in different redundancy groups",
    name: "server-1--mclag--leaf-1--leaf-2",
    severity: "error",
    docs: () => worldWith(named("Connection", "server-1--mclag--leaf-1--leaf-2"), fromWorld("Switch", "leaf-2", (s) => (s["redundancy"] = { group: "mclag-2", type: "mclag" }))),
  },
  { rule: "CONN-203", why: "ESLAG on MCLAG switches", name: "server-1--eslag--leaf-1--leaf-2", severity: "error", docs: () => worldWith(eslag()) },
  {
    rule: "CONN-204",
    why: "a port the switch profile lacks",
    name: "server-1--unbundled--leaf-1",
    severity: "error",
    docs: () => worldWith(withProfile(), edit(named("Connection", "server-1--unbundled--leaf-1"), (s) => ((s["unbundled"] as { link: { switch: Doc } }).link.switch["port"] = "leaf-1/E1/9"))),
  },
  {
    rule: "CONN-204",
    why: "a breakout lane beyond the selected breakout",
    name: "server-1--unbundled--leaf-1",
    severity: "error",
    docs: () => worldWith(withProfile(), edit(named("Connection", "server-1--unbundled--leaf-1"), (s) => ((s["unbundled"] as { link: { switch: Doc } }).link.switch["port"] = "leaf-1/E1/3/2"))),
  },
  {
    rule: "CONN-205",
    why: "a server that is nowhere",
    name: "server-9--unbundled--leaf-1",
    severity: "warning",
    docs: () => worldWith(doc(WIRING_API, "Connection", "server-9--unbundled--leaf-1", { unbundled: { link: { server: { port: "server-9/enp2s1" }, switch: { port: "leaf-1/E1/5" } } } })),
  },
  {
    rule: "CONN-206",
    why: "a port used by another connection",
    name: "server-2--unbundled--leaf-1",
    severity: "error",
    docs: () => worldWith(doc(WIRING_API, "Connection", "server-2--unbundled--leaf-1", { unbundled: { link: { server: { port: "server-1/enp2s7" }, switch: { port: "leaf-1/E1/1" } } } })),
  },
  {
    rule: "CONN-206",
    why: "lane 1 of a port another connection uses by its alias",
    name: "server-2--unbundled--leaf-1",
    severity: "error",
    docs: () => worldWith(doc(WIRING_API, "Connection", "server-2--unbundled--leaf-1", { unbundled: { link: { server: { port: "server-1/enp2s7" }, switch: { port: "leaf-1/E1/1/1" } } } })),
  },
  {
    rule: "CONN-207",
    why: "a link IP used by another connection",
    name: "spine-1--fabric--leaf-2",
    severity: "error",
    docs: () =>
      worldWith(
        named("Connection", "spine-1--fabric--leaf-1"),
        doc(WIRING_API, "Connection", "spine-1--fabric--leaf-2", {
          fabric: { links: [{ spine: { port: "spine-1/E1/5", ip: "172.30.128.0/31" }, leaf: { port: "leaf-2/E1/8", ip: "172.30.128.1/31" } }] },
        }),
      ),
  },
  {
    rule: "CONN-208",
    why: "withinVPC naming a VPC that is nowhere",
    name: "leaf-1--static-external",
    severity: "warning",
    docs: () => worldWith(edit(named("Connection", "leaf-1--static-external"), (s) => ((s["staticExternal"] as Doc)["withinVPC"] = "vpc-9"))),
  },
  { rule: "SWP-201", why: "an extra profile where only built-ins are allowed", name: "custom-1", severity: "error", docs: world, settings: { ...settings, allowExtraSwitchProfiles: false } },
  {
    rule: "SWP-202",
    why: "a built-in profile in Git",
    name: "vs",
    severity: "warning",
    docs: () => worldWith({ ...named("SwitchProfile", "custom-1"), metadata: { name: "vs" } }),
  },
];

describe("the consistent example fabric", () => {
  it("has no SET finding", () => {
    expect(setFindings(world())).toEqual([]);
  });

  it("raises no warning for what the fabric creates itself", () => {
    const vpc = doc(VPC_API, "VPC", "vpc-9", { subnets: { default: { subnet: "10.90.0.0/24", vlan: 1900 } } });
    const sw = doc(WIRING_API, "Switch", "leaf-9", { role: "server-leaf", profile: "celestica-ds4000-clsp" });
    expect(setFindings([vpc, sw])).toEqual([]);
    expect(setFindings([sw], { includeSONiCCLSPlus: false }).map((f) => f.rule)).toEqual(["SW-204"]);
  });
});

describe("each SET rule, broken on a small set", () => {
  it.each(cases.map((c) => [c.rule, c.why, c] as const))("%s: %s", (rule, _why, c) => {
    const findings = setFindings(c.docs(), c.settings);
    const hit = findings.find((f) => f.rule === rule && f.name === c.name);
    expect(hit, JSON.stringify(findings, null, 1)).toBeDefined();
    expect(hit?.severity).toBe(c.severity);
  });

  it("breaks every implemented SET rule of RULES.md in at least one case (RULES-NEW.md's 9nn rules: new-rules.test.ts)", () => {
    const broken = new Set(cases.map((c) => c.rule));
    expect(setRules.map((r) => r.id).filter((id) => !/-9\d\d$/.test(id) && !broken.has(id))).toEqual([]);
  });
});

describe("duplicates and conflicts", () => {
  const vpc = (name: string, subnet: string, vlan: number) => doc(VPC_API, "VPC", name, { subnets: { default: { subnet, vlan } } });

  it("reports the same resource twice in a batch on both documents, naming the other source", () => {
    const findings = validateSet([
      { file: "raw/a.yaml", index: 0, line: 1, value: vpc("vpc-1", "10.1.0.0/24", 1001), origin: "batch" },
      { file: "raw/b.yaml", index: 2, line: 7, value: vpc("vpc-1", "10.2.0.0/24", 1002), origin: "batch" },
    ]);
    expect(findings.filter((f) => f.rule === "DUPLICATE").map((f) => [f.file, f.message])).toEqual([
      ["raw/a.yaml", "VPC vpc-1 is also defined in raw/b.yaml (document 2, line 7)"],
      ["raw/b.yaml", "VPC vpc-1 is also defined in raw/a.yaml (document 0, line 1)"],
    ]);
  });

  it("treats a namespace written out and one left implicit as the same resource", () => {
    const explicit = { ...vpc("vpc-1", "10.1.0.0/24", 1001), metadata: { name: "vpc-1", namespace: "default" } };
    const findings = setFindings([explicit, vpc("vpc-1", "10.1.0.0/24", 1001)]);
    expect(findings.map((f) => f.rule)).toEqual(["DUPLICATE", "DUPLICATE"]);
  });

  it("lets a batch document replace the managed one (an update, not a duplicate)", () => {
    const findings = validateSet([...members([vpc("vpc-1", "10.1.0.0/24", 1001)], "managed"), ...members([vpc("vpc-1", "10.9.0.0/24", 1009)], "batch")]);
    expect(findings).toEqual([]);
  });

  it("reports the same resource twice in managed/", () => {
    const findings = validateSet(members([vpc("vpc-1", "10.1.0.0/24", 1001), vpc("vpc-1", "10.1.0.0/24", 1001)], "managed"));
    expect(findings.map((f) => f.rule)).toEqual(["DUPLICATE", "DUPLICATE"]);
  });

  it("blames both sides of an overlap inside the batch", () => {
    const findings = setFindings([vpc("vpc-1", "10.1.0.0/24", 1001), vpc("vpc-2", "10.1.0.128/25", 1002)]);
    expect(findings.map((f) => `${f.name} ${f.rule}`)).toEqual(["vpc-1 VPC-206", "vpc-2 VPC-206"]);
  });

  it("blames only the newcomer when a batch document conflicts with managed/", () => {
    const findings = validateSet([...members([vpc("vpc-1", "10.1.0.0/24", 1001)], "managed"), ...members([vpc("vpc-2", "10.1.0.128/25", 1001)], "batch")]);
    expect(findings.map((f) => `${f.name} ${f.rule}`)).toEqual(["vpc-2 VPC-206", "vpc-2 VPC-207"]);
  });

  it("leaves a document the schema rejects out of the set: no SET rules on it, and references to it do not resolve", () => {
    // The cluster would refuse the VPC, so the attachment cannot count on it (a warning: it may exist there).
    const broken = { ...vpc("vpc-1", "10.1.0.0/24", 1001), spec: { subnets: { default: { subnet: "10.1.0.0/24", vlan: "x" } } } };
    const attachment = attach("a-1", "vpc-1/default", "conn-1");
    const findings = validateBatch(members([broken, attachment]), []);
    expect(findings.map((f) => `${f.name} ${f.rule} ${f.severity}`)).toEqual(["vpc-1 SCHEMA error", "a-1 VPCATT-203 warning", "a-1 VPCATT-201 warning"]);
  });

  it("a rejected document does not make a good one overlap", () => {
    // The broken VPC (unknown field) uses VLAN 1001 too; only the good one will exist, so no VLAN conflict.
    const broken = { ...vpc("broken", "10.9.0.0/24", 1001), spec: { subnets: { default: { subnet: "10.9.0.0/24", vlan: 1001, colour: "blue" } } } };
    const good = vpc("good", "10.1.0.0/24", 1001);
    const findings = validateBatch(members([broken, good]), []);
    expect(findings.filter((f) => f.severity === "error").map((f) => `${f.name} ${f.rule}`)).toEqual(["broken SCHEMA"]);
  });

  it("a rejected update leaves the managed version in the set", () => {
    const managedVpc = vpc("vpc-1", "10.1.0.0/24", 1001);
    const brokenUpdate = { ...vpc("vpc-1", "10.1.0.0/24", 1001), spec: { subnets: { default: { subnet: "10.1.0.0/24", vlan: "x" } } } };
    const attachment = attach("a-1", "vpc-1/default", "conn-1");
    const findings = validateBatch(members([brokenUpdate, attachment]), members([managedVpc]));
    expect(findings.filter((f) => f.rule === "VPCATT-201")).toEqual([]);
  });
});
