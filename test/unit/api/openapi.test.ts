// The OpenAPI document is valid OpenAPI 3.1, covers every route of the wiring with an operationId, a tag
// and problem answers, and the e2e contract helper (test/support/openapi-contract.ts) refuses answers
// the document does not declare.
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { wiring } from "../../../infra/wiring.js";
import { openApiDocument } from "../../../lib/api/openapi.js";
import { ApiContract, ContractViolation, type Doc } from "../../support/openapi-contract.js";

type Operation = { operationId?: string; tags?: string[]; responses: Record<string, { content?: Record<string, unknown> }>; parameters?: { in: string; name: string }[] };
const doc = openApiDocument() as unknown as Doc & { paths: Record<string, Record<string, Operation>> };
const json = (body: unknown, type = "application/json") => ({ headers: new Headers({ "content-type": type }), body });

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1", async () => {
    const result = await new Validator().validate(openApiDocument() as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("has an operation for every route, each with an operationId, a tag, and a problem answer", () => {
    const ids = new Set<string>();
    for (const route of wiring.routes) {
      const op = doc.paths[route.path]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      expect(op!.operationId).toMatch(/^[a-z][A-Za-z]+$/);
      expect(ids.has(op!.operationId!)).toBe(false);
      ids.add(op!.operationId!);
      expect(op!.tags).toHaveLength(1);
      const problems = Object.entries(op!.responses).filter(([code]) => Number(code) >= 400);
      expect(problems.length, `${route.method} ${route.path}`).toBeGreaterThan(0);
      for (const [, r] of problems) expect(Object.keys(r.content ?? {})).toEqual(["application/problem+json"]);
    }
  });

  it("declares the paging parameters of the lists and the If-Match of the updates", () => {
    const names = (path: string, method: string) => (doc.paths[path]![method]!.parameters ?? []).map((p) => `${p.in}:${p.name}`);
    expect(names("/fabrics/{id}/resources", "get")).toEqual(expect.arrayContaining(["query:limit", "query:cursor", "query:error", "query:kind", "query:state"]));
    expect(names("/fabrics/{id}/runs", "get")).toEqual(expect.arrayContaining(["query:limit", "query:cursor"]));
    expect(names("/fabrics/{id}", "patch")).toEqual(expect.arrayContaining(["header:If-Match"]));
  });
});

describe("the e2e contract helper", () => {
  const contract = new ApiContract(openApiDocument() as unknown as Doc);
  const check = (method: string, url: string, status: number, answer: { headers: Headers; body: unknown }) => () => contract.check(method, url, status, answer.headers, answer.body);

  it("passes a declared answer and refuses a body that breaks its schema, naming the field", () => {
    expect(check("GET", "/health", 200, json({ status: "ok" }))).not.toThrow();
    expect(check("GET", "/health", 200, json({ status: "ok", extra: 1 }))).toThrow(/GET \/health answered 200: .*extra/);
    expect(check("GET", "/fabrics/f/resources?limit=2", 200, json({ items: [{ id: "x" }] }))).toThrow(ContractViolation);
  });

  it("refuses an undeclared status and a wrong content type", () => {
    expect(check("GET", "/health", 418, json({}))).toThrow(/status 418 is not declared/);
    expect(check("GET", "/fabrics/f", 404, json({ type: "about:blank", title: "Fabric not found", status: 404, detail: "d" }))).toThrow(/content type/);
  });

  it("expects the catch-all's 404 or 405 with Allow for what no operation takes", () => {
    const problem = (status: number, allow?: string) => ({
      headers: new Headers({ "content-type": "application/problem+json", ...(allow ? { allow } : {}) }),
      body: { type: "about:blank", title: "t", status, detail: "d" },
    });
    expect(check("GET", "/nowhere", 404, problem(404))).not.toThrow();
    expect(check("DELETE", "/fabrics/f/status", 405, problem(405, "GET"))).not.toThrow();
    expect(check("DELETE", "/fabrics/f/status", 405, problem(405))).toThrow(/without an Allow/);
    expect(check("DELETE", "/fabrics/f/status", 404, problem(404))).toThrow(/expected the catch-all's 405/);
  });
});
