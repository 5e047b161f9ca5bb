import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RESOURCE_STATES, SEVERITY_ORDER, compareSeverity, isResourceState, rollUp, severityOf } from "../../../lib/state/index.js";
import type { ResourceState } from "../../../lib/state/index.js";

describe("severity", () => {
  it("orders synced < committed < pending < draft < drifted < orphaned", () => {
    const shuffled: ResourceState[] = ["orphaned", "draft", "synced", "drifted", "pending", "committed"];
    expect(shuffled.sort(compareSeverity)).toEqual(["synced", "committed", "pending", "draft", "drifted", "orphaned"]);
    expect(SEVERITY_ORDER).toEqual(["synced", "committed", "pending", "draft", "drifted", "orphaned"]);
  });

  it("ranks every state once", () => {
    expect([...RESOURCE_STATES].map(severityOf).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(() => severityOf("bogus" as ResourceState)).toThrow(TypeError);
  });

  it("recognizes states", () => {
    expect(RESOURCE_STATES.every(isResourceState)).toBe(true);
    expect(isResourceState("forgotten")).toBe(false);
    expect(isResourceState(3)).toBe(false);
  });
});

describe("rollUp", () => {
  it("shows the most severe state", () => {
    expect(rollUp(["synced", "synced", "pending", "committed"])).toBe("pending");
    expect(rollUp(["synced", "drifted", "draft"])).toBe("drifted");
    expect(rollUp(["orphaned", "synced"])).toBe("orphaned");
    expect(rollUp(new Set<ResourceState>(["committed"]))).toBe("committed");
  });

  it("has nothing to report for no resources", () => {
    expect(rollUp([])).toBeUndefined();
  });

  it("is the maximum under the comparator, whatever the order", () => {
    const state = fc.constantFrom(...RESOURCE_STATES);
    fc.assert(
      fc.property(fc.array(state, { minLength: 1 }), (states) => {
        const worst = rollUp(states);
        expect(states).toContain(worst);
        for (const s of states) expect(compareSeverity(s, worst as ResourceState)).toBeLessThanOrEqual(0);
        expect(rollUp([...states].reverse())).toBe(worst);
      }),
    );
  });
});
