// Every answer of the API checked against the OpenAPI document it serves: the status must be declared
// for the operation, the content type must be the declared one, and a JSON body must validate against
// the declared schema. A request no operation takes must be answered as the catch-all route answers
// (404, or 405 with Allow, as problem+json). test/support/local-stack.ts runs every e2e request through it.
import { Ajv2020 } from "ajv/dist/2020.js";
import { FALLBACK_RESPONSES } from "../../lib/api/openapi.js";
import { problemSchema } from "../../lib/api/schemas/common.js";
import * as z from "zod";

export type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> };

const escape = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

interface PathTemplate {
  readonly template: string;
  readonly pattern: RegExp;
  readonly statics: number;
}

export class ContractViolation extends Error {
  override readonly name = "ContractViolation";
}

export class ApiContract {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  private readonly templates: PathTemplate[];
  private readonly problem = new Ajv2020({ strict: false, allErrors: true }).compile(z.toJSONSchema(problemSchema, { io: "output" }));

  constructor(private readonly doc: Doc) {
    this.ajv.addSchema(doc as object, "api");
    this.templates = Object.keys(doc.paths)
      .map((template) => {
        const segments = template.split("/").filter(Boolean);
        const source = segments.map((s) => (/^\{\w+\}$/.test(s) ? "/[^/]+" : `/${s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`)).join("");
        return { template, pattern: new RegExp(`^${source || "/"}$`), statics: segments.filter((s) => !s.startsWith("{")).length };
      })
      .sort((a, b) => b.statics - a.statics);
  }

  /** Throws ContractViolation naming the route, the status and the JSON pointer when the answer breaks the document. */
  check(method: string, url: string, status: number, headers: Headers, body: unknown): void {
    const path = new URL(url, "http://x").pathname;
    const m = method.toLowerCase();
    const matching = this.templates.filter((t) => t.pattern.test(path));
    const template = matching.find((t) => this.doc.paths[t.template]![m]);
    const route = template ? `${method} ${template.template}` : `${method} ${path} (no operation)`;
    const fail = (why: string) => {
      throw new ContractViolation(`${route} answered ${status}: ${why}`);
    };
    const contentType = (headers.get("content-type") ?? "").split(";")[0]!.trim();
    if (!template) {
      const expected = matching.length > 0 ? 405 : 404;
      if (status !== expected || !FALLBACK_RESPONSES[String(status)]) fail(`expected the catch-all's ${expected}`);
      if (expected === 405 && !headers.get("allow")) fail("a 405 without an Allow header");
      if (contentType !== "application/problem+json") fail(`content type ${contentType}, expected application/problem+json`);
      if (!this.problem(body)) fail(`not a problem: ${this.errors(this.problem.errors)}`);
      return;
    }
    const responses = this.doc.paths[template.template]![m]!.responses;
    const declared = responses[String(status)];
    if (!declared) fail(`status ${status} is not declared (declared: ${Object.keys(responses).join(", ")})`);
    const content = declared!.content;
    if (!content) {
      if (body !== undefined && body !== "") fail("a body where none is declared");
      return;
    }
    const mediaType = Object.keys(content).find((type) => type === contentType || type === "*/*" || (type.endsWith("/*") && contentType.startsWith(type.slice(0, -1))));
    if (!mediaType) fail(`content type "${contentType}", declared: ${Object.keys(content).join(", ")}`);
    if (!mediaType!.includes("json")) return;
    const pointer = `api#/paths/${escape(template.template)}/${m}/responses/${status}/content/${escape(mediaType!)}/schema`;
    const validate = this.ajv.getSchema(pointer);
    if (!validate) fail(`no schema at ${pointer}`);
    if (!validate!(body)) fail(`the body breaks its declared schema: ${this.errors(validate!.errors)}`);
  }

  private errors(errors: readonly { instancePath: string; message?: string; params?: unknown }[] | null | undefined): string {
    return (errors ?? [])
      .slice(0, 5)
      .map((e) => `${e.instancePath || "/"} ${e.message ?? ""}${e.params && "additionalProperty" in (e.params as object) ? ` (${(e.params as { additionalProperty: string }).additionalProperty})` : ""}`)
      .join("; ");
  }
}
