// Validation as the cluster does it: defaults, then schema, then rules; findings located and sorted.
import { describe, expect, it } from "vitest";
import { parseDocuments, validateBatch, validateDocument, type Finding } from "../../../lib/hedgehog/index.js";

const validateText = (text: string): Finding[] =>
  validateBatch(parseDocuments(text).map((doc) => ({ ...doc, file: "raw/in.yaml" })), []);

describe("validateDocument", () => {
  it("reports an unknown field as the API server does under strict field validation, with its line", () => {
    const findings = validateText(
      ["apiVersion: vpc.githedgehog.com/v1beta1", "kind: VPC", "metadata:", "  name: vpc-1", "spec:", "  subnets:", "    web:", "      subnet: 10.0.1.0/24", "      vlna: 1001", ""].join("\n"),
    );
    expect(findings).toEqual([
      { file: "raw/in.yaml", index: 0, line: 9, kind: "VPC", name: "vpc-1", path: "/spec/subnets/web/vlna", rule: "SCHEMA", severity: "error", message: 'unknown field "vlna"' },
    ]);
  });

  it("reports types, enums, bounds and required fields from the CRD", () => {
    const findings = validateText(
      [
        "apiVersion: wiring.githedgehog.com/v1beta1",
        "kind: Switch",
        "metadata: {name: s1, labels: {team: 5}}",
        "spec:",
        "  redundancy: {type: vpc}",
        "  linkFlapErrDisable: {flapThreshold: 99}",
        "  asn: 5000000000",
        "",
      ].join("\n"),
    );
    expect(findings.map((f) => `${f.path} ${f.message}`)).toEqual([
      "/metadata/labels/team must be a string",
      "/spec/asn must be a 32-bit integer",
      "/spec/linkFlapErrDisable/flapThreshold must be <= 50",
      "/spec/redundancy/type must be one of: mclag, eslag",
      '/spec/role required field "role" is missing',
    ]);
  });

  it("applies the fabric's defaults before the schema, so what the cluster accepts passes", () => {
    const findings = validateText(
      [
        "apiVersion: vpc.githedgehog.com/v1beta1",
        "kind: VPC",
        "metadata: {name: vpc-1}",
        "spec:",
        "  subnets:",
        "    web: {subnet: 10.0.1.0/24, vlan: 1001, gateway: null, dhcp: {enable: true, options: {pxeURL: 'http://boot'}}}",
        "---",
        "apiVersion: vpc.githedgehog.com/v1beta1",
        "kind: ExternalAttachment",
        "metadata: {name: ea-1}",
        "spec: {external: ext-1, connection: c-1, static: {remoteIP: 10.1.1.1, proxy: true}}",
        "",
      ].join("\n"),
    );
    expect(findings.filter((f) => f.severity === "error")).toEqual([]);
  });

  it("runs the webhook rules only on documents the schema accepts", () => {
    const findings = validateText("apiVersion: vpc.githedgehog.com/v1beta1\nkind: VPC\nmetadata: {name: ext.very-long-name}\nspec: {subnets: {}, extra: 1}\n");
    expect(findings.map((f) => f.rule)).toEqual(["SCHEMA"]);
  });

  it("says nothing about foreign objects, and checks only the schema of unmanaged Hedgehog kinds", () => {
    const findings = validateText(
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {x: y}\n---\napiVersion: gateway.githedgehog.com/v1alpha1\nkind: Gateway\nmetadata: {name: Gateway_1}\nspec: {nope: 1}\n",
    );
    expect(findings.map((f) => `${f.index} ${f.rule} ${f.message}`)).toEqual(['1 SCHEMA unknown field "nope"']);
  });

  it("reports a document that is not a resource", () => {
    expect(validateDocument({ index: 2, line: 7, value: ["a"] }, { file: "raw/x.yaml" })).toEqual([
      { file: "raw/x.yaml", index: 2, line: 7, kind: "", name: "", path: "", rule: "DOCUMENT", severity: "error", message: "document is not a mapping (an object with apiVersion, kind and metadata)" },
    ]);
  });
});

describe("findings", () => {
  const text = [
    "apiVersion: vpc.githedgehog.com/v1beta1",
    "kind: VPC",
    "metadata: {name: Vpc_1}",
    "spec: {subnets: {b: {subnet: 10.0.1.0/24, vlan: 10}, a: {subnet: 10.0.1.0/25, vlan: 10}}}",
    "---",
    "apiVersion: vpc.githedgehog.com/v1beta1",
    "kind: VPCAttachment",
    "metadata: {name: att}",
    "spec: {subnet: Vpc_1/a}",
    "",
  ].join("\n");

  it("are sorted by file, document and field, and identical for identical input", () => {
    const first = validateText(text);
    expect(JSON.stringify(validateText(text))).toBe(JSON.stringify(first));
    const order = first.map((f) => [f.index, f.path, f.rule]);
    expect(order).toEqual([...order].sort((a, b) => (a[0] as number) - (b[0] as number) || String(a[1]).localeCompare(String(b[1])) || String(a[2]).localeCompare(String(b[2]))));
    expect(first.map((f) => `${f.index} ${f.rule}`)).toEqual(["0 COMMON-101", "0 VPC-135", "0 VPC-134", "1 VPCATT-104"]);
  });

  it("do not depend on the order of the batch", () => {
    const docs = parseDocuments(text).map((doc) => ({ ...doc, file: "raw/in.yaml" }));
    expect(validateBatch([...docs].reverse(), [])).toEqual(validateBatch(docs, []));
  });
});
