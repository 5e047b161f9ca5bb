// A catalog per CRD set: the bundled v0.126.0 default, fabric main 78827deb, and the v0.129 fixture.
// What a document is judged by follows the set: fields it adds are accepted, fields it deprecates
// are warned about or rejected as that version does.
import { describe, expect, it } from "vitest";
import {
  buildCatalog,
  bundledCatalog,
  bundledCatalogs,
  bundledReleases,
  BUNDLED_RELEASES,
  chooseCatalog,
  hedgehogSettingsSchema,
  InvalidCrdError,
  validateBatch,
  validateDocument,
  type Catalog,
  type Finding,
} from "../../../lib/hedgehog/index.js";
import { fabricMainCrds, servedCatalog, v0126Crds, v0129FixtureCrds } from "../../support/crd-sets.js";

const WIRING = "wiring.githedgehog.com/v1beta1";
const VPC_API = "vpc.githedgehog.com/v1beta1";

const main = servedCatalog(fabricMainCrds);
const v0129 = servedCatalog(v0129FixtureCrds);

const findings = (value: unknown, catalog?: Catalog): Finding[] =>
  validateDocument({ index: 0, line: 1, value }, { file: "raw/x.yaml", ...(catalog ? { catalog } : {}) });
const rules = (value: unknown, catalog?: Catalog) => findings(value, catalog).map((f) => `${f.rule} ${f.severity} ${f.path}`);

const leaf = (spec: Record<string, unknown> = {}) => ({
  apiVersion: WIRING,
  kind: "Switch",
  metadata: { name: "leaf-1" },
  spec: { role: "server-leaf", profile: "vs", asn: 65101, ip: "172.30.0.10/21", protocolIP: "172.30.8.1/32", vtepIP: "172.30.12.1/32", ...spec },
});
const hostBgpVpc = (subnet: Record<string, unknown>) => ({
  apiVersion: VPC_API,
  kind: "VPC",
  metadata: { name: "vpc-1" },
  spec: { subnets: { bgp: { subnet: "10.10.3.0/24", hostBGP: true, ...subnet } } },
});
const mclag = {
  apiVersion: WIRING,
  kind: "Connection",
  metadata: { name: "server-1--mclag--leaf-1--leaf-2" },
  spec: { mclag: { links: [{ server: { port: "server-1/enp2s1" }, switch: { port: "leaf-1/E1/1" } }, { server: { port: "server-1/enp2s2" }, switch: { port: "leaf-2/E1/1" } }] } },
};
const remotePeering = { apiVersion: VPC_API, kind: "VPCPeering", metadata: { name: "vpc-1--vpc-2" }, spec: { permit: [{ "vpc-1": {}, "vpc-2": {} }], remote: "border" } };

describe("the catalog of a CRD set", () => {
  it("reads the same kinds from the served YAML as from the bundled, stripped JSON", () => {
    const served = servedCatalog(v0126Crds);
    expect(served.kinds).toEqual(bundledCatalog.kinds);
    expect(served.capabilities).toEqual(bundledCatalog.capabilities);
    expect(served.kindOrder).toEqual(bundledCatalog.kindOrder);
    expect(servedCatalog(fabricMainCrds).capabilities).toEqual(bundledCatalogs.get("v0.126.0-15-g78827deb")!.capabilities);
  });

  it("orders the managed kinds for applying: what is referenced comes first", () => {
    expect(bundledCatalog.kindOrder).toEqual([
      "SwitchProfile", "ServerProfile", "IPv4Namespace", "VLANNamespace", "SwitchGroup", "Switch", "Server", "Connection",
      "VPC", "External", "VPCAttachment", "VPCPeering", "ExternalAttachment", "ExternalPeering",
    ]);
  });

  it("detects capabilities from the schemas, not from a version string", () => {
    expect(bundledCatalog.capabilities).toEqual({
      "Connection.spec.mclag": "present",
      "Connection.spec.mclagDomain": "present",
      "VPCPeering.spec.remote": "present",
      "Switch.spec.portFECs": "absent",
      "Switch.spec.portLocators": "absent",
      "SwitchProfile.spec.features.portLocator": "absent",
      "VPC.spec.subnets.*.hostBGPMinPrefixLen": "absent",
      "VPC.spec.subnets.*.hostBGPMaxPrefixLen": "absent",
      "VPC.spec.subnets.*.hostBGPExtraPrefixes": "absent",
    });
    expect(main.capabilities).toMatchObject({
      "Connection.spec.mclag": "deprecated",
      "Connection.spec.mclagDomain": "deprecated",
      "VPCPeering.spec.remote": "deprecated",
      "Switch.spec.portFECs": "present",
      "Switch.spec.portLocators": "absent",
    });
    expect(v0129.capabilities).toMatchObject({
      "Switch.spec.portLocators": "present",
      "SwitchProfile.spec.features.portLocator": "present",
      "VPC.spec.subnets.*.hostBGPMinPrefixLen": "present",
      "VPC.spec.subnets.*.hostBGPExtraPrefixes": "present",
    });
  });

  it("refuses CRDs it cannot read, or one kind defined twice", () => {
    expect(() => buildCatalog([{ kind: "CustomResourceDefinition", spec: {} }], { kind: "cluster", resourceVersions: {} })).toThrow(InvalidCrdError);
    expect(() => buildCatalog([...v0126Crds, v0126Crds[0]!], { kind: "cluster", resourceVersions: {} })).toThrow(/defined by two CRDs/);
  });

  it("bundles the releases the settings may pin", () => {
    expect(bundledReleases).toEqual([...BUNDLED_RELEASES]);
    expect(hedgehogSettingsSchema.safeParse({ release: "v0.126.0-15-g78827deb" }).success).toBe(true);
    expect(hedgehogSettingsSchema.safeParse({ release: "v0.129.4" }).success).toBe(false);
  });
});

describe("judged by the served schema", () => {
  it("a Switch with portFECs: accepted by the newer set, an unknown field for the bundled one", () => {
    const sw = leaf({ portFECs: { "E1/1": "rs" } });
    expect(rules(sw, main)).toEqual([]);
    expect(findings(sw)).toMatchObject([{ rule: "SCHEMA", severity: "error", path: "/spec/portFECs", message: 'unknown field "portFECs"' }]);
  });

  it("a hostBGP subnet with hostBGPMinPrefixLen: accepted by the v0.129 fixture, unknown to the older sets", () => {
    const vpc = hostBgpVpc({ hostBGPMinPrefixLen: 28, hostBGPMaxPrefixLen: 32, hostBGPExtraPrefixes: { "10.100.1.0/24": {} } });
    expect(rules(vpc, v0129)).toEqual([]);
    expect(rules(vpc, main)).toContain("SCHEMA error /spec/subnets/bgp/hostBGPMinPrefixLen");
    expect(rules(vpc)).toContain("SCHEMA error /spec/subnets/bgp/hostBGPMinPrefixLen");
  });

  it("a VPCPeering with remote: rejected where the schema deprecates it, accepted by v0.126.0", () => {
    expect(rules(remotePeering, main)).toContain("VPCPEER-901 error /spec/remote");
    expect(rules(remotePeering)).toEqual([]);
  });

  it("an MCLAG Connection and an MCLAG Switch: warned where MCLAG is deprecated, silent with v0.126.0", () => {
    expect(findings(mclag, main)).toMatchObject([{ rule: "CONN-902", severity: "warning", path: "/spec/mclag" }]);
    expect(rules(leaf({ redundancy: { group: "mclag-1", type: "mclag" }, groups: ["mclag-1"] }), main)).toEqual(["SW-901 warning /spec/redundancy/type"]);
    expect(rules(mclag)).toEqual([]);
  });

  it("a VPCAttachment to an MCLAG connection: rejected where MCLAG is deprecated", () => {
    const vpc = { apiVersion: VPC_API, kind: "VPC", metadata: { name: "vpc-1" }, spec: { subnets: { web: { subnet: "10.10.1.0/24", vlan: 1001 } } } };
    const attachment = { apiVersion: VPC_API, kind: "VPCAttachment", metadata: { name: "a" }, spec: { subnet: "vpc-1/web", connection: mclag.metadata.name } };
    const docs = [vpc, mclag, attachment].map((value, index) => ({ index, line: 1, value, file: "raw/set.yaml" }));
    const hit = (catalog?: Catalog) => validateBatch(docs, [], {}, catalog ? { catalog } : {}).filter((f) => f.rule === "VPCATT-901");
    expect(hit(main)).toMatchObject([{ severity: "error", path: "/spec/connection", message: expect.stringMatching(/MCLAG connection/) }]);
    expect(hit()).toEqual([]);
  });
});

describe("chooseCatalog", () => {
  it("takes the cluster's CRDs when there are some, the pinned release otherwise, else the default", () => {
    const served = buildCatalog(fabricMainCrds, { kind: "cluster", resourceVersions: { "vpcs.vpc.githedgehog.com": "7" } });
    expect(chooseCatalog({}, served)).toMatchObject({ catalog: served, schemas: { source: "cluster", release: null, pinned: false, resourceVersions: { "vpcs.vpc.githedgehog.com": "7" } } });
    expect(chooseCatalog({ release: "v0.126.0-15-g78827deb" }).schemas).toMatchObject({ source: "bundled", release: "v0.126.0-15-g78827deb", pinned: true });
    expect(chooseCatalog({}).schemas).toMatchObject({
      source: "bundled",
      release: "v0.126.0",
      pinned: false,
      versions: { "vpc.githedgehog.com": ["v1beta1"], "wiring.githedgehog.com": ["v1beta1"] },
    });
    expect(chooseCatalog({ release: "v0.126.0" }, served).schemas.note).toMatch(/is not used/);
  });
});
