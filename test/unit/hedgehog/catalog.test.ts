// The kind catalog comes from the shipped CRDs, not from hand-typed names.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { GENERATED_FILE, renderCrdCatalog } from "../../../infra/tools/crd-catalog.js";
import { catalog, classifyDocument, findKind, managedKinds } from "../../../lib/hedgehog/index.js";

describe("catalog", () => {
  it("lists the 14 managed kinds with their real plurals", () => {
    expect(managedKinds.map((k) => [k.group, k.kind, k.plural])).toEqual([
      ["vpc.githedgehog.com", "External", "externals"],
      ["vpc.githedgehog.com", "ExternalAttachment", "externalattachments"],
      ["vpc.githedgehog.com", "ExternalPeering", "externalpeerings"],
      ["vpc.githedgehog.com", "IPv4Namespace", "ipv4namespaces"],
      ["vpc.githedgehog.com", "VPC", "vpcs"],
      ["vpc.githedgehog.com", "VPCAttachment", "vpcattachments"],
      ["vpc.githedgehog.com", "VPCPeering", "vpcpeerings"],
      ["wiring.githedgehog.com", "Connection", "connections"],
      ["wiring.githedgehog.com", "Server", "servers"],
      ["wiring.githedgehog.com", "ServerProfile", "serverprofiles"],
      ["wiring.githedgehog.com", "Switch", "switches"],
      ["wiring.githedgehog.com", "SwitchGroup", "switchgroups"],
      ["wiring.githedgehog.com", "SwitchProfile", "switchprofiles"],
      ["wiring.githedgehog.com", "VLANNamespace", "vlannamespaces"],
    ]);
  });

  it("carries the CRD's names, scope and versions", () => {
    expect(findKind("wiring.githedgehog.com/v1beta1", "Switch")).toEqual({
      group: "wiring.githedgehog.com",
      kind: "Switch",
      plural: "switches",
      singular: "switch",
      shortNames: ["sw"],
      scope: "Namespaced",
      servedVersions: ["v1beta1"],
      storageVersion: "v1beta1",
      managed: true,
    });
    expect(findKind("vpc.githedgehog.com/v1beta1", "VPCAttachment")?.shortNames).toEqual(["vpcattach"]);
    expect(managedKinds.every((k) => k.scope === "Namespaced" && k.storageVersion === "v1beta1")).toBe(true);
  });

  it("knows the other Hedgehog groups shipped but does not manage them", () => {
    const unmanaged = catalog.filter((k) => !k.managed).map((k) => `${k.group}/${k.kind}`);
    expect(unmanaged).toEqual([
      "dhcp.githedgehog.com/DHCPSubnet",
      "gateway.githedgehog.com/Gateway",
      "gateway.githedgehog.com/GatewayGroup",
      "gateway.githedgehog.com/GatewayPeering",
      "gateway.githedgehog.com/VPCInfo",
    ]);
  });

  it("finds a kind only for a served version", () => {
    expect(findKind("wiring.githedgehog.com/v1alpha2", "Connection")).toBeUndefined();
    expect(findKind("wiring.githedgehog.com/v1beta1", "Switchs")).toBeUndefined();
    expect(findKind("vpc.githedgehog.com/v1beta1", "VPC")?.plural).toBe("vpcs");
  });

  it("cannot be modified", () => {
    expect(Object.isFrozen(managedKinds)).toBe(true);
    expect(Object.isFrozen(managedKinds[0])).toBe(true);
  });
});

describe("classifyDocument", () => {
  const meta = { name: "x" };
  it.each([
    ["a VPC", { apiVersion: "vpc.githedgehog.com/v1beta1", kind: "VPC", metadata: meta }, "hedgehog"],
    ["a Gateway (known, unmanaged)", { apiVersion: "gateway.githedgehog.com/v1alpha1", kind: "Gateway", metadata: meta }, "hedgehog"],
    ["a ConfigMap", { apiVersion: "v1", kind: "ConfigMap", metadata: meta }, "foreign"],
    ["another operator's CR", { apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: meta }, "foreign"],
    ["a list", [1, 2], "invalid"],
    ["a string", "hello", "invalid"],
    ["no apiVersion", { kind: "VPC", metadata: meta }, "invalid"],
    ["no kind", { apiVersion: "v1", metadata: meta }, "invalid"],
    ["no metadata.name", { apiVersion: "v1", kind: "ConfigMap", metadata: {} }, "invalid"],
    ["an unknown Hedgehog kind", { apiVersion: "vpc.githedgehog.com/v1beta1", kind: "Vpc", metadata: meta }, "invalid"],
    ["an unknown Hedgehog version", { apiVersion: "wiring.githedgehog.com/v1alpha2", kind: "Connection", metadata: meta }, "invalid"],
    ["a Hedgehog group without version", { apiVersion: "vpc.githedgehog.com", kind: "VPC", metadata: meta }, "invalid"],
    ["a Hedgehog group in upper case", { apiVersion: "VPC.githedgehog.com/v1beta1", kind: "VPC", metadata: meta }, "invalid"],
  ])("classifies %s", (_what, value, expected) => {
    expect(classifyDocument(value).class).toBe(expected);
  });

  it("says what is wrong with an invalid document", () => {
    expect(classifyDocument({ apiVersion: "wiring.githedgehog.com/v1alpha2", kind: "Connection", metadata: { name: "c" } })).toEqual({
      class: "invalid",
      problem: "kind",
      reason: 'Connection has no version "v1alpha2" in wiring.githedgehog.com; served: v1beta1',
    });
  });

  it("returns the kind and version of a Hedgehog document", () => {
    const c = classifyDocument({ apiVersion: "wiring.githedgehog.com/v1beta1", kind: "Switch", metadata: { name: "s" } });
    expect(c.class === "hedgehog" && [c.kindInfo.plural, c.version]).toEqual(["switches", "v1beta1"]);
  });
});

describe("crds.generated.json", () => {
  it("is exactly the shipped CRD YAML rendered (run `npm run crds` after changing a CRD)", () => {
    expect(readFileSync(GENERATED_FILE, "utf8")).toBe(renderCrdCatalog());
    expect(catalog).toHaveLength(19);
  });
});
