// SwitchProfile rules (RULES.md §14). SwitchProfiles are normally controller-owned; the built-in
// ones exist in every cluster without being in Git.
import { arrayAt, entriesAt, getIn, isRecord, stringsAt, text, type JsonRecord, type Path } from "../object.js";
import { isBuiltinSwitchProfile } from "./desired-set.js";
import type { IntrinsicRule, SetRule, Violation } from "./rule.js";

const NOS_TYPES = [
  "sonic-bcm-base",
  "sonic-bcm-campus",
  "sonic-bcm-vs",
  "sonic-cls-plus-broadcom",
  "sonic-cls-plus-marvell",
  "sonic-cls-plus-vs",
  "cumulus-vx",
  "cumulus-mlx",
];
const SPEEDS = ["1G", "2.5G", "5G", "10G", "20G", "25G", "40G", "50G", "100G", "200G", "400G", "800G"];
const BREAKOUT_LANES = ["1", "2", "4", "8"];

interface PortView {
  readonly name: string;
  readonly path: Path;
  readonly body: JsonRecord;
  readonly management: boolean;
}

function portsOf(profile: JsonRecord): PortView[] {
  return entriesAt(profile, ["spec", "ports"])
    .filter((entry): entry is [string, JsonRecord] => isRecord(entry[1]))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, body]) => ({ name, path: ["spec", "ports", name], body, management: body["management"] === true }));
}

const dataPorts = (profile: JsonRecord) => portsOf(profile).filter((port) => !port.management);
const portProfileOf = (profile: JsonRecord, port: PortView) => {
  const name = text(port.body, ["profile"]);
  return name === "" ? undefined : getIn(profile, ["spec", "portProfiles", name]);
};
const isBreakoutPort = (profile: JsonRecord, port: PortView) => isRecord(getIn(portProfileOf(profile, port), ["breakout"]));

function rule(id: string, check: (profile: JsonRecord) => Iterable<Violation>): IntrinsicRule {
  return { id, kind: "SwitchProfile", severity: "error", check };
}

function* required(profile: JsonRecord, field: string): Generator<Violation> {
  if (text(profile, ["spec", field]) === "") yield { path: ["spec", field], message: `${field} is required` };
}

/** A field whose values must be unique across ports (SWP-106 nos/baseNOSName, SWP-109 label). */
function* uniqueAcrossPorts(ports: readonly PortView[], field: string, what: string): Generator<Violation> {
  const owner = new Map<string, string>();
  for (const port of ports) {
    const value = text(port.body, [field]);
    if (value === "") continue;
    const first = owner.get(value);
    if (first !== undefined) yield { path: [...port.path, field], message: `${what} ${value} of port ${port.name} is also used by port ${first}` };
    else owner.set(value, port.name);
  }
}

function* supportedSet(
  path: Path,
  block: JsonRecord,
  supported: readonly string[],
  valid: (value: string) => boolean,
  what: string,
): Generator<Violation> {
  const fallback = text(block, ["default"]);
  if (fallback === "") yield { path: [...path, "default"], message: `${what} default is required` };
  if (supported.length === 0) yield { path: [...path, "supported"], message: `${what} supported list must not be empty` };
  else if (fallback !== "" && !supported.includes(fallback)) yield { path: [...path, "default"], message: `${what} default ${fallback} is not in the supported list` };
  for (const value of supported) if (!valid(value)) yield { path: [...path, "supported"], message: `${what} "${value}" is invalid` };
}

export const switchProfileRules: readonly IntrinsicRule[] = [
  rule("SWP-101", (p) => required(p, "displayName")),
  rule("SWP-102", function* (p) {
    const names = stringsAt(p, ["spec", "otherNames"]);
    if (names.length > 5) yield { path: ["spec", "otherNames"], message: `at most 5 otherNames, found ${names.length}` };
    if (names.includes("")) yield { path: ["spec", "otherNames"], message: "otherNames must not contain an empty name" };
    if (new Set(names).size !== names.length) yield { path: ["spec", "otherNames"], message: "otherNames must not repeat a name" };
  }),
  rule("SWP-103", (p) => required(p, "switchSilicon")),
  rule("SWP-104", function* (p) {
    const nos = text(p, ["spec", "nosType"]);
    if (nos === "") yield { path: ["spec", "nosType"], message: "nosType is required" };
    else if (!NOS_TYPES.includes(nos)) yield { path: ["spec", "nosType"], message: `nosType "${nos}" is not one of ${NOS_TYPES.join(", ")}` };
  }),
  rule("SWP-105", (p) => required(p, "platform")),
  rule("SWP-106", function* (p) {
    const ports = portsOf(p);
    for (const port of ports) {
      if (port.name.length < 2) yield { path: port.path, message: `port name "${port.name}" is too short` };
      if (text(port.body, ["nos"]) === "") yield { path: [...port.path, "nos"], message: `port ${port.name} needs a NOS name` };
    }
    yield* uniqueAcrossPorts(ports, "nos", "NOS name");
    yield* uniqueAcrossPorts(ports, "baseNOSName", "base NOS name");
  }),
  rule("SWP-107", function* (p) {
    for (const port of portsOf(p).filter((port) => port.management)) {
      if (!/^M[1-9]\d*$/.test(port.name)) yield { path: port.path, message: `management port ${port.name} must be named M<n>` };
      if (!/^Management(0|[1-9]\d*)$/.test(text(port.body, ["nos"]))) yield { path: [...port.path, "nos"], message: `management port ${port.name} needs a NOS name Management<n>` };
      if (!/^eth(0|[1-9]\d*)$/.test(text(port.body, ["oniePortName"]))) yield { path: [...port.path, "oniePortName"], message: `management port ${port.name} needs an oniePortName eth<n>` };
      for (const field of ["group", "profile", "baseNOSName"]) {
        if (text(port.body, [field]) !== "") yield { path: [...port.path, field], message: `management port ${port.name} cannot have a ${field}` };
      }
    }
  }),
  rule("SWP-108", function* (p) {
    for (const port of dataPorts(p)) {
      if (!/^E[1-9]\d*\/[1-9]\d*$/.test(port.name)) yield { path: port.path, message: `data port ${port.name} must be named E<asic>/<port> with positive numbers` };
    }
  }),
  rule("SWP-109", function* (p) {
    const ports = dataPorts(p);
    for (const port of ports) if (text(port.body, ["label"]) === "") yield { path: [...port.path, "label"], message: `data port ${port.name} needs a label` };
    yield* uniqueAcrossPorts(ports, "label", "label");
  }),
  rule("SWP-110", function* (p) {
    for (const port of dataPorts(p)) {
      const hasProfile = text(port.body, ["profile"]) !== "";
      const hasGroup = text(port.body, ["group"]) !== "";
      if (hasProfile === hasGroup) yield { path: port.path, message: `data port ${port.name} needs exactly one of profile and group` };
    }
  }),
  rule("SWP-111", function* (p) {
    for (const port of dataPorts(p)) {
      const name = text(port.body, ["profile"]);
      if (name !== "" && getIn(p, ["spec", "portProfiles", name]) === undefined) yield { path: [...port.path, "profile"], message: `port ${port.name} uses port profile ${name}, which is not defined` };
    }
  }),
  rule("SWP-112", function* (p) {
    for (const port of dataPorts(p).filter((port) => isBreakoutPort(p, port))) {
      if (!/^1\/\d+$/.test(text(port.body, ["nos"]))) yield { path: [...port.path, "nos"], message: `breakout port ${port.name} needs a NOS name 1/<n>` };
      if (!/^Ethernet(0|[1-9]\d*)$/.test(text(port.body, ["baseNOSName"]))) yield { path: [...port.path, "baseNOSName"], message: `breakout port ${port.name} needs a baseNOSName Ethernet<n>` };
    }
  }),
  rule("SWP-113", function* (p) {
    for (const port of dataPorts(p)) {
      const pipeline = text(port.body, ["pipeline"]);
      if (pipeline === "") continue;
      if (getIn(p, ["spec", "pipelines", pipeline]) === undefined) yield { path: [...port.path, "pipeline"], message: `port ${port.name} uses pipeline ${pipeline}, which is not defined` };
      else if (!isBreakoutPort(p, port)) yield { path: [...port.path, "pipeline"], message: `port ${port.name} has a pipeline but is not a breakout port` };
    }
  }),
  rule("SWP-114", function* (p) {
    for (const port of dataPorts(p).filter((port) => !isBreakoutPort(p, port))) {
      if (!/^Ethernet(0|[1-9]\d*)$/.test(text(port.body, ["nos"]))) yield { path: [...port.path, "nos"], message: `data port ${port.name} needs a NOS name Ethernet<n>` };
    }
  }),
  rule("SWP-115", function* (p) {
    for (const port of dataPorts(p)) {
      const group = text(port.body, ["group"]);
      if (group !== "" && getIn(p, ["spec", "portGroups", group]) === undefined) yield { path: [...port.path, "group"], message: `port ${port.name} uses port group ${group}, which is not defined` };
    }
  }),
  rule("SWP-116", function* (p) {
    const used = new Set(dataPorts(p).map((port) => text(port.body, ["group"])));
    for (const [name, group] of entriesAt(p, ["spec", "portGroups"])) {
      const path = ["spec", "portGroups", name];
      const profileName = text(group, ["profile"]);
      const portProfile = getIn(p, ["spec", "portProfiles", profileName]);
      if (!used.has(name)) yield { path, message: `port group ${name} is not used by any port` };
      if (!/^[1-9]\d*$/.test(text(group, ["nos"]))) yield { path: [...path, "nos"], message: `port group ${name} needs a NOS name that is a positive integer` };
      if (profileName === "") yield { path: [...path, "profile"], message: `port group ${name} needs a profile` };
      else if (portProfile === undefined) yield { path: [...path, "profile"], message: `port group ${name} uses port profile ${profileName}, which is not defined` };
      else if (!isRecord(getIn(portProfile, ["speed"]))) yield { path: [...path, "profile"], message: `port group ${name} needs a speed profile` };
      else if (getIn(portProfile, ["autoNegAllowed"]) === true) yield { path: [...path, "profile"], message: `port group ${name}'s profile must not allow auto-negotiation` };
    }
  }),
  rule("SWP-117", function* (p) {
    const used = new Set([
      ...dataPorts(p).map((port) => text(port.body, ["profile"])),
      ...entriesAt(p, ["spec", "portGroups"]).map(([, group]) => text(group, ["profile"])),
    ]);
    for (const [name] of entriesAt(p, ["spec", "portProfiles"])) {
      if (!used.has(name)) yield { path: ["spec", "portProfiles", name], message: `port profile ${name} is not used by any port or group` };
    }
  }),
  rule("SWP-118", function* (p) {
    for (const [name, profile] of entriesAt(p, ["spec", "portProfiles"])) {
      const path = ["spec", "portProfiles", name];
      if (isRecord(getIn(profile, ["speed"])) === isRecord(getIn(profile, ["breakout"]))) yield { path, message: `port profile ${name} needs exactly one of speed and breakout` };
      if (getIn(profile, ["autoNegDefault"]) === true && getIn(profile, ["autoNegAllowed"]) !== true) {
        yield { path: [...path, "autoNegDefault"], message: `port profile ${name} defaults auto-negotiation on without allowing it` };
      }
    }
  }),
  rule("SWP-119", function* (p) {
    for (const [name, profile] of entriesAt(p, ["spec", "portProfiles"])) {
      const speed = getIn(profile, ["speed"]);
      if (isRecord(speed)) yield* supportedSet(["spec", "portProfiles", name, "speed"], speed, stringsAt(speed, ["supported"]), (v) => SPEEDS.includes(v), "speed");
    }
  }),
  rule("SWP-120", function* (p) {
    for (const [name, profile] of entriesAt(p, ["spec", "portProfiles"])) {
      const breakout = getIn(profile, ["breakout"]);
      if (!isRecord(breakout)) continue;
      const path = ["spec", "portProfiles", name, "breakout"];
      const modes = entriesAt(breakout, ["supported"]);
      yield* supportedSet(
        path,
        breakout,
        modes.map(([mode]) => mode),
        (mode) => {
          const [lanes, speed, ...rest] = mode.split("x");
          return rest.length === 0 && BREAKOUT_LANES.includes(lanes ?? "") && SPEEDS.includes(speed ?? "");
        },
        "breakout mode",
      );
      for (const [mode, body] of modes) {
        if ((arrayAt(body, ["offsets"]) ?? []).length === 0) yield { path: [...path, "supported", mode], message: `breakout mode ${mode} needs at least one offset` };
      }
    }
  }),
  rule("SWP-121", function* (p) {
    for (const [name, pipeline] of entriesAt(p, ["spec", "pipelines"])) {
      if (name === "") yield { path: ["spec", "pipelines", name], message: "a pipeline needs a name" };
      const maxPorts = getIn(pipeline, ["maxPorts"]);
      if (typeof maxPorts !== "number" || maxPorts <= 0) yield { path: ["spec", "pipelines", name, "maxPorts"], message: `pipeline ${name} needs maxPorts greater than 0` };
    }
  }),
];

export const switchProfileSetRules: readonly SetRule[] = [
  {
    id: "SWP-201",
    kind: "SwitchProfile",
    severity: "error",
    needs: ["allowExtraSwitchProfiles"],
    *check(profile, _set, settings) {
      const name = text(profile, ["metadata", "name"]);
      if (settings.allowExtraSwitchProfiles !== true && !isBuiltinSwitchProfile(name, settings)) {
        yield { path: ["metadata", "name"], message: `SwitchProfile ${name} is not built in, and this fabric does not allow extra switch profiles` };
      }
    },
  },
  {
    // The built-in definitions are not shipped with the CRDs, so equality cannot be checked offline.
    id: "SWP-202",
    kind: "SwitchProfile",
    severity: "warning",
    *check(profile, _set, settings) {
      const name = text(profile, ["metadata", "name"]);
      if (isBuiltinSwitchProfile(name, settings)) {
        yield { path: ["spec"], message: `${name} is a built-in SwitchProfile; the fabric rejects any spec that differs from its built-in definition` };
      }
    },
  },
];
