// Every document of every real sample gets the verdict the fabric would give it.
import { describe, expect, it } from "vitest";
import { classifyDocument, hasErrors, validateBatch, type Finding } from "../../../lib/hedgehog/index.js";
import { sample } from "./documents.js";

const HYDRATION = ["SW-103", "SW-104", "SW-105", "SW-106"];
const rulesOf = (findings: readonly Finding[]) => [...new Set(findings.map((f) => f.rule))].sort();

describe("vlab-wiring-prepop.yaml (the hhfab VLAB wiring diagram)", () => {
  const docs = sample("vlab-wiring-prepop.yaml");
  const findings = validateBatch(docs, []);

  it("has 46 Hedgehog documents of the expected kinds", () => {
    const kinds = docs.map((d) => {
      const c = classifyDocument(d.value);
      return c.class === "hedgehog" ? c.kindInfo.kind : c.class;
    });
    const count = (kind: string) => kinds.filter((k) => k === kind).length;
    expect([docs.length, count("SwitchGroup"), count("Switch"), count("Server"), count("Connection")]).toEqual([46, 3, 7, 10, 26]);
  });

  it("is valid: the only findings are the hydration warnings of its switches", () => {
    expect(hasErrors(findings)).toBe(false);
    expect(rulesOf(findings)).toEqual(HYDRATION);
    // asn, ip and protocolIP on all 7 switches; vtepIP on the 5 leaves only.
    expect(findings).toHaveLength(7 * 3 + 5);
    expect(findings.every((f) => f.kind === "Switch" && f.severity === "warning")).toBe(true);
  });

  it("locates each warning on the switch's spec in the file", () => {
    const leaf1 = findings.find((f) => f.name === "leaf-01" && f.rule === "SW-103");
    expect(leaf1).toMatchObject({ file: "vlab-wiring-prepop.yaml", index: 3, line: 27, path: "/spec/asn" });
  });
});

describe("VPC samples", () => {
  it.each([
    [["hnp-raw-test-vpc.yaml"]],
    [["hnp-raw-test-vpc-2.yaml"]],
    [["hnp-normalized-output/managed-vpcs-test-vpc.yaml"]],
    [["docs-vpcs-dhcp-relay-vpc.yaml"]],
    [["demo-gitops-env-1-pre-demo.yaml", "demo-gitops-env-1-demo.yaml"]],
  ])("%j are valid", (files) => {
    const docs = files.flatMap(sample);
    const findings = validateBatch(docs, []);
    expect(hasErrors(findings)).toBe(false);
    // What remains are references to objects that live only in the cluster (connections, the default External).
    for (const f of findings) expect(f.message).toMatch(/is not in the desired set; it must already exist in the cluster$/);
  });

  it("warns about each connection the demo attachments need from the cluster", () => {
    const findings = validateBatch(["demo-gitops-env-1-pre-demo.yaml", "demo-gitops-env-1-demo.yaml"].flatMap(sample), []);
    expect(findings.map((f) => `${f.name} ${f.rule}`)).toEqual([
      "demo-vpc-3--server-3--bundled--s5248-01 VPCATT-203",
      "demo-vpc-1--default EXTPEER-202",
      "demo-vpc-1--server-1--mclag--s5248-01--s5248-02 VPCATT-203",
      "demo-vpc-2--server-4--unbundled--s5248-02 VPCATT-203",
    ]);
  });

  it("finds the demo peering's VPCs only when both demo files are in the set", () => {
    const alone = validateBatch(sample("demo-gitops-env-1-demo.yaml"), []);
    expect(alone.filter((f) => f.rule === "VPCPEER-201").map((f) => f.message)).toEqual([
      "VPC demo-vpc-1 is not in the desired set; it must already exist in the cluster",
      "VPC demo-vpc-2 is not in the desired set; it must already exist in the cluster",
    ]);
    const together = validateBatch(sample("demo-gitops-env-1-demo.yaml"), sample("demo-gitops-env-1-pre-demo.yaml"));
    expect(together.filter((f) => f.rule === "VPCPEER-201")).toEqual([]);
  });
});

describe("HNP output", () => {
  it("rejects the v1alpha2 Connection as an unknown version", () => {
    const findings = validateBatch(sample("hnp-normalized-output/managed-connections-server-03--unbundled--leaf-01.yaml"), []);
    expect(findings).toEqual([
      expect.objectContaining({ rule: "KIND", severity: "error", kind: "Connection", name: "server-03--unbundled--leaf-01", path: "/apiVersion", line: 4 }),
    ]);
    expect(findings[0]?.message).toContain('no version "v1alpha2"');
  });

  it("rejects the JSON manifest as not a resource", () => {
    const findings = validateBatch(sample("hnp-normalized-output/hnp-manifest.yaml"), []);
    expect(findings).toEqual([expect.objectContaining({ rule: "DOCUMENT", severity: "error", message: "apiVersion is missing or not a string" })]);
  });

  it("accepts the managed Switch, whose SwitchGroup comes from the wiring diagram", () => {
    const switchDocs = sample("hnp-normalized-output/managed-switches-leaf-01.yaml");
    expect(rulesOf(validateBatch(switchDocs, []))).toEqual([...HYDRATION, "SW-203"].sort());
    const withWiring = validateBatch(switchDocs, sample("vlab-wiring-prepop.yaml"));
    expect(hasErrors(withWiring)).toBe(false);
    expect(rulesOf(withWiring)).toEqual(HYDRATION);
  });
});
