// Throughput of parse + validate + normalize on the VLAB wiring diagram (46 documents), repeated
// 100 times; and one desired set of 100 renamed copies (4,600 distinct resources) for the SET rules.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { normalizeResource, parseDocuments, serializeResource, validateBatch, type SourceDocument } from "../../lib/hedgehog/index.js";

const WIRING = readFileSync(new URL("../fixtures/hedgehog/samples/vlab-wiring-prepop.yaml", import.meta.url), "utf8");
const REPEATS = 100;

function timed<T>(run: () => T): [T, number] {
  const start = performance.now();
  const result = run();
  return [result, performance.now() - start];
}

/** The wiring with every device and group renamed for copy i, so copies do not collide. */
function copy(i: number): string {
  return WIRING.replace(/\b(leaf|spine|server)-(\d\d)\b/g, `$1-${i}-$2`)
    .replace(/\b(mclag|eslag)-1\b/g, `$1-${i}`)
    .replace(/name: empty$/m, `name: empty-${i}`);
}

export default async () => {
  // Warm-up: compiles the CRD schemas once, as a long-lived worker would have.
  validateBatch(parseDocuments(WIRING).map((doc) => ({ ...doc, file: "warm-up.yaml" })), []);

  let parseMs = 0;
  let validateMs = 0;
  let normalizeMs = 0;
  let documents = 0;
  let findings = 0;
  for (let i = 0; i < REPEATS; i++) {
    const [docs, p] = timed(() => parseDocuments(WIRING).map((doc) => ({ ...doc, file: "raw/prepop.yaml" })));
    const [result, v] = timed(() => validateBatch(docs, []));
    const [, n] = timed(() => docs.map((doc) => serializeResource(normalizeResource(doc.value))));
    parseMs += p;
    validateMs += v;
    normalizeMs += n;
    documents += docs.length;
    findings += result.length;
  }
  const totalMs = parseMs + validateMs + normalizeMs;

  const [batch, largeParseMs] = timed(() =>
    Array.from({ length: REPEATS }, (_, i) => parseDocuments(copy(i)).map((doc): SourceDocument => ({ ...doc, file: `raw/copy-${i}.yaml` }))).flat(),
  );
  const [largeFindings, largeValidateMs] = timed(() => validateBatch(batch, []));

  // Hostile but legal files just under the 1 MiB limit: parsing must stay linear in the input.
  const worstCases: Record<string, string> = {
    "flat mapping, ~80k keys": Array.from({ length: 80_000 }, (_, i) => `k${i}: v`).join("\n").slice(0, 1_000_000),
    "flat flow list, ~500k items": "[" + "1,".repeat(499_000) + "1]",
    "60k anchors": Array.from({ length: 60_000 }, (_, i) => `k${i}: &a${i} v`).join("\n").slice(0, 1_000_000),
  };
  const worstCaseParseMs: Record<string, number> = {};
  for (const [name, text] of Object.entries(worstCases)) {
    const [, ms] = timed(() => {
      try {
        parseDocuments(text.slice(0, text.lastIndexOf("\n") > 0 ? text.lastIndexOf("\n") : text.length));
      } catch {
        // Only the time matters here.
      }
    });
    worstCaseParseMs[name] = Math.round(ms);
  }

  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    input: "vlab-wiring-prepop.yaml (46 documents)",
    repeats: REPEATS,
    documents,
    findingsPerRun: findings / REPEATS,
    parseMs: round(parseMs),
    validateMs: round(validateMs),
    normalizeMs: round(normalizeMs),
    totalMs: round(totalMs),
    documentsPerSecond: Math.round((documents / totalMs) * 1000),
    oneSetOf100Copies: {
      documents: batch.length,
      errors: largeFindings.filter((f) => f.severity === "error").length,
      parseMs: round(largeParseMs),
      validateMs: round(largeValidateMs),
      documentsPerSecond: Math.round((batch.length / (largeParseMs + largeValidateMs)) * 1000),
    },
    worstCaseParseMs,
  };
};
