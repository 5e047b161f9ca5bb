import { describe, expect, it } from "vitest";
import { classify, KubeHttpError } from "../../../lib/cluster/client.js";
import { diffResource } from "../../../lib/cluster/diff.js";
import { ClusterRejectedError, ClusterUnavailableError } from "../../../lib/cluster/errors.js";
import { planReconcile } from "../../../lib/cluster/reconcile-plan.js";
import type { DesiredResource } from "../../../lib/gitops/ingest-plan.js";
import { settle } from "../../../lib/pipeline/reconcile-stage.js";
import type { ResourceRecord } from "../../../lib/pipeline/resource-model.js";

const vpcObject = (vlan: number) => ({
  apiVersion: "vpc.githedgehog.com/v1beta1",
  kind: "VPC",
  metadata: { name: "vpc-1", namespace: "default" },
  spec: { subnets: { default: { subnet: "10.0.1.0/24", gateway: "10.0.1.1", vlan } } },
});

describe("diffResource", () => {
  it("ignores what only the cluster has, and defaults Git leaves out", () => {
    const live = {
      ...vpcObject(1001),
      metadata: { name: "vpc-1", namespace: "default", uid: "u", resourceVersion: "7", managedFields: [], labels: { "fabric.githedgehog.com/ipv4ns": "default" } },
      spec: { ...vpcObject(1001).spec, ipv4Namespace: "default", vlanNamespace: "default" },
      status: { ready: true },
    };
    expect(diffResource(vpcObject(1001), live)).toEqual([]);
  });

  it("reports each field Git sets that differs, with both values", () => {
    expect(diffResource(vpcObject(1001), vpcObject(1002))).toEqual([{ path: "/spec/subnets/default/vlan", desired: 1001, live: 1002 }]);
  });

  it("reports our annotation when the live object lacks it", () => {
    const desired = { ...vpcObject(1001), metadata: { name: "vpc-1", namespace: "default", annotations: { "hedgehog-gitops/tracking-id": "f:x" } } };
    expect(diffResource(desired, vpcObject(1001))).toEqual([{ path: "/metadata/annotations/hedgehog-gitops~1tracking-id", desired: "f:x", absent: "live" }]);
  });
});

describe("settle (the state table over one pass)", () => {
  it.each([
    [null, ["cluster-only"], "orphaned"],
    ["committed", ["cluster-missing", "apply-sent", "cluster-matches"], "synced"],
    ["synced", ["cluster-differs"], "drifted"],
    ["drifted", ["cluster-differs", "apply-sent", "cluster-matches"], "synced"],
    ["synced", ["removed-from-git", "cluster-only"], "orphaned"],
    ["synced", ["removed-from-git", "cluster-only", "pruned"], "forgotten"],
    ["committed", ["removed-from-git", "cluster-missing"], "forgotten"],
    ["committed", ["removed-from-git", "cluster-only"], "orphaned"],
    ["orphaned", ["cluster-missing"], "forgotten"],
  ] as const)("%s + %j → %s", (from, observations, expected) => {
    expect(settle(from, observations)).toBe(expected);
  });

  it("refuses a pass the table forbids", () => {
    expect(() => settle("synced", ["apply-sent"])).toThrow(/never re-applied/);
  });
});

describe("cluster errors", () => {
  const api = (code: number, message: string) => new KubeHttpError(code, JSON.stringify({ kind: "Status", message }), "x");
  it.each([
    [422, "VPC.vpc.githedgehog.com \"x\" is invalid", ClusterRejectedError],
    [403, "admission webhook denied the request", ClusterRejectedError],
    [500, "failed to create typed patch object (default/x; vpc.githedgehog.com/v1beta1, Kind=VPC): .spec.foo: field not declared in schema", ClusterRejectedError],
    [500, "etcdserver: request timed out", ClusterUnavailableError],
    [429, "too many requests", ClusterUnavailableError],
    [503, "unavailable", ClusterUnavailableError],
  ])("%i %s", (code, message, family) => {
    const error = classify(api(code, message), "apply VPC x");
    expect(error).toBeInstanceOf(family);
    expect(error.message).toContain(message);
  });
});

describe("planReconcile", () => {
  const desired = (name: string, vlan: number): DesiredResource => ({
    id: `vpc.githedgehog.com/VPC/default/${name}`,
    group: "vpc.githedgehog.com",
    apiVersion: "vpc.githedgehog.com/v1beta1",
    kind: "VPC",
    namespace: "default",
    name,
    path: `d/managed/vpcs/${name}.yaml`,
    blobSha: "a".repeat(40),
    importedFrom: null,
    written: false,
    errors: [],
    warnings: [],
    object: { ...vpcObject(vlan), metadata: { name, namespace: "default" } },
  });
  const record = (name: string, state: ResourceRecord["state"], inGit = true): ResourceRecord => ({
    id: `vpc.githedgehog.com/VPC/default/${name}`,
    group: "vpc.githedgehog.com",
    apiVersion: "vpc.githedgehog.com/v1beta1",
    kind: "VPC",
    namespace: "default",
    name,
    state,
    source: "git",
    inGit,
    gitFilePath: null,
    gitBlobSha: null,
    gitCommitSha: null,
    importedFrom: null,
    contentHash: null,
    error: null,
    warnings: [],
    drift: [],
  });
  const F = { id: "f", uid: "0123456789abcdef" };
  const tracked = (name: string, owner = `f@${F.uid}`) => ({
    ...vpcObject(1001),
    metadata: { name, namespace: "default", annotations: { "hedgehog-gitops/tracking-id": `${owner}:vpc.githedgehog.com/VPC:default/${name}` } },
  });

  it("observe mode never plans a write", () => {
    const plan = planReconcile({ fabric: F, mode: "observe", prune: true, desired: [desired("a", 1001)], records: new Map(), live: new Map([["VPC", []]]) });
    expect(plan.applies).toEqual([]);
    expect(plan.prunes).toEqual([]);
    expect(plan.items[0]!.observations).toEqual(["cluster-missing"]);
  });

  it("prunes only our own tracked orphans, and only when asked, never untracked or another fabric's", () => {
    const live = new Map([["VPC", [tracked("gone"), tracked("theirs", "other@fedcba9876543210"), { ...vpcObject(1001), metadata: { name: "hand", namespace: "default" } }, tracked("a")]]]);
    const records = new Map([[record("gone", "synced", false).id, record("gone", "synced", false)]]);
    const input = { fabric: F, mode: "apply" as const, desired: [desired("a", 1001)], records, live };
    expect(planReconcile({ ...input, prune: false }).prunes).toEqual([]);
    const plan = planReconcile({ ...input, prune: true });
    expect(plan.prunes.map((i) => i.name)).toEqual(["gone"]);
    expect(plan.items.map((i) => i.name).sort()).toEqual(["a", "gone", "hand"]);
    expect(plan.items.find((i) => i.name === "hand")).toMatchObject({ source: "cluster", action: "none", observations: ["cluster-only"] });
  });

  it("never prunes when the desired set is empty, and says why", () => {
    const live = new Map([["VPC", [tracked("gone")]]]);
    const records = new Map([[record("gone", "synced", false).id, record("gone", "synced", false)]]);
    const plan = planReconcile({ fabric: F, mode: "apply", prune: true, desired: [], records, live });
    expect(plan.prunes).toEqual([]);
    expect(plan.pruneSkipped).toMatch(/desired set is empty/);
  });

  it("never prunes what an earlier registration of the same name applied, but reports it", () => {
    // Fabric f deleted and registered again: the first registration's objects carry its uid.
    const live = new Map([["VPC", [tracked("old", "f@aaaaaaaaaaaaaaaa"), tracked("a")]]]);
    const plan = planReconcile({ fabric: F, mode: "apply", prune: true, desired: [desired("a", 1001)], records: new Map(), live });
    expect(plan.prunes).toEqual([]);
    expect(plan.items.find((i) => i.name === "old")).toMatchObject({ source: "cluster", action: "none", observations: ["cluster-only"] });
  });

  it("an object annotated before registration uids is re-annotated in apply mode, quietly kept in observe mode, never pruned", () => {
    const legacy = (name: string) => ({ ...vpcObject(1001), metadata: { name, namespace: "default", annotations: { "hedgehog-gitops/tracking-id": `f:vpc.githedgehog.com/VPC:default/${name}` } } });
    const live = new Map([["VPC", [legacy("vpc-1"), legacy("gone")]]]);
    const gone = record("gone", "synced", false);
    const input = { fabric: F, prune: true, desired: [desired("vpc-1", 1001)], records: new Map([[gone.id, gone]]), live };
    const observed = planReconcile({ ...input, mode: "observe" });
    expect(observed.items.find((i) => i.name === "vpc-1")).toMatchObject({ observations: ["cluster-matches"], drift: [], action: "none" });
    const applied = planReconcile({ ...input, mode: "apply" });
    expect(applied.applies.map((i) => i.name)).toEqual(["vpc-1"]);
    expect(applied.applies[0]!.desired).toMatchObject({ metadata: { annotations: { "hedgehog-gitops/tracking-id": `f@${F.uid}:vpc.githedgehog.com/VPC:default/vpc-1` } } });
    expect(applied.prunes).toEqual([]);
  });

  it("never prunes a resource whose managed file is unreadable; an unknown one holds back every prune", () => {
    const held: DesiredResource = { ...desired("a", 1001), errors: ["d/managed/vpcs/a.yaml: line 3: tab indentation"], object: null };
    const live = new Map([["VPC", [tracked("a"), tracked("b"), tracked("gone")]]]);
    const records = new Map(
      [record("a", "synced"), record("gone", "synced", false), { ...record("b", "synced"), gitFilePath: "d/managed/vpcs/b.yaml" }].map((r) => [r.id, r]),
    );
    const input = { fabric: F, mode: "apply" as const, prune: true, desired: [held, desired("c", 1003)], records, live };
    // b's file is unreadable but (say) its record was missed by the planner: the file path still protects it.
    const plan = planReconcile({ ...input, unreadable: [{ path: "d/managed/vpcs/a.yaml", message: "tab", ids: [held.id] }, { path: "d/managed/vpcs/b.yaml", message: "cut", ids: [] }] });
    expect(plan.prunes).toEqual([]);
    expect(plan.pruneSkipped).toMatch(/d\/managed\/vpcs\/b\.yaml cannot be read as resources and what it defined is unknown/);
    const known = planReconcile({ ...input, unreadable: [{ path: "d/managed/vpcs/a.yaml", message: "tab", ids: [held.id] }] });
    expect(known.pruneSkipped).toBeNull();
    expect(known.prunes.map((i) => i.name).sort()).toEqual(["b", "gone"]);
    expect(known.items.find((i) => i.name === "a")).toMatchObject({ action: "none", desired: null });
    const byPath = planReconcile({ ...input, unreadable: [{ path: "d/managed/vpcs/a.yaml", message: "tab", ids: [held.id] }, { path: "d/managed/vpcs/b.yaml", message: "cut", ids: [records.get("vpc.githedgehog.com/VPC/default/b")!.id] }] });
    expect(byPath.prunes.map((i) => i.name)).toEqual(["gone"]);
  });
});
