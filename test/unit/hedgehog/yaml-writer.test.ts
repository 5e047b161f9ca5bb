// The YAML writer must write byte for byte what the `yaml` package wrote before it (every managed file
// keeps its bytes), held to the package itself on generated data: strings full of YAML's special
// characters, line breaks, quotes, control characters, document markers, numbers of every kind, nested
// maps and lists, long keys.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Document, isScalar, stringify, visit } from "yaml";
import { serializeResource } from "../../../lib/hedgehog/index.js";
import { writeYaml } from "../../../lib/hedgehog/yaml-writer.js";
import { readFileSync, readdirSync } from "node:fs";
import { parseDocuments, normalizeResource } from "../../../lib/hedgehog/index.js";

// normalize.ts's serializer as it was, on the yaml package: the reference.
const YAML11_NON_STRING = [
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:~|null|Null|NULL)$/,
  /^[-+]?(?:0b[01_]+|0[0-7_]+|(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/,
  /^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$/,
  /^\d{4}-\d{1,2}-\d{1,2}(?:[Tt ]|$)/,
  /^(?:<<|=)$/,
];
function referenceSerialize(resource: unknown): string {
  const doc = new Document(resource, { aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === "string" && YAML11_NON_STRING.some((pattern) => pattern.test(node.value as string))) node.type = "QUOTE_DOUBLE";
    },
  });
  return doc.toString({ lineWidth: 0, indent: 2, indentSeq: false });
}

const PIECES = [
  "a", "Z", "0", "1", "-", "- ", "?", "? ", ":", ": ", "#", " #", "&", "*", "!", "|", ">", "'", '"', "%", "@", "`", ",", "[", "]", "{", "}",
  " ", "  ", "\t", "\n", "\n\n", " \n", "\n ", "\r", "\u0000", "\u0007", "\u001b", "\u0085", "\u00a0", "\u2028", "\ud800", "é", "日本", "😀",
  "---", "...", "%YAML", "true", "null", "~", "yes", "on", "0x1F", "0o17", "1e3", ".inf", ".nan", "12:30", "2026-11-29", "<<", "=", "-1", "+1", "1.5",
  "\\", "\\n", "x".repeat(50),
];
const text = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map((parts) => parts.join("")) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(...PIECES) },
);
const number = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -0, 1e21, 1e-7, 0.1, Number.MAX_SAFE_INTEGER, Infinity, -Infinity, NaN));
const scalar = fc.oneof(text, number, fc.boolean(), fc.constant(null));
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, tie("list"), tie("map")),
  list: fc.array(tie("value"), { maxLength: 5 }),
  map: fc.dictionary(fc.oneof(text, fc.constant("x".repeat(1030))), tie("value"), { maxKeys: 5 }),
}));

describe("writeYaml", () => {
  it("writes what yaml 2 wrote for normalized resources (indentSeq false, YAML 1.1 look-alikes double-quoted)", () => {
    const yaml11 = (v: string) => YAML11_NON_STRING.some((p) => p.test(v));
    fc.assert(
      fc.property(value, (v) => {
        expect(writeYaml(v, { indentSeq: false, forceDoubleQuote: yaml11 })).toBe(referenceSerialize(v));
      }),
      { numRuns: 3000 },
    );
  });

  it("writes what yaml 2's stringify wrote with lineWidth 0 (raw/errors documents)", () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(writeYaml(v)).toBe(stringify(v, { lineWidth: 0, aliasDuplicateObjects: false }));
      }),
      { numRuns: 3000 },
    );
  });

  it("keeps every sample fixture's managed file byte-identical", () => {
    const dir = new URL("../../fixtures/hedgehog/samples/", import.meta.url);
    let documents = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
      for (const doc of parseDocuments(readFileSync(new URL(file, dir), "utf8"))) {
        if (typeof doc.value !== "object" || doc.value === null) continue;
        const normalized = normalizeResource(doc.value);
        expect(serializeResource(normalized), file).toBe(referenceSerialize(normalized));
        documents++;
      }
    }
    expect(documents).toBeGreaterThan(40);
  });
});
