// Hash routes (#/fabrics/x/runs): the server serves one page at `/`, so every view has a URL without
// any route on the server. No credential or secret ever goes into the URL.
import { useEffect, useState } from "preact/hooks";

export interface Route {
  readonly page: "fabrics" | "fabric" | "resource" | "runs" | "run" | "drafts";
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
}

const PATTERNS: readonly [Route["page"], RegExp, readonly string[]][] = [
  ["fabrics", /^\/?$/, []],
  ["fabric", /^\/fabrics\/([^/]+)$/, ["id"]],
  ["resource", /^\/fabrics\/([^/]+)\/resources\/([^/]+)\/([^/]+)$/, ["id", "kind", "name"]],
  ["runs", /^\/fabrics\/([^/]+)\/runs$/, ["id"]],
  ["run", /^\/fabrics\/([^/]+)\/runs\/([^/]+)$/, ["id", "runId"]],
  ["drafts", /^\/fabrics\/([^/]+)\/drafts$/, ["id"]],
];

export function parseRoute(hash: string): Route | null {
  const raw = hash.replace(/^#/, "");
  const [path = "", search = ""] = raw.split("?", 2);
  for (const [page, re, names] of PATTERNS) {
    const m = re.exec(path);
    if (m) return { page, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? "")])), query: new URLSearchParams(search) };
  }
  return null;
}

export function useRoute(): Route | null {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return parseRoute(hash);
}

export function href(path: string, query?: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v) q.set(k, v);
  const s = q.toString();
  return `#${path}${s ? `?${s}` : ""}`;
}
