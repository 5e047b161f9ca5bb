// IP addresses, prefixes and MAC addresses with the semantics the fabric's Go code uses
// (net.ParseIP, net.ParseCIDR, net.ParseMAC): IPv4 and IPv6, IPv4-mapped IPv6 read as IPv4,
// no leading zeros in IPv4 octets, no zones.

export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

export interface IpPrefix {
  /** The address as written (host bits may be set). */
  readonly address: IpAddress;
  readonly length: number;
  /** The address with host bits cleared. */
  readonly network: IpAddress;
}

const IPV4 = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

export function bitsOf(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

function parseIpv4(text: string): bigint | undefined {
  const match = IPV4.exec(text);
  if (!match) return undefined;
  let value = 0n;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(match[i]);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string): bigint[] | undefined => {
    if (part === "") return [];
    const pieces = part.split(":");
    const out: bigint[] = [];
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] ?? "";
      if (i === pieces.length - 1 && piece.includes(".")) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        out.push(v4 >> 16n, v4 & 0xffffn);
      } else {
        if (!HEX_GROUP.test(piece)) return undefined;
        out.push(BigInt(parseInt(piece, 16)));
      }
    }
    return out;
  };
  const head = groupsOf(halves[0] ?? "");
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? "") : [];
  if (!head || !tail) return undefined;
  // An IPv4 tail is only allowed at the very end of the address.
  if (halves.length === 2 && (halves[0] ?? "").includes(".")) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...Array<bigint>(missing).fill(0n), ...tail];
  return groups.reduce((acc, group) => (acc << 16n) | group, 0n);
}

/** A bare address (no /len), or undefined. */
export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  if (!text.includes(":")) return undefined;
  const v6 = parseIpv6(text);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { family: 4, value: v6 & 0xffffffffn };
  return { family: 6, value: v6 };
}

function mask(family: 4 | 6, length: number): bigint {
  const bits = BigInt(bitsOf(family));
  const all = (1n << bits) - 1n;
  return (all << (bits - BigInt(length))) & all;
}

/** "address/length" (host bits allowed), or undefined. An IPv6-written address stays IPv6. */
export function parsePrefix(text: string): IpPrefix | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const lengthText = text.slice(slash + 1);
  if (!/^(0|[1-9]\d{0,2})$/.test(lengthText)) return undefined;
  const raw = text.slice(0, slash);
  const v4 = parseIpv4(raw);
  const v6 = v4 === undefined && raw.includes(":") ? parseIpv6(raw) : undefined;
  const address: IpAddress | undefined =
    v4 !== undefined ? { family: 4, value: v4 } : v6 !== undefined ? { family: 6, value: v6 } : undefined;
  if (!address) return undefined;
  const length = Number(lengthText);
  if (length > bitsOf(address.family)) return undefined;
  return { address, length, network: { family: address.family, value: address.value & mask(address.family, length) } };
}

export function lastAddress(prefix: IpPrefix): IpAddress {
  const all = (1n << BigInt(bitsOf(prefix.network.family))) - 1n;
  return { family: prefix.network.family, value: prefix.network.value | (all & ~mask(prefix.network.family, prefix.length)) };
}

export function offsetAddress(address: IpAddress, offset: number): IpAddress {
  const all = (1n << BigInt(bitsOf(address.family))) - 1n;
  return { family: address.family, value: (address.value + BigInt(offset)) & all };
}

export function sameAddress(a: IpAddress, b: IpAddress): boolean {
  return a.family === b.family && a.value === b.value;
}

export function compareAddress(a: IpAddress, b: IpAddress): number {
  if (a.family !== b.family) return a.family - b.family;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

export function prefixContains(prefix: IpPrefix, address: IpAddress): boolean {
  return (
    prefix.network.family === address.family &&
    (address.value & mask(address.family, prefix.length)) === prefix.network.value
  );
}

export function prefixesOverlap(a: IpPrefix, b: IpPrefix): boolean {
  return prefixContains(a, b.network) || prefixContains(b, a.network);
}

/** Wholly inside: same family, network contained, prefix at least as long. */
export function prefixWithin(inner: IpPrefix, outer: IpPrefix): boolean {
  return inner.length >= outer.length && prefixContains(outer, inner.network);
}

export function isCanonical(prefix: IpPrefix): boolean {
  return prefix.address.value === prefix.network.value;
}

export function formatIp(address: IpAddress): string {
  if (address.family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((address.value >> shift) & 0xffn)).join(".");
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((address.value >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952: compress the longest run (>= 2) of zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/** A MAC address in any form net.ParseMAC accepts, as lowercase colon-separated text; else undefined. */
export function parseMac(text: string): string | undefined {
  let bytes: string[] | undefined;
  const separator = text[2];
  if ((separator === ":" || separator === "-") && (text.length + 1) % 3 === 0) {
    const parts = text.split(separator);
    if (parts.every((part) => /^[0-9a-fA-F]{2}$/.test(part))) bytes = parts;
  } else if (text[4] === "." && (text.length + 1) % 5 === 0) {
    const parts = text.split(".");
    if (parts.every((part) => /^[0-9a-fA-F]{4}$/.test(part))) bytes = parts.flatMap((part) => [part.slice(0, 2), part.slice(2)]);
  }
  if (!bytes || ![6, 8, 20].includes(bytes.length)) return undefined;
  return bytes.map((byte) => byte.toLowerCase()).join(":");
}
