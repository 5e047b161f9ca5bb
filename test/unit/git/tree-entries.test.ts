import { describe, expect, it } from "vitest";
import { prepareChanges } from "../../../lib/git/changes.js";
import { chunkTreeEntries, inlineText, treeEntries, type TreeRequestEntry } from "../../../lib/git/github/tree-entries.js";

describe("create-tree entries", () => {
  it("sends UTF-8 text inline and everything else as an uploaded blob", () => {
    expect(inlineText(new TextEncoder().encode("kind: VPC\n# ü€\n"))).toBe("kind: VPC\n# ü€\n");
    expect(inlineText(new TextEncoder().encode("\uFEFFwith BOM\r\n"))).toBe("\uFEFFwith BOM\r\n");
    expect(inlineText(Uint8Array.from([0xc3, 0x28]))).toBeNull();
    expect(inlineText(Uint8Array.from([0x61, 0x00, 0x62]))).toBeNull();
  });

  it("deletes by null sha, reuses blobs the repository holds, uploads binary", () => {
    const changes = prepareChanges([
      { path: "gone.yaml", content: null },
      { path: "moved.yaml", content: "known\n" },
      { path: "new.yaml", content: "new\n" },
      { path: "image.bin", content: Uint8Array.from([0, 1, 2]) },
    ]);
    const known = changes.find((change) => change.path === "moved.yaml") as { sha: string };
    const { entries, uploads } = treeEntries(changes, (sha) => sha === known.sha);
    expect(entries).toEqual([
      { path: "gone.yaml", mode: "100644", type: "blob", sha: null },
      { path: "image.bin", mode: "100644", type: "blob", sha: uploads[0]?.sha },
      { path: "moved.yaml", mode: "100644", type: "blob", sha: known.sha },
      { path: "new.yaml", mode: "100644", type: "blob", content: "new\n" },
    ]);
    expect(uploads.map((upload) => upload.path)).toEqual(["image.bin"]);
  });

  it("splits entries into requests within the byte and entry budgets, in order", () => {
    const entries: TreeRequestEntry[] = Array.from({ length: 10 }, (_, i) => ({ path: `f${i}`, mode: "100644", type: "blob", content: "x".repeat(100) }));
    const bySize = chunkTreeEntries(entries, { maxBytes: 500, maxEntries: 100 });
    expect(bySize.map((chunk) => chunk.length)).toEqual([3, 3, 3, 1]);
    expect(bySize.flat()).toEqual(entries);
    expect(chunkTreeEntries(entries, { maxBytes: 1e9, maxEntries: 4 }).map((chunk) => chunk.length)).toEqual([4, 4, 2]);
    expect(chunkTreeEntries([entries[0] as TreeRequestEntry], { maxBytes: 10, maxEntries: 1 })).toEqual([[entries[0]]]);
  });
});
