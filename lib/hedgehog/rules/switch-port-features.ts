// Per-port Switch features of newer fabrics (RULES-NEW.md, SW-902..905): spec.portFECs and
// spec.portLocators, checked only where the served Switch schema has them. Source:
// githedgehog/fabric api/wiring/v1beta1/switch_types.go (Switch.Validate, NormalizePortLocator)
// and switchprofile_types.go (GetFECConfigurablePorts); the Hedgehog docs' API reference for the
// value formats.
import { entriesAt, getIn, text, type JsonRecord } from "../object.js";
import { lanesOf, profilePorts, selectedBreakout, usablePortNames } from "./profile-ports.js";
import type { IntrinsicRule, SetRule, Violation } from "./rule.js";

/** The port name meaning "every port of the switch". */
export const ALL_PORTS = "*";

/** A port locator value: empty (5 minutes), a Go duration ("10m", "1h30m"), or an exact UTC time. */
const GO_DURATION = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$|^0$/;
const EXACT_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

export function isPortLocatorValue(value: unknown): boolean {
  return typeof value === "string" && (value === "" || GO_DURATION.test(value) || EXACT_TIME.test(value));
}

/** GetFECConfigurablePorts: the API port names, where a broken-out port is addressed per lane only. */
function fecPorts(profile: JsonRecord, sw: JsonRecord): Set<string> {
  const names = usablePortNames(profile, sw);
  for (const port of profilePorts(profile)) {
    const mode = selectedBreakout(profile, sw, port);
    if (mode !== undefined && (lanesOf(mode) ?? 1) > 1) names.delete(port.name);
  }
  return names;
}

const profileOf = (sw: JsonRecord, set: Parameters<SetRule["check"]>[1]) => set.get("SwitchProfile", text(sw, ["spec", "profile"]));

export const switchPortFeatureRules: readonly IntrinsicRule[] = [
  {
    id: "SW-902",
    kind: "Switch",
    severity: "error",
    requires: { "Switch.spec.portLocators": "present" },
    *check(sw): Generator<Violation> {
      for (const [port, value] of entriesAt(sw, ["spec", "portLocators"])) {
        if (!isPortLocatorValue(value)) {
          yield { path: ["spec", "portLocators", port], message: `port locator "${String(value)}" is not empty, a duration such as 10m, or a UTC time such as 2026-08-05 18:45:47` };
        }
      }
    },
  },
];

export const switchPortFeatureSetRules: readonly SetRule[] = [
  {
    id: "SW-903",
    kind: "Switch",
    severity: "error",
    requires: { "Switch.spec.portFECs": "present" },
    *check(sw, set) {
      const profile = profileOf(sw, set);
      if (!profile) return;
      const allowed = fecPorts(profile, sw);
      for (const [port] of entriesAt(sw, ["spec", "portFECs"])) {
        if (!allowed.has(port)) {
          yield { path: ["spec", "portFECs", port], message: `port ${port} does not support configuring FEC on SwitchProfile ${text(sw, ["spec", "profile"])} (a broken-out port is configured per lane, e.g. E1/53/1)` };
        }
      }
    },
  },
  {
    id: "SW-904",
    kind: "Switch",
    severity: "error",
    requires: { "Switch.spec.portLocators": "present" },
    *check(sw, set) {
      const profile = profileOf(sw, set);
      if (!profile || entriesAt(sw, ["spec", "portLocators"]).length === 0) return;
      if (getIn(profile, ["spec", "features", "portLocator"]) !== true) {
        yield { path: ["spec", "portLocators"], message: `port locators are not supported on SwitchProfile ${text(sw, ["spec", "profile"])}` };
        return;
      }
      const ports = usablePortNames(profile, sw);
      for (const [port] of entriesAt(sw, ["spec", "portLocators"])) {
        if (port !== ALL_PORTS && !ports.has(port)) yield { path: ["spec", "portLocators", port], message: `port ${port} is not a port of SwitchProfile ${text(sw, ["spec", "profile"])}` };
      }
    },
  },
];
