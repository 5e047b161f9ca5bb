// One resource: desired (Git) and live (cluster) side by side with the drifted fields marked, or the
// drift list when the API gives no objects; its findings and its history.
import { useEffect, useState } from "preact/hooks";
import { driftOf, gitLinks, historyOf, resourceRow, type DriftView } from "../../lib/operator/views.js";
import { api, type Obj } from "../api.js";
import { href, type Route } from "../router.js";
import { Badge, ErrorMarker, GitFile, html, Loading, Problem, RepoPath, Section, Sha, When, encodePath } from "../ui.js";

const show = (v: unknown) => (v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));

/** JSON pointer segment escaping (RFC 6901). */
const seg = (k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1");

interface Line {
  readonly pointer: string;
  readonly depth: number;
  readonly text: string;
}

/** An object as YAML-like lines, each knowing its JSON pointer. */
function lines(value: unknown, pointer = "", depth = 0, key?: string): Line[] {
  const prefix = key === undefined ? "" : `${key}:`;
  if (Array.isArray(value)) {
    if (value.length === 0) return [{ pointer, depth, text: `${prefix} []` }];
    const head = key === undefined ? [] : [{ pointer, depth, text: prefix }];
    return [...head, ...value.flatMap((v, i) => lines(v, `${pointer}/${i}`, depth + (key === undefined ? 0 : 1), "-"))];
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Obj);
    if (entries.length === 0) return [{ pointer, depth, text: `${prefix} {}` }];
    const head = key === undefined ? [] : [{ pointer, depth, text: prefix }];
    return [...head, ...entries.flatMap(([k, v]) => lines(v, `${pointer}/${seg(k)}`, depth + (key === undefined ? 0 : 1), k))];
  }
  return [{ pointer, depth, text: `${prefix} ${JSON.stringify(value)}`.trim() }];
}

function isDrifted(pointer: string, drifted: readonly string[]): boolean {
  return drifted.some((d) => pointer === d || pointer.startsWith(`${d}/`));
}

function ObjectView({ title, value, drifted }: { title: string; value: unknown; drifted: readonly string[] }) {
  return html`<figure class="object">
    <figcaption>${title}</figcaption>
    <pre tabindex="0">${lines(value).map((l) => {
      const d = isDrifted(l.pointer, drifted);
      return html`<span class=${`line${d ? " drifted" : ""}`} data-pointer=${l.pointer}>${d ? html`<span class="mark" aria-label="drifted">≠</span>` : html`<span class="mark" aria-hidden="true"> </span>`}${"  ".repeat(l.depth)}${l.text}\n</span>`;
    })}</pre>
  </figure>`;
}

function DriftTable({ drift }: { drift: readonly DriftView[] }) {
  if (drift.length === 0) return html`<p>No drift: the cluster matches Git.</p>`;
  return html`<table class="drift">
    <caption class="visually-hidden">Drifted fields</caption>
    <thead><tr><th scope="col">Field</th><th scope="col">Git (desired)</th><th scope="col">Cluster (live)</th></tr></thead>
    <tbody>${drift.map(
      (d) => html`<tr class="drifted" data-pointer=${d.path}>
        <th scope="row"><span class="mark" aria-label="drifted">≠</span> <code>${d.path}</code></th>
        <td>${d.absent === "desired" ? html`<em>not in Git</em>` : html`<code>${show(d.desired)}</code>`}</td>
        <td>${d.absent === "live" ? html`<em>not in the cluster</em>` : html`<code>${show(d.live)}</code>`}</td>
      </tr>`,
    )}</tbody>
  </table>`;
}

export function ResourcePage({ route }: { route: Route }) {
  const { id = "", kind = "", name = "" } = route.params;
  const namespace = route.query.get("namespace") ?? "default";
  const [detail, setDetail] = useState<Obj | null>(null);
  const [fabric, setFabric] = useState<Obj | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    Promise.all([api.resource(id, kind, name, namespace), api.fabric(id)])
      .then(([d, f]) => {
        if (!live) return;
        setDetail(d);
        setFabric(f);
      })
      .catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [id, kind, name, namespace]);

  const links = gitLinks(fabric);
  const r = detail ? resourceRow(detail) : null;
  const drift = detail ? driftOf(detail) : [];
  const history = detail ? historyOf(detail) : null;
  const paths = drift.map((d) => d.path);

  return html`<div class="page">
    <nav class="crumbs" aria-label="Breadcrumb"><a href="#/">Fabrics</a> › <a href=${href(`/fabrics/${encodePath(id)}`)}>${id}</a> › <a href=${href(`/fabrics/${encodePath(id)}`, { kind })}>${kind}</a> › <span aria-current="page">${name}</span></nav>
    <h1>${kind} ${namespace !== "default" ? `${namespace}/` : ""}${name}</h1>
    <${Problem} error=${error} />
    ${!detail && !error ? html`<${Loading} what="the resource" />` : null}
    ${r
      ? html`<dl class="facts">
          <dt>State</dt><dd><${Badge} state=${r.state} /> <${ErrorMarker} error=${r.error} /></dd>
          <dt>From Git</dt><dd>${r.gitFilePath ? html`<${GitFile} path=${r.gitFilePath} commit=${r.gitCommitSha} links=${links} /> at <${Sha} sha=${r.gitCommitSha} links=${links} />` : html`<span class="muted">${r.source === "cluster" ? "no: only in the cluster" : (r.source ?? "—")}</span>`}</dd>
          ${r.appliedCommitSha && r.appliedCommitSha !== r.gitCommitSha ? html`<dt>Last valid version</dt><dd><${Sha} sha=${r.appliedCommitSha} links=${links} /></dd>` : null}
          <dt>Imported from</dt><dd>${r.importedFrom ? html`<${RepoPath} path=${r.importedFrom} />` : "—"}</dd>
        </dl>
        <${Section} title="Findings" id="findings">
          ${r.error || r.warnings.length
            ? html`<ul class="findings">
                ${r.error ? html`<li class="finding finding-error"><span aria-hidden="true">✖ </span><strong>error</strong> ${r.error}</li>` : null}
                ${r.warnings.map((w) => html`<li class="finding finding-warning"><span aria-hidden="true">⚠ </span><strong>warning</strong> ${w}</li>`)}
              </ul>`
            : html`<p>None.</p>`}
        <//>
        <${Section} title="Drift" id="drift">
          ${detail && detail.desired !== undefined && detail.live !== undefined
            ? html`<div class="side-by-side">
                <${ObjectView} title="Desired (Git)" value=${detail.desired} drifted=${paths} />
                <${ObjectView} title="Live (cluster)" value=${detail.live} drifted=${paths} />
              </div>`
            : null}
          <${DriftTable} drift=${drift} />
        <//>
        ${history
          ? html`<${Section} title="History" id="history">
              ${history.items.length === 0
                ? html`<p>No changes recorded.</p>`
                : html`<table class="history"><thead><tr><th scope="col">When</th><th scope="col">Change</th><th scope="col">Commit</th><th scope="col">Run</th><th scope="col">Reason</th></tr></thead>
                    <tbody>${history.items.map(
                      (h) => html`<tr><td><${When} at=${h.at} /></td><td>${h.from ? html`<${Badge} state=${h.from} /> → ` : null}${h.to ? html`<${Badge} state=${h.to} />` : null}</td>
                        <td><${Sha} sha=${h.commit} links=${links} /></td>
                        <td>${h.runId ? html`<a href=${href(`/fabrics/${encodePath(id)}/runs/${encodePath(h.runId)}`)}>${h.runId}</a>` : "—"}</td><td>${h.reason ?? ""}</td></tr>`,
                    )}</tbody></table>`}
            <//>`
          : null}`
      : null}
  </div>`;
}
