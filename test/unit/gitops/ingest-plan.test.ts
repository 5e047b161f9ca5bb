import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { gitBlobSha } from "../../../lib/git/blob-sha.js";
import { planIngestion, type IngestInput } from "../../../lib/gitops/ingest-plan.js";
import { planInit } from "../../../lib/gitops/layout.js";

const DIR = "gitops/hedgehog/f";
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), "utf8");
const vpc = (name: string, vlan: number, subnet = `10.${vlan % 250}.0.0/24`) =>
  `apiVersion: vpc.githedgehog.com/v1beta1\nkind: VPC\nmetadata:\n  name: ${name}\nspec:\n  subnets:\n    default:\n      subnet: ${subnet}\n      vlan: ${vlan}\n`;

function snapshot(files: Record<string, string | { symlink: string }>, extra: Partial<IngestInput> = {}): IngestInput {
  const blobs = new Map<string, Uint8Array>();
  const entries = Object.entries(files).map(([path, content]) => {
    const bytes = new TextEncoder().encode(typeof content === "string" ? content : content.symlink);
    const sha = gitBlobSha(bytes);
    blobs.set(sha, bytes);
    return { path, sha, mode: typeof content === "string" ? "100644" : "120000" };
  });
  return { directory: DIR, entries, blobs, keepOriginals: false, ...extra };
}

const paths = (plan: ReturnType<typeof planIngestion>) => plan.changes.map((c) => `${c.content === null ? "-" : "+"} ${c.path.slice(DIR.length + 1)}`);
const text = (plan: ReturnType<typeof planIngestion>, path: string) => {
  const c = plan.changes.find((x) => x.path === `${DIR}/${path}`)?.content;
  return typeof c === "string" ? c : c ? new TextDecoder().decode(c) : undefined;
};

describe("planIngestion", () => {
  it("routes every document of a mixed file: managed, unmanaged, errors — and moves the source", () => {
    const mixed = [vpc("vpc-1", 1001), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n", vpc("BAD_NAME", 1002)].join("---\n");
    const plan = planIngestion(snapshot({ "raw/mixed.yaml": mixed }));
    expect(paths(plan)).toEqual(["+ managed/vpcs/vpc-1.yaml", "- raw/mixed.yaml", "+ raw/errors/mixed.yaml", "+ raw/errors/mixed.yaml.errors.txt", "+ unmanaged/external-configs/mixed.yaml"].sort((a, b) => (a.slice(2) < b.slice(2) ? -1 : 1)));
    expect(text(plan, "raw/errors/mixed.yaml")).toContain("BAD_NAME");
    expect(text(plan, "raw/errors/mixed.yaml")).not.toContain("vpc-1");
    expect(text(plan, "raw/errors/mixed.yaml.errors.txt")).toMatch(/document 2 \(line \d+\) VPC BAD_NAME: \/metadata\/name \[COMMON-101\]/);
    expect(text(plan, "unmanaged/external-configs/mixed.yaml")).toContain("kind: ConfigMap");
    expect(plan.sources).toEqual([{ path: `${DIR}/raw/mixed.yaml`, outcomes: { managed: 1, unmanaged: 1, error: 1 }, fileError: null }]);
    expect(plan.message).toBe(`hedgehog-gitops: ingest 1 file from ${DIR}/raw\n\nmanaged:   1 written (1 new, 0 updated), 0 unchanged\nunmanaged: 1 document to unmanaged/external-configs/\nerrors:    1 document to raw/errors/\n`);
  });

  it("is deterministic: the same snapshot gives byte-identical changes", () => {
    const input = snapshot({ "raw/wiring.yaml": fixture("hedgehog/samples/vlab-wiring-prepop.yaml"), "raw/pending/vpc.yaml": vpc("vpc-1", 1001) });
    expect(JSON.stringify(planIngestion(input))).toBe(JSON.stringify(planIngestion(input)));
    expect(planIngestion(input).counts).toMatchObject({ created: 47, errors: 0 });
  });

  it("plans nothing when nothing changed: no commit", () => {
    const first = planIngestion(snapshot({ "raw/vpc.yaml": vpc("vpc-1", 1001) }));
    const managed = text(first, "managed/vpcs/vpc-1.yaml")!;
    const second = planIngestion(snapshot({ "managed/vpcs/vpc-1.yaml": managed }));
    expect(second.changes).toEqual([]);
    expect(second.resources.map((r) => r.id)).toEqual(["vpc.githedgehog.com/VPC/default/vpc-1"]);
  });

  it("replaces an existing resource, never duplicates it, even if it lived under another file name", () => {
    const plan = planIngestion(snapshot({ "managed/vpcs/old-name.yaml": vpc("vpc-1", 1001), "raw/vpc.yaml": vpc("vpc-1", 1005) }));
    expect(paths(plan)).toEqual(["- managed/vpcs/old-name.yaml", "+ managed/vpcs/vpc-1.yaml", "- raw/vpc.yaml"]);
    expect(plan.counts).toMatchObject({ created: 0, updated: 1 });
  });

  it("sends both copies of a resource defined twice in one batch to raw/errors, naming both sources", () => {
    const plan = planIngestion(snapshot({ "raw/a.yaml": vpc("vpc-1", 1001), "raw/b.yaml": vpc("vpc-1", 1002, "10.2.0.0/24") }));
    expect(plan.changes.some((c) => c.path.includes("/managed/"))).toBe(false);
    expect(text(plan, "raw/errors/a.yaml.errors.txt")).toContain(`${DIR}/raw/b.yaml`);
    expect(text(plan, "raw/errors/b.yaml.errors.txt")).toContain(`${DIR}/raw/a.yaml`);
  });

  it("keepOriginals moves the source to raw/processed/ instead of deleting it", () => {
    const plan = planIngestion(snapshot({ "raw/pending/vpc.yaml": vpc("vpc-1", 1001) }, { keepOriginals: true }));
    expect(paths(plan)).toEqual(["+ managed/vpcs/vpc-1.yaml", "- raw/pending/vpc.yaml", "+ raw/processed/pending/vpc.yaml"]);
    expect(text(plan, "raw/processed/pending/vpc.yaml")).toBe(vpc("vpc-1", 1001));
  });

  it("whole-file failures keep the bytes: unparsable, empty, over the limit", () => {
    const plan = planIngestion(
      snapshot({ "raw/broken.yaml": "a: [1, 2\n", "raw/empty.yaml": "# only a comment\n", "raw/big.yaml": vpc("vpc-1", 1001) }, { limits: { maxBytes: 100 } }),
    );
    expect(text(plan, "raw/errors/broken.yaml")).toBe("a: [1, 2\n");
    expect(text(plan, "raw/errors/empty.yaml.errors.txt")).toMatch(/holds no document/);
    expect(text(plan, "raw/errors/big.yaml.errors.txt")).toMatch(/larger than 100 bytes/);
    expect(plan.changes.filter((c) => c.content === null).map((c) => c.path.slice(DIR.length + 1))).toEqual(["raw/big.yaml", "raw/broken.yaml", "raw/empty.yaml"]);
  });

  it("never follows a symlink: reports it and leaves it, so the report is stable", () => {
    const plan = planIngestion(snapshot({ "raw/link.yaml": { symlink: "/etc/passwd" } }));
    expect(paths(plan)).toEqual(["+ raw/errors/link.yaml.errors.txt"]);
    expect(text(plan, "raw/errors/link.yaml.errors.txt")).toMatch(/symbolic link; it is not read/);
  });

  it("applies CONFIG rules only with the fabric's settings", () => {
    const files = { "raw/vpc.yaml": vpc("vpc-1", 1001, "10.99.0.0/24") };
    expect(planIngestion(snapshot(files)).counts.errors).toBe(0);
    const plan = planIngestion(snapshot(files, { settings: { reservedSubnets: ["10.99.0.0/16"] } }));
    expect(plan.counts.errors).toBe(1);
    expect(text(plan, "raw/errors/vpc.yaml.errors.txt")).toContain("[VPC-110]");
  });

  it("validates hand-edited managed files: an invalid one is reported, not dropped", () => {
    const plan = planIngestion(snapshot({ "managed/vpcs/vpc-1.yaml": vpc("vpc-1", 0) }));
    expect(plan.changes).toEqual([]);
    expect(plan.resources).toHaveLength(1);
    expect(plan.resources[0]!.errors.join()).toMatch(/VPC-115/);
    expect(plan.resources[0]!.object).toBeNull();
  });
});

describe("planIngestion: never harm the fabric (issue #12)", () => {
  const ID = "vpc.githedgehog.com/VPC/default/vpc-1";
  const identity = { id: ID, group: "vpc.githedgehog.com", apiVersion: "vpc.githedgehog.com/v1beta1", kind: "VPC", namespace: "default", name: "vpc-1" };
  const tabbed = vpc("vpc-1", 1001).replace("  name: vpc-1", "\tname: vpc-1");

  it("keeps the resources of a managed file that no longer parses: known from the records, or from the file's place", () => {
    const recorded = new Map([[`${DIR}/managed/vpcs/odd-place.yaml`, [identity]]]);
    const fromRecord = planIngestion(snapshot({ "managed/vpcs/odd-place.yaml": tabbed, "managed/vpcs/vpc-2.yaml": vpc("vpc-2", 1002) }, { recorded }));
    expect(fromRecord.resources.map((r) => [r.id, r.object === null, r.errors.length > 0])).toEqual([
      [ID, true, true],
      ["vpc.githedgehog.com/VPC/default/vpc-2", false, false],
    ]);
    expect(fromRecord.resources[0]!.errors[0]).toMatch(/odd-place\.yaml: .*tab/i);
    expect(fromRecord.unreadable).toEqual([{ path: `${DIR}/managed/vpcs/odd-place.yaml`, message: expect.any(String), ids: [ID] }]);
    expect(fromRecord.changes).toEqual([]);
    // No record: its canonical path names it.
    const fromPath = planIngestion(snapshot({ "managed/vpcs/vpc-1.yaml": tabbed }));
    expect(fromPath.unreadable[0]!.ids).toEqual([ID]);
    expect(fromPath.resources.map((r) => r.id)).toEqual([ID]);
    // Neither: unknown, which holds back every prune (see planReconcile).
    expect(planIngestion(snapshot({ "managed/vpcs/Odd_Place.yaml": tabbed })).unreadable[0]!.ids).toEqual([]);
  });

  it("holds back a managed file that is oversized, empty, misnamed or mistyped, but not a foreign document", () => {
    const plan = planIngestion(
      snapshot(
        {
          "managed/vpcs/vpc-1.yaml": vpc("vpc-1", 1001) + "#".repeat(300),
          "managed/vpcs/vpc-2.yaml": "# emptied\n",
          "managed/vpcs/vpc-3.yaml": vpc("VPC_3", 1003),
          "managed/vpcs/vpc-4.yaml": vpc("vpc-4", 1004).replace("v1beta1", "v1beta9"),
          "managed/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
        },
        { limits: { maxBytes: 250 } },
      ),
    );
    expect(plan.unreadable.map((u) => [u.path.slice(DIR.length + 1), u.ids.map((id) => id.split("/").pop())])).toEqual([
      ["managed/vpcs/vpc-1.yaml", ["vpc-1"]],
      ["managed/vpcs/vpc-2.yaml", ["vpc-2"]],
      ["managed/vpcs/vpc-3.yaml", ["vpc-3"]],
      ["managed/vpcs/vpc-4.yaml", ["vpc-4"]],
    ]);
    expect(plan.managedProblems.map((p) => p.path.slice(DIR.length + 1))).toContain("managed/configmap.yaml");
    expect(plan.resources.every((r) => r.object === null && r.errors.length === 1)).toBe(true);
  });

  it("refuses a document whose normalized form would be over the file size limit", () => {
    const flow = `apiVersion: vpc.githedgehog.com/v1beta1\nkind: VPC\nmetadata: {name: vpc-1}\nspec: {subnets: {${Array.from({ length: 12 }, (_, i) => `s${i}: {subnet: 10.${i}.0.0/24, vlan: ${1000 + i}}`).join(", ")}}}\n`;
    const plan = planIngestion(snapshot({ "raw/flow.yaml": flow }, { limits: { maxBytes: flow.length + 10 } }));
    expect(plan.changes.some((c) => c.path.includes("/managed/"))).toBe(false);
    expect(text(plan, "raw/errors/flow.yaml.errors.txt")).toMatch(/normalized it is \d+ bytes, more than the \d+-byte limit/);
  });

  it("reports and skips entries whose names git cannot use, in raw/errors/ under a safe name", () => {
    const input = snapshot({ "raw/ok.yaml": vpc("vpc-1", 1001) });
    const entries = [...input.entries, { path: "raw/back\\slash.yaml", sha: "b".repeat(40), mode: "100644", unsafe: "contains a backslash" }, { path: "managed/vpcs/x\\y.yaml", sha: "c".repeat(40), mode: "100644", unsafe: "contains a backslash" }];
    const plan = planIngestion({ ...input, entries });
    const written = paths(plan);
    expect(written.filter((p) => p.includes("back"))).toEqual([expect.stringMatching(/^\+ raw\/errors\/back_slash~[0-9a-f]{8}\.yaml\.errors\.txt$/)]);
    expect(plan.changes.every((c) => !c.path.includes("\\"))).toBe(true);
    expect(plan.unsafeEntries.map((u) => u.path.slice(DIR.length + 1))).toEqual(["managed/vpcs/x\\y.yaml", "raw/back\\slash.yaml"]);
    expect(plan.sources.find((s) => s.path.endsWith("slash.yaml"))?.fileError).toMatch(/backslash/);
    // The unsafe managed file's resources are unknown: prune is held back.
    expect(plan.unreadable).toEqual([{ path: `${DIR}/managed/vpcs/x\\y.yaml`, message: expect.stringMatching(/backslash/), ids: [] }]);
    expect(plan.resources.map((r) => r.id)).toEqual([ID]);
  });

  it("shortens long output names to at most 200 bytes with a hash, the copy and its reasons side by side", () => {
    const long = `${"a".repeat(245)}.yaml`;
    const plan = planIngestion(snapshot({ [`raw/${long}`]: "a: [1\n", [`raw/pending/${"é".repeat(120)}.yaml`]: "b: [2\n" }, { keepOriginals: true }));
    const names = plan.changes.filter((c) => c.content !== null).map((c) => c.path.split("/").pop()!);
    expect(names).toHaveLength(4);
    for (const name of names) expect(new TextEncoder().encode(name).byteLength).toBeLessThanOrEqual(200);
    const copy = names.find((n) => n.startsWith("aaa") && n.endsWith(".yaml"))!;
    expect(copy).toMatch(/^a+~[0-9a-f]{8}\.yaml$/);
    expect(names).toContain(`${copy}.errors.txt`);
    // Rejected whole: not also copied to raw/processed/.
    expect(plan.changes.some((c) => c.path.includes("/raw/processed/"))).toBe(false);
  });

  it("accepts identical duplicates once, with a warning naming both files; different content stays an error for both", () => {
    const same = planIngestion(snapshot({ "raw/a.yaml": vpc("vpc-1", 1001), "raw/b.yaml": vpc("vpc-1", 1001) }));
    expect(paths(same)).toEqual(["+ managed/vpcs/vpc-1.yaml", "- raw/a.yaml", "- raw/b.yaml"]);
    expect(same.counts).toMatchObject({ created: 1, errors: 0 });
    expect(same.resources).toHaveLength(1);
    expect(same.resources[0]!.importedFrom).toBe(`${DIR}/raw/a.yaml`);
    expect(same.resources[0]!.warnings.join()).toMatch(new RegExp(`also defined, identically, in ${DIR}/raw/b.yaml.*taken once`));
    const different = planIngestion(snapshot({ "raw/a.yaml": vpc("vpc-1", 1001), "raw/b.yaml": vpc("vpc-1", 1002, "10.2.0.0/24") }));
    expect(different.counts).toMatchObject({ created: 0, errors: 2 });
  });

  it("removes what an earlier rejection left in raw/errors/ once the file is ingested cleanly", () => {
    const earlier = planIngestion(snapshot({ "raw/vpc.yaml": vpc("vpc-1", 0) }));
    expect(paths(earlier)).toEqual(["+ raw/errors/vpc.yaml", "+ raw/errors/vpc.yaml.errors.txt", "- raw/vpc.yaml"]);
    const leftovers = Object.fromEntries(earlier.changes.filter((c) => c.content !== null).map((c) => [c.path.slice(DIR.length + 1), String(c.content)]));
    const fixed = planIngestion(snapshot({ ...leftovers, "raw/vpc.yaml": vpc("vpc-1", 1001) }));
    expect(paths(fixed)).toEqual(["+ managed/vpcs/vpc-1.yaml", "- raw/errors/vpc.yaml", "- raw/errors/vpc.yaml.errors.txt", "- raw/vpc.yaml"]);
  });

  it("keepOriginals copies a partly rejected file to raw/processed/, but not one rejected whole", () => {
    const partly = [vpc("vpc-1", 1001), vpc("vpc-2", 0)].join("---\n");
    const plan = planIngestion(snapshot({ "raw/partly.yaml": partly, "raw/whole.yaml": vpc("vpc-3", 0) }, { keepOriginals: true }));
    expect(paths(plan).filter((p) => p.includes("processed"))).toEqual(["+ raw/processed/partly.yaml"]);
  });
});

describe("planInit", () => {
  it("creates only what is missing, and nothing on a complete layout", () => {
    const all = planInit("f", DIR, new Set());
    expect(all.map((c) => c.path.slice(DIR.length + 1))).toEqual([
      "managed/README.md",
      "managed/metadata/directory-info.json",
      "raw/README.md",
      "raw/errors/.gitkeep",
      "raw/pending/.gitkeep",
      "raw/processed/.gitkeep",
      "unmanaged/README.md",
      "unmanaged/external-configs/.gitkeep",
      "unmanaged/manual-overrides/.gitkeep",
    ]);
    const existing = new Set(all.map((c) => c.path.slice(DIR.length + 1)));
    expect(planInit("f", DIR, existing)).toEqual([]);
    // A folder with content needs no .gitkeep; a user's README stays as it is.
    existing.delete("raw/pending/.gitkeep");
    existing.add("raw/pending/vpc.yaml");
    expect(planInit("f", DIR, existing)).toEqual([]);
  });
});
