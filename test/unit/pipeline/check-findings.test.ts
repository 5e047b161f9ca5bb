import { describe, expect, it } from "vitest";
import { newFindings } from "../../../lib/pipeline/check-findings.js";
import type { Finding } from "../../../lib/hedgehog/index.js";

const f = (over: Partial<Finding>): Finding => ({ file: "fab/managed/switches/leaf-01.yaml", index: 0, line: 5, kind: "Switch", name: "leaf-01", path: "/spec/asn", rule: "SW-103", severity: "warning", message: "ASN is not set yet", ...over });

describe("what a pull request adds", () => {
  it("leaves out findings the branch has (whatever their line), and counts them", () => {
    const base = [f({}), f({ name: "leaf-02", file: "fab/managed/switches/leaf-02.yaml" })];
    const head = [f({ line: 9 }), f({ name: "leaf-02", file: "fab/managed/switches/leaf-02.yaml" }), f({ rule: "VPC-206", file: "fab/raw/vpc.yaml", severity: "error" })];
    expect(newFindings(head, base)).toEqual({ findings: [head[2]], preexisting: 2 });
  });

  it("counts repeats: a second identical finding is new", () => {
    expect(newFindings([f({}), f({})], [f({})])).toEqual({ findings: [f({})], preexisting: 1 });
  });

  it("a finding that changed severity or message is new", () => {
    expect(newFindings([f({ severity: "error" }), f({ message: "other" })], [f({})]).findings).toHaveLength(2);
  });
});
