// Strict spec drift: both ways, with absence told apart from JSON null, zero values treated as
// absence (RULES.md §16), and the fields the fabric writes itself never reported.
import { describe, expect, it } from "vitest";
import { diffResource, fieldsToRemove, isZeroValue } from "../../../lib/cluster/diff.js";
import { SERVER_WRITTEN_FIELDS } from "../../../lib/hedgehog/index.js";
import { servedCatalog, v0129FixtureCrds } from "../../support/crd-sets.js";

const v0129 = servedCatalog(v0129FixtureCrds);
const vpc = (subnet: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  apiVersion: "vpc.githedgehog.com/v1beta1",
  kind: "VPC",
  metadata: { name: "vpc-1", namespace: "default" },
  spec: { subnets: { web: { subnet: "10.0.1.0/24", gateway: "10.0.1.1", vlan: 1001, ...subnet } }, ...extra },
});
const leaf = (spec: Record<string, unknown> = {}) => ({
  apiVersion: "wiring.githedgehog.com/v1beta1",
  kind: "Switch",
  metadata: { name: "leaf-1", namespace: "default" },
  spec: { role: "server-leaf", profile: "vs", ...spec },
});

describe("diffResource, strict on spec", () => {
  it("reports a field only the cluster has, with desired absent (not null)", () => {
    const drift = diffResource(vpc({}), vpc({ isolated: true }));
    expect(drift).toEqual([{ path: "/spec/subnets/web/isolated", live: true, absent: "desired" }]);
    expect(drift[0]).not.toHaveProperty("desired");
    expect(JSON.parse(JSON.stringify(drift))).toEqual([{ path: "/spec/subnets/web/isolated", live: true, absent: "desired" }]);
  });

  it("reports a field only Git has, with live absent", () => {
    expect(diffResource(vpc({}, { defaultIsolated: true }), vpc({}))).toEqual([{ path: "/spec/defaultIsolated", desired: true, absent: "live" }]);
  });

  it("tells an explicit null apart from absence", () => {
    const live = vpc({});
    (live.spec as Record<string, unknown>)["permit"] = null;
    // The API server prunes a null of a non-nullable field; withDefaults does the same, so nothing differs.
    expect(diffResource(vpc({}), live)).toEqual([]);
    // A null the schema keeps (a map entry) is a value: reported as such, not as absence.
    const drift = diffResource(leaf({ portSpeeds: { "E1/1": null } }), leaf({ portSpeeds: { "E1/1": "25G" } }));
    expect(drift).toEqual([{ path: "/spec/portSpeeds/E1~11", desired: null, live: "25G" }]);
    expect(drift[0]).not.toHaveProperty("absent");
  });

  it("treats a zero value on one side and absence on the other as equal (RULES.md §16)", () => {
    expect(diffResource(vpc({}), vpc({ dhcp: {}, isolated: false }, { permit: [] }))).toEqual([]);
    expect(diffResource(vpc({ dhcp: { enable: false } }), vpc({}))).toEqual([]);
    expect([0, "", false, [], {}, { a: { b: [] } }, null].every(isZeroValue)).toBe(true);
    expect([1, "x", true, [0], { a: 1 }].some(isZeroValue)).toBe(false);
  });

  it("compares lists whole and in order", () => {
    const routes = (...prefixes: string[]) => vpc({}, { staticRoutes: prefixes.map((prefix) => ({ prefix, nextHops: ["10.0.1.254"] })) });
    expect(diffResource(routes("10.1.0.0/16", "10.2.0.0/16"), routes("10.2.0.0/16", "10.1.0.0/16"))).toHaveLength(1);
  });

  it("never reports what the fabric writes: a portLocators expiry rewritten to an absolute time, the ports summary annotation", () => {
    expect(SERVER_WRITTEN_FIELDS.map((f) => `${f.kind} ${f.path.join(".")}`)).toEqual(["Switch spec.portLocators", "SwitchProfile metadata.annotations.fabric.githedgehog.com/ports"]);
    expect(diffResource(leaf({ portLocators: { "E1/1": "10m" } }), leaf({ portLocators: { "E1/1": "2026-11-29 10:20:00" } }), { catalog: v0129 })).toEqual([]);
    expect(diffResource(leaf({ portLocators: { "E1/1": "10m" } }), leaf({}), { catalog: v0129 })).toEqual([]);
    expect(diffResource(leaf({}), leaf({ portLocators: { "*": "2026-11-29 10:20:00" } }), { catalog: v0129 })).toEqual([]);
    const profile = (ports: string) => ({
      apiVersion: "wiring.githedgehog.com/v1beta1",
      kind: "SwitchProfile",
      metadata: { name: "p", namespace: "default", annotations: { "fabric.githedgehog.com/ports": ports } },
      spec: { displayName: "P" },
    });
    expect(diffResource(profile("48x25G, 8x100G"), profile("8x100G, 48x25G"))).toEqual([]);
  });

  it("removes only what the live object really holds (a default derived from a removed field goes with it)", () => {
    const live = vpc({ dhcp: { enable: true } });
    const drift = diffResource(vpc({}), live);
    expect(drift.map((d) => d.path)).toEqual(["/spec/subnets/web/dhcp/enable", "/spec/subnets/web/dhcp/range"]);
    expect(fieldsToRemove(drift, live)).toEqual(["/spec/subnets/web/dhcp/enable"]);
  });
});
