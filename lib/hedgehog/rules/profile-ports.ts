// Reading a SwitchProfile's ports the way the Switch and Connection SET rules need them: which
// port profile a port has, which breakout is selected on a switch, which port names are usable.
import { entriesAt, getIn, isRecord, recordAt, stringAt, type JsonRecord } from "../object.js";

export interface ProfilePort {
  readonly name: string;
  readonly management: boolean;
  readonly profile: string;
  readonly group: string;
  readonly pipeline: string;
}

export function profilePorts(profile: JsonRecord): ProfilePort[] {
  return entriesAt(profile, ["spec", "ports"]).map(([name, port]) => ({
    name,
    management: getIn(port, ["management"]) === true,
    profile: stringAt(port, ["profile"]) ?? "",
    group: stringAt(port, ["group"]) ?? "",
    pipeline: stringAt(port, ["pipeline"]) ?? "",
  }));
}

export function portProfileNamed(profile: JsonRecord, name: string): JsonRecord | undefined {
  return name === "" ? undefined : recordAt(profile, ["spec", "portProfiles", name]);
}

/** Lanes of a breakout mode "<n>x<speed>", or undefined when it is not of that form. */
export function lanesOf(mode: string): number | undefined {
  const match = /^(\d+)x/.exec(mode);
  return match ? Number(match[1]) : undefined;
}

/** The breakout a switch selects on a breakout port: its portBreakouts entry or the profile default. */
export function selectedBreakout(profile: JsonRecord, sw: JsonRecord, port: ProfilePort): string | undefined {
  const breakout = recordAt(portProfileNamed(profile, port.profile), ["breakout"]);
  if (!breakout) return undefined;
  return stringAt(sw, ["spec", "portBreakouts", port.name]) ?? stringAt(breakout, ["default"]);
}

/** Port names a Connection may use on this switch: M<n>, direct E<a>/<p>, and for breakout ports the alias and its lanes. */
export function usablePortNames(profile: JsonRecord, sw: JsonRecord): Set<string> {
  const names = new Set<string>();
  for (const port of profilePorts(profile)) {
    names.add(port.name);
    const mode = selectedBreakout(profile, sw, port);
    const lanes = mode === undefined ? undefined : lanesOf(mode);
    for (let lane = 1; lane <= (lanes ?? 0); lane++) names.add(`${port.name}/${lane}`);
  }
  return names;
}

export function hasBlock(portProfile: JsonRecord | undefined, block: "speed" | "breakout"): boolean {
  return isRecord(getIn(portProfile, [block]));
}
