// Fabric settings and the address parsing the rules rely on.
import { describe, expect, it } from "vitest";
import { hedgehogSettingsSchema } from "../../../lib/hedgehog/index.js";
import { formatIp, lastAddress, parseIp, parseMac, parsePrefix, prefixesOverlap } from "../../../lib/hedgehog/net.js";
import { settings } from "./documents.js";

describe("hedgehogSettingsSchema", () => {
  it("accepts a complete FabricConfig excerpt and an empty one", () => {
    expect(hedgehogSettingsSchema.parse(settings)).toEqual(settings);
    expect(hedgehogSettingsSchema.parse({})).toEqual({});
  });

  it.each([
    [{ reservedSubnets: ["10.0.0.0"] }],
    [{ fabricMode: "mesh" }],
    [{ vpcIRBVLANRange: [{ from: 10, to: 5 }] }],
    [{ leafASNStart: 0 }],
    [{ unknownKey: true }],
  ])("rejects %j", (value) => {
    expect(hedgehogSettingsSchema.safeParse(value).success).toBe(false);
  });
});

describe("addresses", () => {
  it.each([["10.0.0.1", true], ["010.0.0.1", false], ["256.0.0.1", false], ["::1", true], ["2001:db8::1:2", true], ["::ffff:10.0.0.1", true], ["1::2::3", false], ["10.0.0.1/24", false], ["", false]])(
    "parses %j as an IP: %s",
    (text, ok) => {
      expect(parseIp(text) !== undefined).toBe(ok);
    },
  );

  it("reads IPv4-mapped IPv6 as IPv4, like the fabric's Go code", () => {
    expect(parseIp("::ffff:10.0.0.1")).toEqual(parseIp("10.0.0.1"));
  });

  it("keeps host bits of a prefix and masks them for the network", () => {
    const prefix = parsePrefix("10.0.1.7/24");
    expect(prefix && [formatIp(prefix.address), formatIp(prefix.network), formatIp(lastAddress(prefix))]).toEqual(["10.0.1.7", "10.0.1.0", "10.0.1.255"]);
    expect(parsePrefix("10.0.0.0/33")).toBeUndefined();
    expect(parsePrefix("2001:db8::/32")?.length).toBe(32);
  });

  it("formats IPv6 in RFC 5952 form", () => {
    expect(formatIp(parseIp("2001:0db8:0000:0000:0000:0000:0000:0001")!)).toBe("2001:db8::1");
  });

  it("detects overlap only within a family", () => {
    expect(prefixesOverlap(parsePrefix("10.0.0.0/8")!, parsePrefix("10.1.0.0/16")!)).toBe(true);
    expect(prefixesOverlap(parsePrefix("10.0.0.0/16")!, parsePrefix("10.1.0.0/16")!)).toBe(false);
  });

  it.each([["00-AA-bb-CC-dd-EE", "00:aa:bb:cc:dd:ee"], ["0000.5e00.5301", "00:00:5e:00:53:01"], ["02:00:5e:10:00:00:00:01", "02:00:5e:10:00:00:00:01"], ["00:aa:bb:cc:dd", undefined], ["00:aa-bb:cc:dd:ee", undefined]])(
    "canonicalizes the MAC %j",
    (text, canonical) => {
      expect(parseMac(text)).toBe(canonical);
    },
  );
});
