// Which route a request is for, from the wiring's route table (API Gateway's matching, reproduced):
// the local gateway dispatches with it, and the catch-all `$default` route (in both stacks) tells a
// wrong method (405, with the methods the path takes) from an unknown path (404).
import type { HttpMethod, RouteSpec } from "./wiring-types.js";

export interface CompiledRoute<R extends RouteSpec = RouteSpec> {
  readonly spec: R;
  readonly routeKey: string;
  readonly pattern: RegExp;
  readonly params: readonly string[];
  readonly staticSegments: number;
}

export function compileRoute<R extends RouteSpec>(spec: R): CompiledRoute<R> {
  const params: string[] = [];
  const segments = spec.path.split("/").filter(Boolean);
  const source = segments
    .map((segment) => {
      const greedy = /^\{(\w+)\+\}$/.exec(segment);
      if (greedy) {
        params.push(greedy[1]!);
        return "/(.+)";
      }
      const param = /^\{(\w+)\}$/.exec(segment);
      if (param) {
        params.push(param[1]!);
        return "/([^/]+)";
      }
      return `/${segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`;
    })
    .join("");
  return {
    spec,
    routeKey: `${spec.method} ${spec.path}`,
    pattern: new RegExp(`^${source || "/"}$`),
    params,
    staticSegments: segments.filter((s) => !s.startsWith("{")).length,
  };
}

/** Most specific first: API Gateway prefers static segments over parameters. */
export function compileRoutes<R extends RouteSpec>(specs: readonly R[]): CompiledRoute<R>[] {
  return specs.map(compileRoute).sort((a, b) => b.staticSegments - a.staticSegments || b.params.length - a.params.length);
}

export type RouteMatch<R extends RouteSpec> =
  | { readonly kind: "route"; readonly route: CompiledRoute<R>; readonly match: RegExpExecArray }
  /** The path exists, not with this method: the methods it takes (the Allow header of a 405). */
  | { readonly kind: "method"; readonly allow: readonly HttpMethod[] }
  | { readonly kind: "none" };

export function matchRoute<R extends RouteSpec>(routes: readonly CompiledRoute<R>[], method: string, path: string): RouteMatch<R> {
  const allow = new Set<HttpMethod>();
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    if (route.spec.method === method) return { kind: "route", route, match };
    allow.add(route.spec.method);
  }
  return allow.size > 0 ? { kind: "method", allow: [...allow].sort() } : { kind: "none" };
}
