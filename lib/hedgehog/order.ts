// Apply order as data (DESIGN §4): what a resource references is applied before it. Deletion runs
// the table backwards.
import { compareText, stringAt } from "./object.js";

/** Tiers, first applied first; kinds within a tier keep this order too. */
const APPLY_TIERS: readonly (readonly string[])[] = [
  ["SwitchProfile", "ServerProfile", "IPv4Namespace", "VLANNamespace"],
  ["SwitchGroup"],
  ["Switch", "Server"],
  ["Connection"],
  ["VPC", "External"],
  ["VPCAttachment", "VPCPeering", "ExternalAttachment", "ExternalPeering"],
];

const position = new Map(APPLY_TIERS.flat().map((kind, i) => [kind, i]));

/** Rank of a kind in the apply order; kinds outside the table come after all of them. */
export function applyOrderOf(kind: string): number {
  return position.get(kind) ?? position.size;
}

export interface OrderedResource {
  readonly kind: string;
  readonly metadata?: { readonly namespace?: string; readonly name?: string };
}

/** Apply order, then kind, namespace and name, so that every list sorts the same way. */
export function compareApplyOrder(a: OrderedResource, b: OrderedResource): number {
  return (
    applyOrderOf(a.kind) - applyOrderOf(b.kind) ||
    compareText(a.kind, b.kind) ||
    compareText(stringAt(a, ["metadata", "namespace"]) || "default", stringAt(b, ["metadata", "namespace"]) || "default") ||
    compareText(stringAt(a, ["metadata", "name"]) ?? "", stringAt(b, ["metadata", "name"]) ?? "")
  );
}

/** Deletion order: the exact reverse of the apply order. */
export function compareDeleteOrder(a: OrderedResource, b: OrderedResource): number {
  return compareApplyOrder(b, a);
}
