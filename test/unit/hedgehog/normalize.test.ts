// Normalized managed/ files: fixed shape, what the user wrote, byte-stable.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeResource, parseDocuments, serializeResource } from "../../../lib/hedgehog/index.js";
import { sample, VPC_API } from "./documents.js";

const roundTrip = (value: unknown) => serializeResource(normalizeResource(parseDocuments(serializeResource(normalizeResource(value)))[0]?.value));

describe("normalizeResource + serializeResource", () => {
  const fromCluster = {
    status: { vni: 100 },
    spec: { vlanNamespace: "default", subnets: { web: { vlan: 1001, subnet: "10.0.1.0/24" } } },
    metadata: {
      uid: "6f1c",
      annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}", "z.example.com/note": "second", "a.example.com/note": "first" },
      managedFields: [{ manager: "kubectl" }],
      resourceVersion: "42",
      generation: 3,
      creationTimestamp: "2025-01-01T00:00:00Z",
      ownerReferences: [{ kind: "X" }],
      finalizers: ["f"],
      labels: { team: "blue", app: "web" },
      name: "vpc-1",
    },
    kind: "VPC",
    apiVersion: VPC_API,
  };

  it("writes apiVersion, kind, metadata{name, namespace, labels, annotations}, spec, and nothing server-set", () => {
    expect(serializeResource(normalizeResource(fromCluster))).toBe(
      [
        "apiVersion: vpc.githedgehog.com/v1beta1",
        "kind: VPC",
        "metadata:",
        "  name: vpc-1",
        "  namespace: default",
        "  labels:",
        "    app: web",
        "    team: blue",
        "  annotations:",
        "    a.example.com/note: first",
        "    z.example.com/note: second",
        "spec:",
        "  subnets:",
        "    web:",
        "      subnet: 10.0.1.0/24",
        "      vlan: 1001",
        "  vlanNamespace: default",
        "",
      ].join("\n"),
    );
  });

  it("keeps what the user wrote, not the defaulted form", () => {
    const [doc] = sample("hnp-raw-test-vpc.yaml");
    const normalized = normalizeResource(doc?.value);
    expect(normalized["spec"]).toEqual({ subnets: { "test-subnet": { gateway: "10.0.1.1", subnet: "10.0.1.0/24", vlan: 1001 } } });
  });

  it("gives the same bytes however the author ordered keys", () => {
    const a = { apiVersion: VPC_API, kind: "VPC", metadata: { name: "v" }, spec: { b: 1, a: { y: 2, x: [3, 1] } } };
    const b = { spec: { a: { x: [3, 1], y: 2 }, b: 1 }, metadata: { name: "v" }, kind: "VPC", apiVersion: VPC_API };
    expect(serializeResource(normalizeResource(a))).toBe(serializeResource(normalizeResource(b)));
  });

  it("keeps list order, nulls and explicit zero values", () => {
    const value = { apiVersion: VPC_API, kind: "VPCPeering", metadata: { name: "p" }, spec: { permit: [{ "vpc-2": null, "vpc-1": { subnets: ["b", "a"] } }], vlan: 0, enable: false } };
    expect(normalizeResource(value)["spec"]).toEqual({ enable: false, permit: [{ "vpc-1": { subnets: ["b", "a"] }, "vpc-2": null }], vlan: 0 });
  });

  it("quotes strings that YAML 1.1 readers such as kubectl would turn into other types", () => {
    const text = serializeResource(normalizeResource({ apiVersion: "v1", kind: "X", metadata: { name: "x", labels: { on: "yes", port: "22:30", n: "010" } } }));
    expect(text).toContain('"on": "yes"');
    expect(text).toContain('port: "22:30"');
    expect(text).toContain(`"n": "010"`);
    expect(parseDocuments(text)[0]?.value).toMatchObject({ metadata: { labels: { on: "yes", port: "22:30", n: "010" } } });
  });

  it("round-trips every sample document byte for byte", () => {
    const files = ["vlab-wiring-prepop.yaml", "demo-gitops-env-1-demo.yaml", "demo-gitops-env-1-pre-demo.yaml", "docs-vpcs-dhcp-relay-vpc.yaml", "hnp-normalized-output/managed-switches-leaf-01.yaml"];
    for (const doc of files.flatMap(sample)) expect(roundTrip(doc.value)).toBe(serializeResource(normalizeResource(doc.value)));
  });

  it("is idempotent on generated resources", () => {
    const text = fc.string({ maxLength: 12 });
    const resource = fc.record(
      {
        apiVersion: fc.constantFrom(VPC_API, "wiring.githedgehog.com/v1beta1", "v1"),
        kind: fc.constantFrom("VPC", "Switch", "ConfigMap"),
        metadata: fc.record(
          {
            name: text,
            namespace: fc.constantFrom("", "default", "other"),
            labels: fc.dictionary(text, text),
            annotations: fc.dictionary(text, text),
            uid: text,
            resourceVersion: text,
          },
          { requiredKeys: ["name"] },
        ),
        spec: fc.jsonValue({ maxDepth: 5 }),
        status: fc.jsonValue({ maxDepth: 2 }),
      },
      { requiredKeys: ["apiVersion", "kind", "metadata"] },
    );
    fc.assert(
      fc.property(resource, (value) => roundTrip(value) === serializeResource(normalizeResource(value))),
      { numRuns: 300 },
    );
  });
});
