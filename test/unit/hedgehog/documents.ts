// Valid example resources of every managed kind and a complete set of fabric settings, for the
// table-driven rule tests. Each base document exercises as many rules of its kind as it can while
// satisfying all of them.
import { readFileSync } from "node:fs";
import { parseDocuments, type HedgehogSettings, type SourceDocument } from "../../../lib/hedgehog/index.js";

export type Doc = Record<string, unknown>;

export const VPC_API = "vpc.githedgehog.com/v1beta1";
export const WIRING_API = "wiring.githedgehog.com/v1beta1";

export const settings: HedgehogSettings = {
  reservedSubnets: ["172.28.0.0/16"],
  fabricSubnet: "172.30.128.0/17",
  managementSubnet: "172.30.0.0/21",
  managementDHCPStart: "172.30.4.0",
  controlVIP: "172.30.0.1/32",
  protocolSubnet: "172.30.8.0/22",
  vtepSubnet: "172.30.12.0/22",
  fabricMode: "spine-leaf",
  fabricMTU: 9100,
  serverFacingMTUOffset: 64,
  vpcIRBVLANRange: [{ from: 3000, to: 3999 }],
  th5WorkaroundVLANRange: [{ from: 4000, to: 4090 }],
  vpcPeeringDisabled: false,
  spineASN: 65100,
  leafASNStart: 65101,
  leafASNEnd: 65199,
  enableGateway: false,
  allowExtraSwitchProfiles: true,
  includeSONiCCLSPlus: true,
  includeCumulus: false,
};

const vpc = (name: string, spec: Doc): Doc => ({ apiVersion: VPC_API, kind: "VPC", metadata: { name }, spec });
const of = (apiVersion: string, kind: string, name: string, spec: Doc, metadata: Doc = {}): Doc => ({
  apiVersion,
  kind,
  metadata: { name, ...metadata },
  spec,
});

/** One valid, feature-rich document per managed kind. */
export const base: Record<string, Doc> = {
  VPC: {
    ...vpc("vpc-1", {
      subnets: {
        web: {
          subnet: "10.10.1.0/24",
          vlan: 1001,
          dhcp: {
            enable: true,
            range: { start: "10.10.1.10", end: "10.10.1.99" },
            options: {
              dnsServers: ["10.10.1.2"],
              timeServers: ["10.10.1.3"],
              interfaceMTU: 1500,
              leaseTimeSeconds: 600,
              advertisedRoutes: [{ destination: "10.20.0.0/16", gateway: "10.10.1.254" }],
            },
            static: { "00:aa:bb:cc:dd:01": { ip: "10.10.1.100" } },
          },
        },
        db: { subnet: "10.10.2.0/24", gateway: "10.10.2.1", vlan: 1002, dhcp: { relay: "10.0.2.200/32", relayVPC: "vpc-2" } },
        bgp: { subnet: "10.10.3.0/24", hostBGP: true },
      },
      permit: [["web", "db"]],
      staticRoutes: [{ prefix: "192.168.0.0/16", nextHops: ["10.10.1.254"] }],
    }),
    metadata: { name: "vpc-1", labels: { team: "blue" }, annotations: { "example.com/owner": "net" } },
  },
  VPCAttachment: of(
    VPC_API,
    "VPCAttachment",
    "vpc-1--server-1",
    { subnet: "vpc-1/web", connection: "server-1--unbundled--leaf-1", nativeVLAN: true },
    { annotations: { "fabric.githedgehog.com/p2p-link": "10.99.0.0/31" } },
  ),
  VPCPeering: of(VPC_API, "VPCPeering", "vpc-1--vpc-2", { permit: [{ "vpc-1": { subnets: ["web"] }, "vpc-2": {} }], remote: "border" }),
  IPv4Namespace: of(VPC_API, "IPv4Namespace", "ipns-1", { subnets: ["10.10.0.0/16", "10.20.0.0/16"] }),
  External: of(VPC_API, "External", "ext-1", { ipv4Namespace: "ipns-1", inboundCommunity: "65102:5000", outboundCommunity: "50000:50001" }),
  ExternalAttachment: of(VPC_API, "ExternalAttachment", "ext-1--leaf-1", {
    external: "ext-1",
    connection: "leaf-1--external--edge",
    switch: { ip: "10.99.1.1/31", vlan: 100 },
    neighbor: { asn: 65500, ip: "10.99.1.0" },
    inboundACL: {
      statements: [
        { seq: 10, action: "permit", protocol: "tcp", srcPrefix: "any", dstPrefix: "10.0.0.0/8", portRangeBegin: 80, portRangeEnd: 443, tcpFilters: { syn: true, notAck: true } },
        { seq: 20, action: "deny", protocol: "icmp", srcPrefix: "any", dstPrefix: "any", icmpType: 8, icmpCode: 0 },
      ],
    },
  }),
  ExternalPeering: of(VPC_API, "ExternalPeering", "vpc-1--ext-1", {
    permit: { vpc: { name: "vpc-1", subnets: ["web"] }, external: { name: "ext-1", prefixes: [{ prefix: "0.0.0.0/0" }] } },
  }),
  Switch: of(WIRING_API, "Switch", "leaf-1", {
    role: "server-leaf",
    profile: "vs",
    description: "leaf one",
    boot: { mac: "0c:20:12:ff:00:00" },
    asn: 65101,
    ip: "172.30.0.10/21",
    protocolIP: "172.30.8.1/32",
    vtepIP: "172.30.12.1/32",
    groups: ["mclag-1"],
    redundancy: { group: "mclag-1", type: "mclag" },
    vlanNamespaces: ["default"],
    linkFlapErrDisable: { flapThreshold: 5 },
    portSpeeds: { "E1/1": "SPEED_25G" },
  }),
  Server: of(WIRING_API, "Server", "server-1", { description: "a server" }),
  Connection: of(WIRING_API, "Connection", "server-1--unbundled--leaf-1", {
    unbundled: { link: { server: { port: "server-1/enp2s1" }, switch: { port: "leaf-1/E1/1" } }, mtu: 9000 },
  }),
  SwitchGroup: of(WIRING_API, "SwitchGroup", "mclag-1", {}),
  VLANNamespace: of(WIRING_API, "VLANNamespace", "vlans-1", { ranges: [{ from: 1000, to: 2999 }, { from: 100 }] }),
  SwitchProfile: of(WIRING_API, "SwitchProfile", "custom-1", {
    displayName: "Custom switch",
    otherNames: ["Alt name"],
    switchSilicon: "Broadcom TD3",
    nosType: "sonic-bcm-vs",
    platform: "x86_64-kvm_x86_64-r0",
    features: { l2vni: true, l3vni: true, mclag: true, eslag: true, roce: false },
    maxPorts: 64,
    ports: {
      M1: { nos: "Management0", management: true, oniePortName: "eth0" },
      "E1/1": { nos: "Ethernet0", label: "1", profile: "SFP28-25G" },
      "E1/2": { nos: "Ethernet1", label: "2", group: "1" },
      "E1/3": { nos: "1/3", baseNOSName: "Ethernet2", label: "3", profile: "QSFP28-100G", pipeline: "pipe-1" },
    },
    portGroups: { "1": { nos: "1", profile: "SFP28-25G-fixed" } },
    portProfiles: {
      "SFP28-25G": { speed: { default: "25G", supported: ["10G", "25G"] }, autoNegAllowed: true },
      "SFP28-25G-fixed": { speed: { default: "25G", supported: ["25G"] } },
      "QSFP28-100G": { breakout: { default: "1x100G", supported: { "1x100G": { offsets: ["0"] }, "4x25G": { offsets: ["0", "1", "2", "3"] } } } },
    },
    pipelines: { "pipe-1": { maxPorts: 8 } },
  }),
  ServerProfile: of(WIRING_API, "ServerProfile", "srv-profile-1", { nics: [{ name: "nic0", ports: [{ name: "p0" }] }] }),
};

const connection = (name: string, spec: Doc): Doc => of(WIRING_API, "Connection", name, spec);

/** Further valid documents, for the variants a base document cannot be at the same time. */
export const variants: Doc[] = [
  of(VPC_API, "External", "ext-s", { static: { prefixes: ["10.50.0.0/16", "10.60.0.0/16"] } }),
  of(VPC_API, "ExternalAttachment", "ext-s--leaf-1", { external: "ext-s", connection: "leaf-1--static-external", static: { remoteIP: "10.99.2.0", ip: "10.99.2.1/31", vlan: 200 } }),
  of(VPC_API, "ExternalAttachment", "ext-p--leaf-1", { external: "ext-s", connection: "leaf-1--static-external", static: { remoteIP: "10.99.2.0", proxy: true } }),
  of(WIRING_API, "Switch", "spine-1", { role: "spine", profile: "vs", asn: 65100, ip: "172.30.0.20/21", protocolIP: "172.30.8.20/32" }),
  connection("server-1--bundled--leaf-1", {
    bundled: { links: [{ server: { port: "server-1/enp2s1" }, switch: { port: "leaf-1/E1/1" } }, { server: { port: "server-1/enp2s2" }, switch: { port: "leaf-1/E1/2" } }] },
  }),
  connection("server-1--mclag--leaf-1--leaf-2", {
    mclag: { links: [{ server: { port: "server-1/enp2s1" }, switch: { port: "leaf-1/E1/1" } }, { server: { port: "server-1/enp2s2" }, switch: { port: "leaf-2/E1/1" } }], mtu: 9000 },
  }),
  connection("server-1--eslag--leaf-1--leaf-2", {
    eslag: { links: [{ server: { port: "server-1/enp2s1" }, switch: { port: "leaf-1/E1/1" } }, { server: { port: "server-1/enp2s2" }, switch: { port: "leaf-2/E1/1" } }] },
  }),
  connection("leaf-1--mclag-domain--leaf-2", {
    mclagDomain: {
      peerLinks: [{ switch1: { port: "leaf-1/E1/3" }, switch2: { port: "leaf-2/E1/3" } }],
      sessionLinks: [{ switch1: { port: "leaf-1/E1/4" }, switch2: { port: "leaf-2/E1/4" } }],
    },
  }),
  connection("spine-1--fabric--leaf-1", {
    fabric: {
      links: [
        { spine: { port: "spine-1/E1/1", ip: "172.30.128.0/31" }, leaf: { port: "leaf-1/E1/8", ip: "172.30.128.1/31" } },
        { spine: { port: "spine-1/E1/2", ip: "172.30.128.2/31" }, leaf: { port: "leaf-1/E1/9", ip: "172.30.128.3/31" } },
      ],
    },
  }),
  connection("leaf-1--mesh--leaf-2", {
    mesh: { links: [{ leaf1: { port: "leaf-1/E1/10", ip: "172.30.129.0/31" }, leaf2: { port: "leaf-2/E1/10", ip: "172.30.129.1/31" } }] },
  }),
  connection("leaf-1--gateway--gw-1", {
    gateway: { links: [{ switch: { port: "leaf-1/E1/11", ip: "172.30.130.0/31" }, gateway: { port: "gw-1/enp2s1", ip: "172.30.130.1/31" } }] },
  }),
  connection("leaf-1--vpc-loopback", { vpcLoopback: { links: [{ switch1: { port: "leaf-1/E1/12" }, switch2: { port: "leaf-1/E1/13" } }] } }),
  connection("leaf-1--external--edge", { external: { link: { switch: { port: "leaf-1/E1/14" } } } }),
  connection("leaf-1--static-external", {
    staticExternal: {
      link: { switch: { port: "leaf-1/E1/15", ip: "10.98.0.1/24", nextHop: "10.98.0.254", subnets: ["10.97.0.0/16", "10.96.0.0/16"], vlan: 10 } },
      withinVPC: "vpc-1",
    },
  }),
  connection("leaf-1--static-default", {
    staticExternal: { link: { switch: { port: "leaf-1/E1/16", ip: "10.98.1.1/24", nextHop: "10.98.1.254", subnets: ["0.0.0.0/0"] } } },
  }),
];

export function clone<T>(value: T): T {
  return structuredClone(value);
}

export const SAMPLES = new URL("../../fixtures/hedgehog/samples/", import.meta.url);

/** The documents of a sample file, with the file name as their source. */
export function sample(name: string): SourceDocument[] {
  return parseDocuments(readFileSync(new URL(name, SAMPLES))).map((doc) => ({ ...doc, file: name }));
}
