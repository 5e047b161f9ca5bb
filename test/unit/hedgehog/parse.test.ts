// Splitting files into documents, and the limits that keep hostile input cheap.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DocumentParseError, LimitExceededError, parseDocuments } from "../../../lib/hedgehog/index.js";
import { measureDocuments } from "../../../lib/hedgehog/parse.js";

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("parseDocuments", () => {
  it("splits a multi-document file, keeping each document's index and starting line", () => {
    const docs = parseDocuments("# header\n---\na: 1\n---\n# only a comment\n---\n\n---\nb: [2]\n");
    expect(docs.map((d) => [d.index, d.line, d.value])).toEqual([
      [0, 3, { a: 1 }],
      [3, 9, { b: [2] }],
    ]);
  });

  it("reads JSON, tab-indented or not", () => {
    expect(parseDocuments('{\n\t"kind": "VPC",\n\t"spec": {"vlan": 10}\n}\n')[0]?.value).toEqual({ kind: "VPC", spec: { vlan: 10 } });
  });

  it("reads YAML 1.2: yes, on and 0c:20 stay strings", () => {
    expect(parseDocuments("a: yes\nb: on\nc: 0c:20:12:ff:00:00\nd: 010\n")[0]?.value).toEqual({ a: "yes", b: "on", c: "0c:20:12:ff:00:00", d: 10 });
  });

  it("returns nothing for an empty or comment-only file", () => {
    expect(parseDocuments("")).toEqual([]);
    expect(parseDocuments("# nothing here\n---\n# still nothing\n")).toEqual([]);
  });

  it("accepts bytes, and drops a UTF-8 byte order mark", () => {
    expect(parseDocuments(new TextEncoder().encode("\uFEFFname: é\n"))[0]?.value).toEqual({ name: "é" });
  });

  it("rejects a duplicate key, naming its line", () => {
    const error = thrown(() => parseDocuments("a: 1\nspec:\n  vlan: 1\n  vlan: 2\n"));
    expect(error).toBeInstanceOf(DocumentParseError);
    expect((error as DocumentParseError).line).toBe(4);
    expect((error as Error).message).toBe('line 4, column 3: duplicate key "vlan" (first at line 3)');
  });

  it("treats keys that become the same property as duplicates", () => {
    expect(thrown(() => parseDocuments('spec: {1: a, "1": b}\n'))).toBeInstanceOf(DocumentParseError);
    expect(thrown(() => parseDocuments("- {a: 1}\n- {a: 2}\n"))).toBeUndefined();
  });

  it("rejects broken syntax with the line of the problem", () => {
    const error = thrown(() => parseDocuments("a: 1\nb: [1, 2\nc: 3\n"));
    expect(error).toBeInstanceOf(DocumentParseError);
    expect((error as Error).message).toMatch(/^line \d+, column \d+: /);
  });

  it("rejects bytes that are not UTF-8", () => {
    expect(thrown(() => parseDocuments(new Uint8Array([0x61, 0x3a, 0x20, 0xff, 0xfe])))).toBeInstanceOf(DocumentParseError);
  });

  it("keeps the line of every field for findings", () => {
    const [doc] = parseDocuments("kind: VPC\nspec:\n  subnets:\n    web:\n      vlan: 10\n");
    expect(doc?.lineOf?.(["spec", "subnets", "web", "vlan"])).toBe(5);
    expect(doc?.lineOf?.(["spec", "subnets", "web", "gateway"])).toBe(4);
    expect(doc?.lineOf?.(["spec", "nope"])).toBe(2);
  });
});

describe("parse limits", () => {
  const limit = (error: unknown) => (error instanceof LimitExceededError ? error.limit : error);

  it("refuses a file above the size limit, counted in UTF-8 bytes", () => {
    expect(limit(thrown(() => parseDocuments("a: " + "x".repeat(1024 * 1024))))).toBe("maxBytes");
    expect(limit(thrown(() => parseDocuments("a: ééé", { maxBytes: 8 })))).toBe("maxBytes");
    expect(parseDocuments("a: éé", { maxBytes: 8 })).toHaveLength(1);
    expect(limit(thrown(() => parseDocuments(new Uint8Array(20), { maxBytes: 10 })))).toBe("maxBytes");
  });

  it("refuses more documents than allowed, empty ones included", () => {
    expect(parseDocuments("---\na: 1\n".repeat(1000))).toHaveLength(1000);
    expect(limit(thrown(() => parseDocuments("---\na: 1\n".repeat(1001))))).toBe("maxDocuments");
    expect(limit(thrown(() => parseDocuments("---\n---\n---\n", { maxDocuments: 2 })))).toBe("maxDocuments");
  });

  it("refuses an alias bomb", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]", ...["b", "c", "d", "e", "f", "g", "h"].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${"abcdefg"[i]}`).join(", ")}]`)].join("\n");
    const error = thrown(() => parseDocuments(bomb));
    expect(limit(error)).toBe("maxAliasCount");
    expect((error as Error).message).toContain("line 1");
  });

  it("allows a few aliases, and none when maxAliasCount is 0", () => {
    expect(parseDocuments("a: &x {v: 1}\nb: *x\n")[0]?.value).toEqual({ a: { v: 1 }, b: { v: 1 } });
    expect(limit(thrown(() => parseDocuments("a: &x 1\nb: *x\n", { maxAliasCount: 0 })))).toBe("maxAliasCount");
  });

  it("refuses nesting deeper than the limit, in flow and block style", () => {
    expect(limit(thrown(() => parseDocuments("[".repeat(500_000))))).toBe("maxDepth");
    expect(limit(thrown(() => parseDocuments("- ".repeat(200) + "x\n")))).toBe("maxDepth");
    const block = Array.from({ length: 100 }, (_, i) => "  ".repeat(i) + "k:").join("\n") + " 1\n";
    expect(limit(thrown(() => parseDocuments(block)))).toBe("maxDepth");
    expect(parseDocuments(block, { maxDepth: 200 })).toHaveLength(1);
  });

  it("rejects limits that are not non-negative integers", () => {
    expect(() => parseDocuments("a: 1", { maxDepth: -1 })).toThrow(RangeError);
  });
});

describe("parseDocuments on generated input", () => {
  const typed = (run: () => unknown) => {
    const error = thrown(run);
    return error === undefined || error instanceof DocumentParseError || error instanceof LimitExceededError;
  };
  const yamlish = fc
    .array(fc.constantFrom("a", ":", " ", "-", "\n", "[", "]", "{", "}", ",", "&x", "*x", "!", "!!str", "'", '"', "#", "---", "...", "? ", "|", ">", "\t", "%YAML 1.2", "é", "\u0000", "1", "~"), {
      maxLength: 200,
    })
    .map((parts) => parts.join(""));

  it("never throws anything but its typed errors on arbitrary text", () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (text) => typed(() => parseDocuments(text))), { numRuns: 300 });
  });

  it("never throws anything but its typed errors on YAML-like text", () => {
    fc.assert(fc.property(yamlish, (text) => typed(() => parseDocuments(text))), { numRuns: 500 });
  });

  it("never throws anything but its typed errors on arbitrary bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => typed(() => parseDocuments(bytes))), { numRuns: 300 });
  });

  it("stops any nesting bomb at the depth limit", () => {
    const opener = fc.constantFrom("[", "{a: ", "- ", "? ", "{? ");
    fc.assert(
      fc.property(fc.array(opener, { minLength: 70, maxLength: 3000 }), (openers) => {
        const error = thrown(() => parseDocuments(openers.join("")));
        return error instanceof LimitExceededError || error instanceof DocumentParseError;
      }),
      { numRuns: 100 },
    );
  });

  it("stops any alias bomb at the alias limit", () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 12 }), fc.integer({ min: 4, max: 9 }), (levels, width) => {
        const lines = ["l0: &l0 [x]"];
        for (let i = 1; i <= levels; i++) lines.push(`l${i}: &l${i} [${Array(width).fill(`*l${i - 1}`).join(", ")}]`);
        const error = thrown(() => parseDocuments(lines.join("\n")));
        return error instanceof LimitExceededError && error.limit === "maxAliasCount";
      }),
      { numRuns: 50 },
    );
  });
});

describe("expanded size (maxExpandedBytes): aliases count by what they expand to", () => {
  const limit = (error: unknown) => (error instanceof LimitExceededError ? error.limit : error);
  const anchorAndAliases = (anchorBytes: number, aliases: number) =>
    [`spec:`, `  a: &big "${"x".repeat(anchorBytes)}"`, ...Array.from({ length: aliases }, (_, i) => `  b${i}: *big`)].join("\n") + "\n";

  it("refuses a 0.9 MB document with one anchor and 99 aliases (within the alias count) before it becomes data", () => {
    const text = anchorAndAliases(900_000, 99);
    expect(text.length).toBeLessThan(1024 * 1024);
    const error = thrown(() => parseDocuments(text));
    expect(limit(error)).toBe("maxExpandedBytes");
    expect((error as Error).message).toMatch(/document at line 1 expands to more than 1048576 bytes when its aliases are written out/);
  });

  it("is its own rule: the alias count alone lets the same document through", () => {
    expect(parseDocuments(anchorAndAliases(900_000, 99), { maxExpandedBytes: 100 * 1024 * 1024 })).toHaveLength(1);
    expect(limit(thrown(() => parseDocuments(anchorAndAliases(1000, 3), { maxExpandedBytes: 3000 })))).toBe("maxExpandedBytes");
    expect(parseDocuments(anchorAndAliases(1000, 3), { maxExpandedBytes: 5000 })).toHaveLength(1);
  });

  it("measures an alias by the node it refers to, once per node, so a long chain costs linear time", () => {
    const chain = ["l0: &l0 [x]", ...Array.from({ length: 40 }, (_, i) => `l${i + 1}: &l${i + 1} [*l${i}, *l${i}]`)].join("\n");
    const started = Date.now();
    const [measured] = measureDocuments(chain);
    expect(measured!.expandedSize).toBeGreaterThan(2 ** 40);
    expect(measured!.aliasCount).toBeGreaterThan(2 ** 40);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(measureDocuments("a: 1\nb: [x, y]\n")[0]!.expandedSize).toBeLessThan(30);
  });

  it("refuses an alias inside its own anchor", () => {
    expect(limit(thrown(() => parseDocuments("a: &a [1, *a]\n", { maxAliasCount: 1000 })))).toBe("maxExpandedBytes");
  });

  it("leaves ordinary documents alone", () => {
    const vpcFile = `apiVersion: vpc.githedgehog.com/v1beta1\nkind: VPC\nmetadata:\n  name: v\nspec:\n  subnets:\n${Array.from({ length: 2000 }, (_, i) => `    s${i}: {subnet: 10.0.${i % 250}.0/24, vlan: ${1000 + i}}`).join("\n")}\n`;
    expect(parseDocuments(vpcFile)).toHaveLength(1);
  });
});
