// withDefaults: the object as the fabric stores it, so the diff does not report defaulted fields as drift.
import { describe, expect, it } from "vitest";
import { withDefaults } from "../../../lib/hedgehog/index.js";
import { VPC_API, WIRING_API } from "./documents.js";

type Doc = Record<string, unknown>;
const spec = (d: unknown) => (d as { spec: Doc }).spec;
const labels = (d: unknown) => (d as { metadata: { labels?: Doc } }).metadata.labels;

describe("withDefaults", () => {
  it("fills a VPC the way the mutating webhook does (VPC-001..009, COMMON-001/002)", () => {
    const vpc = {
      apiVersion: VPC_API,
      kind: "VPC",
      metadata: { name: "vpc-1", labels: { "fabric.githedgehog.com/ipv4ns": "stale", team: "blue" } },
      spec: {
        subnets: {
          a: {
            subnet: "10.0.1.7/24",
            vlan: 1001,
            dhcp: {
              enable: true,
              options: { dnsServers: ["10.0.1.9", "10.0.1.10"], advertisedRoutes: [{ destination: "10.9.0.0/16", gateway: "10.0.1.3" }, { destination: "10.8.0.0/16", gateway: "10.0.1.3" }] },
              static: { "00-AA-BB-CC-DD-EE": { ip: "10.0.1.50" }, "not-a-mac": { ip: "10.0.1.51" } },
            },
          },
          b: { subnet: "10.0.2.0/24", vlan: 1002, dhcp: { range: { start: "10.0.2.5" }, options: { pxeURL: "x" } } },
          c: { subnet: "10.0.3.0/24", vlan: 1003, dhcp: { enable: true, options: {} } },
          d: { subnet: "10.0.4.0/24", hostBGP: true },
          e: { subnet: "broken", vlan: 1005 },
        },
      },
    };
    expect(withDefaults(vpc)).toEqual({
      apiVersion: VPC_API,
      kind: "VPC",
      metadata: { name: "vpc-1", namespace: "default", labels: { team: "blue", "fabric.githedgehog.com/ipv4ns": "default", "fabric.githedgehog.com/vlanns": "default" } },
      spec: {
        subnets: {
          a: {
            subnet: "10.0.1.7/24",
            vlan: 1001,
            gateway: "10.0.1.1",
            dhcp: {
              enable: true,
              range: { start: "10.0.1.2", end: "10.0.1.255" },
              options: {
                dnsServers: ["10.0.1.10", "10.0.1.9"],
                timeServers: [],
                interfaceMTU: 9036,
                leaseTimeSeconds: 3600,
                advertisedRoutes: [{ destination: "10.8.0.0/16", gateway: "10.0.1.3" }, { destination: "10.9.0.0/16", gateway: "10.0.1.3" }],
              },
              static: { "00:aa:bb:cc:dd:ee": { ip: "10.0.1.50" }, "not-a-mac": { ip: "10.0.1.51" } },
            },
          },
          b: { subnet: "10.0.2.0/24", vlan: 1002, gateway: "10.0.2.1", dhcp: {} },
          c: { subnet: "10.0.3.0/24", vlan: 1003, gateway: "10.0.3.1", dhcp: { enable: true, range: { start: "10.0.3.2", end: "10.0.3.255" } } },
          d: { subnet: "10.0.4.0/24", hostBGP: true, dhcp: {} },
          e: { subnet: "broken", vlan: 1005 },
        },
        ipv4Namespace: "default",
        vlanNamespace: "default",
      },
    });
  });

  it("does not modify its input", () => {
    const vpc = { apiVersion: VPC_API, kind: "VPC", metadata: { name: "v" }, spec: { subnets: { a: { subnet: "10.0.0.0/24" } } } };
    const before = structuredClone(vpc);
    withDefaults(vpc);
    expect(vpc).toEqual(before);
  });

  it("completes an attachment's subnet and derives its labels (VPCATT-001/002)", () => {
    const att = withDefaults({ apiVersion: VPC_API, kind: "VPCAttachment", metadata: { name: "a" }, spec: { subnet: "vpc-1", connection: "c-1", nativeVLAN: true } });
    expect(spec(att)["subnet"]).toBe("vpc-1/default");
    expect(labels(att)).toEqual({
      "fabric.githedgehog.com/vpc": "vpc-1",
      "fabric.githedgehog.com/subnet": "default",
      "fabric.githedgehog.com/connection": "c-1",
      "fabric.githedgehog.com/nativevlan": "true",
    });
  });

  it("leaves an attachment with no VPC part alone apart from the namespace", () => {
    const att = withDefaults({ apiVersion: VPC_API, kind: "VPCAttachment", metadata: { name: "a", labels: { "fabric.githedgehog.com/x": "kept" } }, spec: { subnet: "/web" } });
    expect(att).toEqual({ apiVersion: VPC_API, kind: "VPCAttachment", metadata: { name: "a", namespace: "default", labels: { "fabric.githedgehog.com/x": "kept" } }, spec: { subnet: "/web" } });
  });

  it("turns null peering entries into {} and labels both VPCs (VPCPEER-001/002)", () => {
    const peering = withDefaults({ apiVersion: VPC_API, kind: "VPCPeering", metadata: { name: "p" }, spec: { permit: [{ "vpc-b": null, "vpc-a": null }] } });
    expect(spec(peering)).toEqual({ permit: [{ "vpc-b": {}, "vpc-a": {} }] });
    expect(labels(peering)).toEqual({
      "vpc.fabric.githedgehog.com/vpc-b": "true",
      "vpc.fabric.githedgehog.com/vpc-a": "true",
      "fabric.githedgehog.com/vpc1": "vpc-a",
      "fabric.githedgehog.com/vpc2": "vpc-b",
    });
  });

  it("sorts IPv4Namespace subnets as strings (IPNS-001)", () => {
    expect(spec(withDefaults({ apiVersion: VPC_API, kind: "IPv4Namespace", metadata: { name: "n" }, spec: { subnets: ["10.2.0.0/16", "10.10.0.0/16"] } }))).toEqual({
      subnets: ["10.10.0.0/16", "10.2.0.0/16"],
    });
  });

  it("defaults Externals and their attachments and peerings (EXT-001/002, EXTATT-001/002, EXTPEER-001..003)", () => {
    const ext = withDefaults({ apiVersion: VPC_API, kind: "External", metadata: { name: "e" }, spec: {} });
    expect([spec(ext), labels(ext)]).toEqual([{ ipv4Namespace: "default" }, { "fabric.githedgehog.com/ipv4ns": "default" }]);
    const att = withDefaults({ apiVersion: VPC_API, kind: "ExternalAttachment", metadata: { name: "a" }, spec: { external: "e", connection: "c", static: { remoteIP: "1.1.1.1", proxy: true } } });
    expect(spec(att)).toMatchObject({ switch: {}, neighbor: {} });
    expect(labels(att)).toEqual({ "fabric.githedgehog.com/connection": "c", "fabric.githedgehog.com/external": "e" });
    const peering = withDefaults({
      apiVersion: VPC_API,
      kind: "ExternalPeering",
      metadata: { name: "p" },
      spec: { permit: { vpc: { name: "v", subnets: ["b", "a"] }, external: { name: "e", prefixes: [{ prefix: "10.1.0.0/16" }, { prefix: "0.0.0.0/0" }] } } },
    });
    expect(spec(peering)).toEqual({ permit: { vpc: { name: "v", subnets: ["a", "b"] }, external: { name: "e", prefixes: [{ prefix: "0.0.0.0/0" }, { prefix: "10.1.0.0/16" }] } } });
    expect(labels(peering)).toEqual({ "fabric.githedgehog.com/vpc": "v", "fabric.githedgehog.com/external": "e" });
  });

  it("defaults a Switch (SW-001..006 and the always-serialized objects)", () => {
    const sw = withDefaults({
      apiVersion: WIRING_API,
      kind: "Switch",
      metadata: { name: "s" },
      spec: { role: "server-leaf", profile: "vs", groups: ["z"], redundancy: { group: "mclag-1", type: "mclag" }, portSpeeds: { "E1/1": "SPEED_25G" }, linkFlapErrDisable: {} },
    });
    expect(spec(sw)).toEqual({
      role: "server-leaf",
      profile: "vs",
      groups: ["mclag-1", "z"],
      redundancy: { group: "mclag-1", type: "mclag" },
      portSpeeds: { "E1/1": "25G" },
      linkFlapErrDisable: { flapThreshold: 3, samplingInterval: 30, recoveryInterval: 300 },
      vlanNamespaces: ["default"],
      boot: {},
      ecmp: {},
    });
    expect(labels(sw)).toEqual({
      "fabric.githedgehog.com/profile": "vs",
      "switchgroup.fabric.githedgehog.com/mclag-1": "true",
      "switchgroup.fabric.githedgehog.com/z": "true",
      "vlanns.fabric.githedgehog.com/default": "true",
    });
  });

  it("labels a Connection with its type and endpoints (CONN-001)", () => {
    const conn = withDefaults({
      apiVersion: WIRING_API,
      kind: "Connection",
      metadata: { name: "c" },
      spec: { mclag: { links: [{ server: { port: "srv/e1" }, switch: { port: "leaf-2/E1/1" } }, { server: { port: "srv/e2" }, switch: { port: "leaf-1/E1/1" } }] } },
    });
    expect(labels(conn)).toEqual({
      "fabric.githedgehog.com/connection-type": "mclag",
      "switch.fabric.githedgehog.com/leaf-1": "true",
      "switch.fabric.githedgehog.com/leaf-2": "true",
      "server.fabric.githedgehog.com/srv": "true",
    });
  });

  it("completes and sorts VLAN ranges (VLANNS-001)", () => {
    expect(spec(withDefaults({ apiVersion: WIRING_API, kind: "VLANNamespace", metadata: { name: "v" }, spec: { ranges: [{ from: 2000, to: 2100 }, { from: 1000 }] } }))).toEqual({
      ranges: [{ from: 1000, to: 1000 }, { from: 2000, to: 2100 }],
    });
  });

  it("touches only the namespace of SwitchGroups, ServerProfiles and (apart from §16 objects) SwitchProfiles", () => {
    const labelled = { "fabric.githedgehog.com/x": "kept" };
    expect(withDefaults({ apiVersion: WIRING_API, kind: "SwitchGroup", metadata: { name: "g", labels: labelled }, spec: {} })).toEqual({
      apiVersion: WIRING_API,
      kind: "SwitchGroup",
      metadata: { name: "g", namespace: "default", labels: labelled },
      spec: {},
    });
    expect(spec(withDefaults({ apiVersion: WIRING_API, kind: "SwitchProfile", metadata: { name: "p" }, spec: { displayName: "P" } }))).toEqual({ displayName: "P", features: {}, config: {} });
  });

  it("drops null fields as the API server prunes them, but keeps null map entries for the schema to report", () => {
    expect(spec(withDefaults({ apiVersion: WIRING_API, kind: "Server", metadata: { name: "s", labels: null }, spec: { description: null, profile: "p" } }))).toEqual({ profile: "p" });
    expect(spec(withDefaults({ apiVersion: VPC_API, kind: "VPC", metadata: { name: "v" }, spec: { subnets: { a: null } } }))).toMatchObject({ subnets: { a: null } });
  });

  it("never overwrites a field of the wrong type (the schema reports it)", () => {
    expect(spec(withDefaults({ apiVersion: VPC_API, kind: "VPC", metadata: { name: "v" }, spec: "oops" }))).toBe("oops");
  });
});
