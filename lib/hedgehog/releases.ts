// The CRD sets bundled with the engine, by release name (lib/hedgehog/crds, rendered by `npm run
// crds`). A separate module so that the fabric settings schema can name them without pulling the CRDs
// into every bundle that validates settings; the catalog refuses to load when the two disagree.

/** The default first: v0.126.0, the release RULES.md describes. */
export const BUNDLED_RELEASES = ["v0.126.0", "v0.126.0-15-g78827deb"] as const;

export type BundledRelease = (typeof BUNDLED_RELEASES)[number];
