// The rules RULES-NEW.md adds to RULES.md (ids 9nn): VLAN IDs, the host-BGP prefix rules and per-port
// Switch features of newer fabrics, and the SET rules judged against the cluster's own objects.
import { describe, expect, it } from "vitest";
import { validateBatch, type Catalog, type ClusterObjects, type Finding, type SourceDocument } from "../../../lib/hedgehog/index.js";
import { intrinsicRules, setRules } from "../../../lib/hedgehog/rules/index.js";
import { servedCatalog, v0129FixtureCrds } from "../../support/crd-sets.js";
import { base, clone, settings, type Doc } from "./documents.js";

const VPC_API = "vpc.githedgehog.com/v1beta1";
const WIRING = "wiring.githedgehog.com/v1beta1";
const v0129 = servedCatalog(v0129FixtureCrds);

const doc = (value: Doc, index = 0): SourceDocument => ({ index, line: 1, value, file: "raw/t.yaml" });
function check(docs: readonly Doc[], options: { catalog?: Catalog; cluster?: ClusterObjects; managed?: readonly Doc[] } = {}): Finding[] {
  const { managed = [], ...rest } = options;
  return validateBatch(
    docs.map((d, i) => doc(d, i)),
    managed.map((d, i) => ({ ...doc(d, i), file: `managed/${i}.yaml` })),
    settings,
    rest,
  );
}
const hits = (findings: readonly Finding[], rule: string) => findings.filter((f) => f.rule === rule);

const vpc = (name: string, subnets: Doc, spec: Doc = {}): Doc => ({ apiVersion: VPC_API, kind: "VPC", metadata: { name }, spec: { subnets, ...spec } });
const vlanNs = (name: string, from: number, to: number): Doc => ({ apiVersion: WIRING, kind: "VLANNamespace", metadata: { name }, spec: { ranges: [{ from, to }] } });
const ipNs = (name: string, subnets: string[]): Doc => ({ apiVersion: VPC_API, kind: "IPv4Namespace", metadata: { name }, spec: { subnets } });
const bgpSubnet = (extra: Doc = {}): Doc => ({ subnet: "10.10.3.0/24", hostBGP: true, ...extra });

describe("VLAN IDs (VPC-901, EXTATT-901, CONN-901)", () => {
  it("rejects vlan 5000 with no VLANNamespace in Git", () => {
    const findings = check([vpc("vpc-1", { web: { subnet: "10.10.1.0/24", vlan: 5000 } })]);
    expect(hits(findings, "VPC-901")).toMatchObject([{ severity: "error", path: "/spec/subnets/web/vlan", message: "VLAN 5000 is not a valid 802.1Q VLAN ID (1–4094)" }]);
  });

  it("rejects vlan 4095 with a VLANNamespace in Git whose range covers nothing that large", () => {
    const findings = check([vlanNs("default", 1000, 2999), vpc("vpc-1", { web: { subnet: "10.10.1.0/24", vlan: 4095 } })]);
    expect(hits(findings, "VPC-901")).toMatchObject([{ severity: "error", message: "VLAN 4095 is not a valid 802.1Q VLAN ID (1–4094)" }]);
  });

  it("accepts 1 and 4094, and checks the other VLAN fields", () => {
    expect(hits(check([vpc("vpc-1", { a: { subnet: "10.10.1.0/24", vlan: 1 }, b: { subnet: "10.10.2.0/24", vlan: 4094 } })]), "VPC-901")).toEqual([]);
    const attachment = clone(base["ExternalAttachment"]!);
    (attachment["spec"] as Doc)["switch"] = { ip: "10.99.1.1/31", vlan: 4095 };
    expect(hits(check([attachment]), "EXTATT-901")).toMatchObject([{ path: "/spec/switch/vlan" }]);
    const conn: Doc = {
      apiVersion: WIRING,
      kind: "Connection",
      metadata: { name: "leaf-1--static-external" },
      spec: { staticExternal: { link: { switch: { port: "leaf-1/E1/15", ip: "10.98.0.1/24", nextHop: "10.98.0.254", subnets: ["10.97.0.0/16"], vlan: 9000 } } } },
    };
    expect(hits(check([conn]), "CONN-901")).toMatchObject([{ path: "/spec/staticExternal/link/switch/vlan" }]);
  });
});

describe("the cluster's objects in the desired set", () => {
  const cluster = (...objects: Doc[]): ClusterObjects => ({ objects });

  it("judges a VPC's VLAN against the cluster-only default VLANNamespace, naming it", () => {
    const findings = check([vpc("vpc-1", { web: { subnet: "10.10.1.0/24", vlan: 10 } })], { cluster: cluster(vlanNs("default", 1000, 2999)) });
    expect(hits(findings, "VPC-204")).toMatchObject([
      { severity: "error", path: "/spec/subnets/web/vlan", message: "VLAN 10 is not in any range of VLANNamespace default (in the cluster)" },
    ]);
    // Without the cluster's namespace nothing could be said.
    expect(hits(check([vpc("vpc-1", { web: { subnet: "10.10.1.0/24", vlan: 10 } })]), "VPC-204")).toEqual([]);
  });

  it("turns 'must already exist in the cluster' into an error when the cluster lacks it, and into nothing when it has it", () => {
    const attachment = { apiVersion: VPC_API, kind: "VPCAttachment", metadata: { name: "a" }, spec: { subnet: "vpc-1/web", connection: "c-1" } };
    const withoutCluster = hits(check([attachment]), "VPCATT-201");
    expect(withoutCluster).toMatchObject([{ severity: "warning", message: expect.stringMatching(/must already exist in the cluster/) }]);
    expect(hits(check([attachment], { cluster: cluster() }), "VPCATT-201")).toMatchObject([
      { severity: "error", message: "VPC vpc-1 is neither in the desired set nor in the cluster" },
    ]);
    const liveVpc = vpc("vpc-1", { web: { subnet: "10.10.1.0/24", vlan: 1001 } });
    expect(hits(check([attachment], { cluster: cluster(liveVpc) }), "VPCATT-201")).toEqual([]);
  });

  it("blames the Git resource for a clash with a cluster-only one, and lets Git's copy win over the cluster's", () => {
    const live = vpc("vpc-live", { web: { subnet: "10.10.1.0/24", vlan: 1001 } });
    const findings = check([vpc("vpc-1", { db: { subnet: "10.10.2.0/24", vlan: 1001 } })], { cluster: cluster(live) });
    expect(hits(findings, "VPC-207")).toMatchObject([{ file: "raw/t.yaml", message: "VLAN 1001 is already used by subnet web of VPC vpc-live (in the cluster)" }]);
    // The same VPC in Git and in the cluster: Git's definition is the one judged.
    const edited = vpc("vpc-live", { web: { subnet: "10.10.1.0/24", vlan: 1002 } });
    expect(hits(check([edited], { cluster: cluster(live) }), "VPC-207")).toEqual([]);
  });

  it("ignores cluster objects of kinds no rule looks up", () => {
    const peering = { apiVersion: VPC_API, kind: "VPCPeering", metadata: { name: "p" }, spec: { permit: [{ "vpc-1": {}, "vpc-2": {} }] } };
    expect(check([], { cluster: cluster(peering) })).toEqual([]);
  });
});

describe("host-BGP prefixes (VPC-902..911), with the v0.129 fixture", () => {
  const one = (subnets: Doc, options: { cluster?: ClusterObjects } = {}) => check([vpc("vpc-1", subnets)], { catalog: v0129, ...options });
  const ruleIds = (findings: readonly Finding[]) => findings.filter((f) => /-9\d\d$/.test(f.rule)).map((f) => f.rule);

  it.each([
    ["VPC-902", { web: { subnet: "10.10.1.0/24", vlan: 1001, hostBGPMinPrefixLen: 24 } }],
    ["VPC-903", { web: { subnet: "10.10.1.0/24", vlan: 1001, hostBGPExtraPrefixes: { "10.100.1.0/24": {} } } }],
    ["VPC-904", { bgp: bgpSubnet({ hostBGPMinPrefixLen: 32, hostBGPMaxPrefixLen: 28 }) }],
    ["VPC-904", { bgp: bgpSubnet({ hostBGPMinPrefixLen: 16 }) }],
    ["VPC-905", { bgp: bgpSubnet({ hostBGPExtraPrefixes: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`10.100.${i}.0/24`, {}])) }) }],
    ["VPC-906", { bgp: bgpSubnet({ hostBGPExtraPrefixes: { "10.100.1.5/24": {} } }) }],
    ["VPC-906", { bgp: bgpSubnet({ hostBGPExtraPrefixes: { "2001:db8::/64": {} } }) }],
    ["VPC-907", { bgp: bgpSubnet({ hostBGPExtraPrefixes: { "10.100.11.0/28": {} }, hostBGPMinPrefixLen: 24 }) }],
    ["VPC-908", { bgp: bgpSubnet({ hostBGPExtraPrefixes: { "172.28.5.0/24": {} } }) }],
    ["VPC-909", { bgp: bgpSubnet({ hostBGPExtraPrefixes: { "10.10.3.128/25": {} } }) }],
  ] as const)("%s: %j", (rule, subnets) => {
    expect(ruleIds(one(subnets as unknown as Doc))).toContain(rule);
  });

  it("accepts the fabric's own valid cases", () => {
    for (const subnets of [
      { bgp: bgpSubnet({ hostBGPExtraPrefixes: { "10.100.1.0/24": {}, "10.100.11.0/28": {} } }) },
      { bgp: bgpSubnet({ hostBGPMinPrefixLen: 24, hostBGPMaxPrefixLen: 32 }) },
      { bgp: bgpSubnet({ hostBGPExtraPrefixes: { "10.100.11.0/28": { minPrefixLen: 28 } }, hostBGPMinPrefixLen: 24 }) },
      { bgp: bgpSubnet({ hostBGPExtraPrefixes: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`10.100.${i}.0/24`, {}])) }) },
    ]) {
      expect(ruleIds(one(subnets))).toEqual([]);
    }
  });

  it("VPC-910 / VPC-911: against the IPv4Namespace and the other VPCs, the cluster's included", () => {
    const extras = { bgp: bgpSubnet({ hostBGPExtraPrefixes: { "172.16.5.0/24": {} } }) };
    expect(ruleIds(one(extras, { cluster: { objects: [ipNs("default", ["10.0.0.0/8"])] } }))).toContain("VPC-910");
    const other = vpc("other", { web: { subnet: "10.100.1.0/24", vlan: 1500 } });
    const overlapping = { bgp: bgpSubnet({ hostBGPExtraPrefixes: { "10.100.1.0/24": {} } }) };
    expect(hits(one(overlapping, { cluster: { objects: [other] } }), "VPC-911")).toMatchObject([{ message: "hostBGP extra prefix 10.100.1.0/24 overlaps subnet web (10.100.1.0/24) of VPC other (in the cluster)" }]);
  });

  it("does not run where the served schema lacks the fields (the schema rejects them instead)", () => {
    const findings = check([vpc("vpc-1", { web: { subnet: "10.10.1.0/24", vlan: 1001, hostBGPMinPrefixLen: 24 } })]);
    expect(ruleIds(findings)).toEqual([]);
    expect(findings.map((f) => f.rule)).toContain("SCHEMA");
  });
});

describe("Switch port features (SW-902..904), with the v0.129 fixture", () => {
  const profile = (features: Doc = {}) => {
    const p = clone(base["SwitchProfile"]!);
    (p["spec"] as Doc)["features"] = { ...((p["spec"] as Doc)["features"] as Doc), ...features };
    return p;
  };
  const sw = (spec: Doc) => {
    const s = clone(base["Switch"]!);
    Object.assign(s["spec"] as Doc, { profile: "custom-1", redundancy: {}, groups: [], ...spec });
    return s;
  };
  const run = (docs: Doc[]) => check(docs, { catalog: v0129 }).filter((f) => /^SW-90\d$/.test(f.rule));

  it("SW-902: a port locator value that is neither empty, a duration nor an exact time", () => {
    expect(run([profile({ portLocator: true }), sw({ portLocators: { "E1/1": "soon" } })])).toMatchObject([{ rule: "SW-902", path: "/spec/portLocators/E1~11" }]);
    expect(run([profile({ portLocator: true }), sw({ portLocators: { "E1/1": "10m", "E1/3": "", "E1/2": "2026-08-05 18:45:47" } })])).toEqual([]);
  });

  it("SW-903: FEC only on ports that take it (a broken-out port per lane)", () => {
    expect(run([profile(), sw({ portFECs: { "E1/9": "rs" } })])).toMatchObject([{ rule: "SW-903" }]);
    expect(run([profile(), sw({ portFECs: { "E1/1": "rs", "E1/3": "auto" } })])).toEqual([]);
    expect(run([profile(), sw({ portFECs: { "E1/3": "rs" }, portBreakouts: { "E1/3": "4x25G" } })])).toMatchObject([{ rule: "SW-903" }]);
    expect(run([profile(), sw({ portFECs: { "E1/3/2": "rs" }, portBreakouts: { "E1/3": "4x25G" } })])).toEqual([]);
  });

  it("SW-904: port locators need the profile feature and real ports (or *)", () => {
    expect(run([profile(), sw({ portLocators: { "*": "" } })])).toMatchObject([{ rule: "SW-904", message: expect.stringMatching(/not supported/) }]);
    expect(run([profile({ portLocator: true }), sw({ portLocators: { "E9/9": "" } })])).toMatchObject([{ rule: "SW-904", path: "/spec/portLocators/E9~19" }]);
    expect(run([profile({ portLocator: true }), sw({ portLocators: { "*": "5m" } })])).toEqual([]);
  });
});

describe("coverage of RULES-NEW.md", () => {
  it("every 9nn rule is broken by a case in this file or in served-catalog.test.ts", () => {
    const covered = new Set([
      "VPC-901", "EXTATT-901", "CONN-901", "CONN-902", "SW-901", "VPCPEER-901", "VPCATT-901",
      "VPC-902", "VPC-903", "VPC-904", "VPC-905", "VPC-906", "VPC-907", "VPC-908", "VPC-909", "VPC-910", "VPC-911",
      "SW-902", "SW-903", "SW-904",
    ]);
    const implemented = [...intrinsicRules, ...setRules].map((r) => r.id).filter((id) => /-9\d\d$/.test(id));
    expect(implemented.filter((id) => !covered.has(id))).toEqual([]);
  });
});
