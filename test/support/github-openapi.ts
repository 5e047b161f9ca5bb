// GitHub's published REST description (@octokit/openapi, generated/api.github.com.json) as the oracle
// for the simulated GitHub: an answer is right when it matches the response schema GitHub documents
// for that method, path and status. For any route the simulator serves, now or later (checks,
// statuses, pulls...):
//
//   assertMatchesGitHubOpenApi("POST", "/repos/{owner}/{repo}/git/trees", 201, body)
//   assertMatchesGitHubOpenApi("GET", "/repos/acme/net/git/ref/heads/main", 200, body)
//
// `path` is GitHub's template or a concrete path (matched against the templates; the last parameter
// may take several segments, as {ref} and {path} do). A status GitHub does not document for the
// operation fails, as does a body for a status documented without one.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import formats from "ajv-formats";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Operation {
  readonly operationId?: string;
  readonly responses: Record<string, Json>;
}
interface Description {
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components: Record<string, Record<string, Json>>;
}

const DOCUMENT_ID = "https://api.github.com/openapi.json";

let loaded: { description: Description; ajv: Ajv; templates: string[] } | undefined;
const validators = new Map<string, ValidateFunction | "no-body">();

function load(): NonNullable<typeof loaded> {
  if (loaded) return loaded;
  const file = createRequire(import.meta.url).resolve("@octokit/openapi/generated/api.github.com.json");
  const description = JSON.parse(readFileSync(file, "utf8")) as Description;
  // OpenAPI 3.0 schemas: `nullable`, `example` and x-github-* keywords, formats such as int64.
  const ajv = new Ajv({ strict: false, allErrors: true });
  formats.default(ajv);
  ajv.addSchema({ $id: DOCUMENT_ID, components: anchored(description.components as unknown as Json) } as object);
  loaded = { description, ajv, templates: Object.keys(description.paths) };
  return loaded;
}

/** GitHub's template for a concrete (or template) path, or undefined. */
export function gitHubPathTemplate(path: string): string | undefined {
  const { description, templates } = load();
  if (description.paths[path]) return path;
  const segments = path.split("/");
  let best: { template: string; literals: number } | undefined;
  for (const template of templates) {
    const parts = template.split("/");
    let literals = 0;
    let matches = parts.length === segments.length || (parts.length < segments.length && /^\{\w+\}$/.test(parts.at(-1) as string));
    for (let i = 0; matches && i < parts.length; i++) {
      const part = parts[i] as string;
      const segment = segments[i] as string;
      if (/^\{\w+\}$/.test(part)) matches = segment !== "";
      else if (part === segment) literals++;
      else matches = false;
    }
    if (matches && (!best || literals > best.literals)) best = { template, literals };
  }
  return best?.template;
}

function resolve(node: Json): Json {
  let current = node;
  while (current && typeof current === "object" && !Array.isArray(current) && typeof current.$ref === "string") {
    const pointer = current.$ref.replace(/^#\//, "").split("/");
    let target: Json = load().description as unknown as Json;
    for (const key of pointer) target = (target as Record<string, Json>)[key.replace(/~1/g, "/").replace(/~0/g, "~")] as Json;
    current = target;
  }
  return current;
}

/**
 * The schema with its local references pointed at the description, so that Ajv can follow them, and
 * `oneOf` read as `anyOf`: GitHub's description lists overlapping alternatives under oneOf (a 409
 * is "basic-error or repository-rule-violation-error", and any error body is both), which no real
 * answer could satisfy literally.
 */
function anchored(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(anchored);
  if (!schema || typeof schema !== "object") return schema;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(schema)) {
    const name = key === "oneOf" ? "anyOf" : key;
    out[name] = key === "$ref" && typeof value === "string" && value.startsWith("#/") ? `${DOCUMENT_ID}${value}` : anchored(value);
  }
  // OpenAPI 3.0's `nullable` admits null for `type` but not for `enum` (Ajv applies both): a nullable
  // enum (a check run's conclusion while it runs) lists null too.
  if (schema.nullable === true && Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  // OpenAPI 3.0's `nullable` beside anyOf/allOf/$ref (no `type`), which Ajv only takes next to a type:
  // the same meaning written as "this, or null".
  if (out.nullable === true && out.type === undefined) {
    const { nullable: _nullable, ...rest } = out;
    return { anyOf: [rest, { type: "null" }] };
  }
  return out;
}

function validatorFor(method: string, template: string, status: number): ValidateFunction | "no-body" {
  const key = `${method} ${template} ${status}`;
  const known = validators.get(key);
  if (known) return known;
  const operation = load().description.paths[template]?.[method.toLowerCase()];
  if (!operation) throw new Error(`GitHub's REST description has no operation ${method} ${template}`);
  const response = resolve(operation.responses[String(status)] ?? null) as { content?: Record<string, { schema?: Json }> } | null;
  if (!response) {
    const documented = Object.keys(operation.responses).join(", ");
    throw new Error(`GitHub's REST description documents no ${status} for ${method} ${template} (${operation.operationId}); it documents ${documented}`);
  }
  const media = response.content?.["application/json"] ?? Object.values(response.content ?? {})[0];
  const validator = media?.schema === undefined ? "no-body" : load().ajv.compile(anchored(media.schema) as object);
  validators.set(key, validator);
  return validator;
}

/** Throws, naming every mismatch, unless `body` is what GitHub documents for this answer. */
export function assertMatchesGitHubOpenApi(method: string, path: string, status: number, body: unknown): void {
  const template = gitHubPathTemplate(path);
  if (!template) throw new Error(`GitHub's REST description has no path matching ${path}`);
  const validator = validatorFor(method.toUpperCase(), template, status);
  if (validator === "no-body") {
    if (body !== undefined && body !== null && body !== "") throw new Error(`${method} ${template} ${status}: GitHub documents no body, got ${JSON.stringify(body).slice(0, 200)}`);
    return;
  }
  if (validator(body)) return;
  const problems = (validator.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`);
  throw new Error(`${method} ${template} ${status} does not match GitHub's description:\n  ${problems.join("\n  ")}`);
}
