// Identities, managed/ paths and the apply order.
import { describe, expect, it } from "vitest";
import {
  applyOrderOf,
  compareApplyOrder,
  compareDeleteOrder,
  findKind,
  InvalidResourceNameError,
  managedPath,
  NotAResourceError,
  resourceId,
} from "../../../lib/hedgehog/index.js";

const kind = (apiVersion: string, name: string) => {
  const info = findKind(apiVersion, name);
  if (!info) throw new Error(`unknown ${name}`);
  return info;
};

describe("resourceId", () => {
  it("is group/Kind/namespace/name with the namespace made explicit", () => {
    expect(resourceId({ apiVersion: "vpc.githedgehog.com/v1beta1", kind: "VPC", metadata: { name: "vpc-1" } })).toBe("vpc.githedgehog.com/VPC/default/vpc-1");
    expect(resourceId({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "kube-system" } })).toBe("core/ConfigMap/kube-system/c");
  });

  it("refuses objects without the parts of an identity, and names that could break it", () => {
    expect(() => resourceId({ kind: "VPC", metadata: { name: "v" } })).toThrow(NotAResourceError);
    expect(() => resourceId({ apiVersion: "v1", kind: "VPC", metadata: { name: "a/b" } })).toThrow(InvalidResourceNameError);
  });
});

describe("managedPath", () => {
  const switches = kind("wiring.githedgehog.com/v1beta1", "Switch");

  it("puts a resource under its CRD plural", () => {
    expect(managedPath(switches, "default", "leaf-01")).toBe("managed/switches/leaf-01.yaml");
    expect(managedPath(switches, undefined, "leaf-01")).toBe("managed/switches/leaf-01.yaml");
    expect(managedPath(kind("vpc.githedgehog.com/v1beta1", "IPv4Namespace"), "default", "ipns-1")).toBe("managed/ipv4namespaces/ipns-1.yaml");
  });

  it("adds a namespace folder only outside default", () => {
    expect(managedPath(switches, "lab", "leaf-01")).toBe("managed/switches/lab/leaf-01.yaml");
  });

  it.each([["../../etc/passwd"], [".."], ["a/b"], [""], ["Leaf"], ["x".repeat(254)], ["-a"]])("never builds a path from the name %j", (name) => {
    expect(() => managedPath(switches, "default", name)).toThrow(InvalidResourceNameError);
  });

  it("never builds a path from a bad namespace", () => {
    expect(() => managedPath(switches, "../x", "leaf-01")).toThrow(InvalidResourceNameError);
    expect(() => managedPath(switches, "a.b", "leaf-01")).toThrow(InvalidResourceNameError);
  });
});

describe("apply order", () => {
  const resource = (kind: string, name = "x") => ({ kind, metadata: { name } });

  it("applies what is referenced before what references it", () => {
    const shuffled = ["ExternalPeering", "VPCAttachment", "VPC", "Connection", "Switch", "SwitchGroup", "IPv4Namespace", "Server", "External", "VLANNamespace", "SwitchProfile", "VPCPeering", "ExternalAttachment", "ServerProfile"];
    expect(shuffled.map((k) => resource(k)).sort(compareApplyOrder).map((r) => r.kind)).toEqual([
      "SwitchProfile",
      "ServerProfile",
      "IPv4Namespace",
      "VLANNamespace",
      "SwitchGroup",
      "Switch",
      "Server",
      "Connection",
      "VPC",
      "External",
      "VPCAttachment",
      "VPCPeering",
      "ExternalAttachment",
      "ExternalPeering",
    ]);
  });

  it("orders by name within a kind, and puts unknown kinds last", () => {
    const list = [resource("VPC", "b"), resource("Gateway"), resource("VPC", "a")].sort(compareApplyOrder);
    expect(list.map((r) => `${r.kind}/${r.metadata.name}`)).toEqual(["VPC/a", "VPC/b", "Gateway/x"]);
    expect(applyOrderOf("Gateway")).toBeGreaterThan(applyOrderOf("ExternalPeering"));
  });

  it("deletes in exactly the reverse order", () => {
    const list = [resource("VPC", "a"), resource("Switch"), resource("VPCAttachment"), resource("VPC", "b")];
    const applied = [...list].sort(compareApplyOrder);
    expect([...list].sort(compareDeleteOrder)).toEqual([...applied].reverse());
  });
});
