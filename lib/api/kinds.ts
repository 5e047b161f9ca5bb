// Which kind a URL or query means: a Hedgehog kind may be named by Kind, plural, singular or short name.
import { managedKinds } from "../hedgehog/catalog.js";
import type { KindNames } from "./resources.js";

const byName = new Map<string, { kind: string; group: string }>();
for (const info of managedKinds) {
  for (const name of [info.kind, info.plural, info.singular, ...info.shortNames]) byName.set(name.toLowerCase(), { kind: info.kind, group: info.group });
}

export const kindNames: KindNames = { resolve: (name) => byName.get(name.toLowerCase()) };
