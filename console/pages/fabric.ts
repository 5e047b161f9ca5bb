// One fabric: its actions (Sync, Plan, Init), the run in flight with per-stage progress, tabs per kind
// with counts, and the resource table with state, error and From Git attribution.
import { useEffect, useRef, useState } from "preact/hooks";
import { attention, gitLinks, isActiveRun, resourceRow, rollup, runChanges, runRejections, runStages, STATE_ORDER, type GitLinks, type RollupView } from "../../lib/operator/views.js";
import { api, type Obj } from "../api.js";
import { href, type Route } from "../router.js";
import { Badge, ErrorMarker, GitFile, html, Loading, Problem, RepoPath, RollupBar, Sha, When, encodePath } from "../ui.js";

declare const HH_CONSOLE_KINDS: readonly { kind: string; plural: string; group: string }[];
export const KINDS = HH_CONSOLE_KINDS;

const POLL_MS = 1000;

/** Polls a run until it finishes; the banner shows each stage with its progress. */
export function useRunPoll(fabricId: string, runId: string | null, onFinished?: (run: Obj) => void): Obj | null {
  const [run, setRun] = useState<Obj | null>(null);
  const finished = useRef(onFinished);
  finished.current = onFinished;
  useEffect(() => {
    if (!runId) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const r = await api.run(fabricId, runId);
        if (!live) return;
        setRun(r);
        if (isActiveRun(r)) timer = setTimeout(tick, POLL_MS);
        else finished.current?.(r);
      } catch {
        if (live) timer = setTimeout(tick, POLL_MS * 3);
      }
    };
    void tick();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [fabricId, runId]);
  return run;
}

export function StageProgress({ run }: { run: Obj }) {
  return html`<ol class="stages">
    ${runStages(run).map((s) => {
      const counted = Object.entries(s.counts).filter(([, n]) => n > 0).slice(0, 6);
      return html`<li class=${`stage stage-${s.status}`} data-stage=${s.name}>
        <strong>${s.name}</strong> <${Badge} state=${s.status} />
        ${s.progress
          ? html` <progress max=${s.progress.total} value=${s.progress.done} aria-label=${`${s.name} progress`}></progress> <span class="progress-text">${s.progress.done} / ${s.progress.total}</span>`
          : s.status === "running"
            ? html` <progress aria-label=${`${s.name} in progress`}></progress>`
            : null}
        ${counted.length > 0 ? html` <span class="counts">${counted.map(([k, n]) => `${k} ${n}`).join(" · ")}</span>` : null}
      </li>`;
    })}
  </ol>`;
}

export function RunBanner({ fabricId, run }: { fabricId: string; run: Obj }) {
  const active = isActiveRun(run);
  const changes = runChanges(run);
  const summary = runStages(run).find((s) => s.name === "reconcile")?.counts ?? runStages(run).find((s) => s.name === "ingest")?.counts ?? {};
  return html`<div class=${`banner ${active ? "banner-active" : `banner-${String(run.status)}`}`} role="status" aria-live="polite" data-run=${String(run.runId)} data-status=${String(run.status)}>
    <p>
      <${Badge} state=${String(run.status)} label=${`${String(run.kind)} run ${String(run.status)}`} />
      ${" "}<a href=${href(`/fabrics/${encodePath(fabricId)}/runs/${encodePath(String(run.runId))}`)}>${String(run.runId)}</a>
      ${typeof run.after === "string" ? html` <span class="muted">(starts after ${run.after})</span>` : null}
      ${!active && run.kind === "plan" ? html` — would commit ${changes.commit.total} files, apply ${changes.apply.total}, prune ${changes.prune.total}` : null}
      ${!active && run.kind !== "plan" && "synced" in summary ? html` — synced ${summary.synced}${summary.drifted ? `, drifted ${summary.drifted}` : ""}` : null}
      ${typeof run.error === "string" && run.error ? html` — ${run.error}` : null}
    </p>
    <${StageProgress} run=${run} />
  </div>`;
}

const STATES = STATE_ORDER.filter((s) => s !== "pruned");

export function FabricPage({ route }: { route: Route }) {
  const id = route.params.id!;
  const kind = route.query.get("kind") ?? "";
  const state = route.query.get("state") ?? "";
  const source = route.query.get("source") ?? "";
  const errorsOnly = route.query.get("error") === "true";
  const [fabric, setFabric] = useState<Obj | null>(null);
  const [status, setStatus] = useState<Obj | null>(null);
  const [kindCounts, setKindCounts] = useState<Record<string, number> | null>(null);
  const [page, setPage] = useState<{ items: Obj[]; next: string | null; total: number | null } | null>(null);
  const [cursors, setCursors] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [runId, setRunId] = useState<string | null>(null);
  const [refresh, setRefresh] = useState(0);
  const [busy, setBusy] = useState<string | null>(null);

  const run = useRunPoll(id, runId, () => setRefresh((n) => n + 1));
  const links = gitLinks(fabric);

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const [f, s] = await Promise.all([api.fabric(id), api.status(id)]);
        if (!live) return;
        setFabric(f);
        setStatus(s);
        const last = s.lastRun as Obj | null;
        if (last && isActiveRun(last) && !runId) setRunId(String(last.runId));
        const r = rollup(s);
        if (r.byKind) setKindCounts(r.byKind);
        else {
          // Before the API counts per kind: group the whole list when it came in one page.
          const all = await api.resources(id);
          if (!live) return;
          if (!all.next) {
            const counts: Record<string, number> = {};
            for (const item of all.items) counts[String(item.kind)] = (counts[String(item.kind)] ?? 0) + 1;
            setKindCounts(counts);
          }
        }
      } catch (e) {
        if (live) setError(e);
      }
    })();
    return () => {
      live = false;
    };
  }, [id, refresh]);

  const cursor = cursors[cursors.length - 1];
  useEffect(() => {
    let live = true;
    setPage(null);
    const plural = KINDS.find((k) => k.kind === kind)?.plural ?? kind;
    api
      .resources(id, { kind: plural || undefined, state: state || undefined, source: source || undefined, error: errorsOnly, cursor })
      .then((p) => live && setPage(p))
      .catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [id, kind, state, source, errorsOnly, cursor, refresh]);

  const start = async (what: "sync" | "plan" | "init") => {
    setBusy(what);
    setError(null);
    try {
      const started = await api.start(id, what);
      setRunId(started.runId);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  const filterHref = (changes: Record<string, string | undefined>) =>
    href(`/fabrics/${encodePath(id)}`, { kind, state, source, error: errorsOnly ? "true" : undefined, ...changes });
  const r: RollupView = rollup(status);
  const active = run ? isActiveRun(run) : false;
  const total = kindCounts ? Object.values(kindCounts).reduce((a, b) => a + b, 0) : r.total;

  return html`<div class="page">
    <nav class="crumbs" aria-label="Breadcrumb"><a href="#/">Fabrics</a> › <span aria-current="page">${id}</span></nav>
    <h1>${id}</h1>
    ${fabric ? html`<${FabricHeader} fabric=${fabric} status=${status} links=${links} />` : null}
    <div class="actions" role="group" aria-label="Run">
      <button type="button" onClick=${() => start("sync")} disabled=${busy !== null || active}>Sync</button>
      <button type="button" onClick=${() => start("plan")} disabled=${busy !== null || active}>Plan</button>
      <button type="button" onClick=${() => start("init")} disabled=${busy !== null || active}>Init</button>
      <a class="button-link" href=${href(`/fabrics/${encodePath(id)}/runs`)}>Runs</a>
      <a class="button-link" href=${href(`/fabrics/${encodePath(id)}/drafts`)}>Drafts</a>
    </div>
    ${run ? html`<${RunBanner} fabricId=${id} run=${run} />` : null}
    <${Problem} error=${error} />
    <${RollupBar} rollup=${r} label="Resources by state" />
    ${status ? html`<${Attention} fabricId=${id} status=${status} />` : null}
    <nav class="tabs" aria-label="Kinds">
      <a href=${filterHref({ kind: undefined })} aria-current=${kind === "" ? "page" : undefined}>All <span class="count">${total}</span></a>
      ${KINDS.map((k) => html`<a href=${filterHref({ kind: k.kind })} aria-current=${kind === k.kind ? "page" : undefined} data-kind=${k.kind}>${k.kind} <span class="count">${kindCounts ? (kindCounts[k.kind] ?? 0) : "?"}</span></a>`)}
    </nav>
    <form class="filters" aria-label="Filters" onSubmit=${(e: Event) => e.preventDefault()}>
      <label for="filter-state">State</label> <select id="filter-state" value=${state} onChange=${(e: Event) => (location.hash = filterHref({ state: (e.target as HTMLSelectElement).value || undefined }))}>
        <option value="">any</option>${STATES.map((s) => html`<option value=${s}>${s}</option>`)}
      </select>
      <label for="filter-source">Source</label> <select id="filter-source" value=${source} onChange=${(e: Event) => (location.hash = filterHref({ source: (e.target as HTMLSelectElement).value || undefined }))}>
        <option value="">any</option><option value="git">Git</option><option value="cluster">cluster only</option><option value="api">API (drafts)</option>
      </select>
      <label><input type="checkbox" checked=${errorsOnly} onChange=${(e: Event) => (location.hash = filterHref({ error: (e.target as HTMLInputElement).checked ? "true" : undefined }))} /> with errors only</label>
    </form>
    ${page === null ? html`<${Loading} what="resources" />` : html`<${ResourceTable} fabricId=${id} items=${page.items} links=${links} showKind=${kind === ""} />`}
    ${page && (page.next || cursors.length > 0)
      ? html`<nav class="pager" aria-label="Pages">
          <button type="button" disabled=${cursors.length === 0} onClick=${() => setCursors(cursors.slice(0, -1))}>Previous page</button>
          <button type="button" disabled=${!page.next} onClick=${() => page.next && setCursors([...cursors, page.next])}>Next page</button>
        </nav>`
      : null}
  </div>`;
}

/** The resources that need the operator, by name, and what the last ingest rejected (GET /status). */
function Attention({ fabricId, status }: { fabricId: string; status: Obj }) {
  const lists = Object.entries(attention(status)).filter(([, l]) => l.total > 0);
  const rejections = status.rejections as Obj | null | undefined;
  const rejected = rejections ? runRejections({ rejections }) : { items: [], total: 0 };
  if (lists.length === 0 && rejected.total === 0) return null;
  const resource = (n: { kind: string; name: string; namespace: string }) =>
    href(`/fabrics/${encodePath(fabricId, "resources", n.kind, n.name)}`, { namespace: n.namespace !== "default" ? n.namespace : undefined });
  return html`<section class="attention" aria-labelledby="attention-h">
    <h2 id="attention-h">Needs attention</h2>
    <dl class="facts">
      ${lists.map(
        ([name, l]) => html`<dt>${name} <span class="count">${l.total}</span></dt>
          <dd data-list=${name}>${l.items.map((n, i) => html`${i > 0 ? ", " : ""}<a href=${resource(n)} title=${n.error ?? undefined}>${n.kind} ${n.name}</a>`)}${l.total > l.items.length ? html` <span class="muted">and ${l.total - l.items.length} more</span>` : null}</dd>`,
      )}
      ${rejected.total > 0
        ? html`<dt>rejected <span class="count">${rejected.total}</span></dt>
            <dd data-list="rejected"><a href=${href(`/fabrics/${encodePath(fabricId)}/runs/${encodePath(String(rejections!.runId))}`)}>${rejected.items.length} in run ${String(rejections!.runId)}</a>: ${[...new Set(rejected.items.map((x) => x.file.split("/").pop()))].join(", ")}</dd>`
        : null}
    </dl>
  </section>`;
}

function FabricHeader({ fabric, status, links }: { fabric: Obj; status: Obj | null; links: GitLinks | null }) {
  const git = (fabric.git ?? {}) as Obj;
  const repo = git.provider === "github" ? `${String(git.owner)}/${String(git.repo)}` : String(git.url ?? "");
  const dir = ((status?.directory ?? fabric.directory ?? {}) as Obj).status;
  const sync = (fabric.sync ?? {}) as Obj;
  return html`<dl class="facts">
    <dt>Repository</dt><dd>${links ? html`<a href=${links.tree(String(git.branch), String(git.directory))} rel="noopener noreferrer" target="_blank">${repo}</a>` : html`<code>${repo}</code>`} <span class="muted">${String(git.branch)} · ${String(git.directory)}</span></dd>
    <dt>Directory</dt><dd><${Badge} state=${String(dir ?? "unknown")} /></dd>
    <dt>Mode</dt><dd>${String(sync.mode)}${sync.prune ? " + prune" : ""}${sync.suspended ? " (suspended)" : ""}</dd>
    <dt>Cluster</dt><dd>${fabric.cluster ? ((fabric.cluster as Obj).simulated ? "simulated" : "kubeconfig") : "none"}</dd>
    <dt>Last run</dt><dd>${status?.lastRun ? html`<${Badge} state=${String((status.lastRun as Obj).status)} /> <${When} at=${String((status.lastRun as Obj).createdAt)} />` : "none"}</dd>
  </dl>`;
}

export function ResourceTable({ fabricId, items, links, showKind }: { fabricId: string; items: Obj[]; links: GitLinks | null; showKind: boolean }) {
  if (items.length === 0) return html`<p class="empty">No resources match.</p>`;
  return html`<table class="resources">
    <caption class="visually-hidden">Resources</caption>
    <thead><tr>${showKind ? html`<th scope="col">Kind</th>` : null}<th scope="col">Name</th><th scope="col">Namespace</th><th scope="col">State</th><th scope="col">Error</th><th scope="col">From Git</th><th scope="col">Commit</th><th scope="col">Imported from</th></tr></thead>
    <tbody>
      ${items.map((item) => {
        const r = resourceRow(item);
        const to = href(`/fabrics/${encodePath(fabricId, "resources", r.kind, r.name)}`, { namespace: r.namespace !== "default" ? r.namespace : undefined });
        return html`<tr data-resource=${`${r.kind}/${r.name}`} data-state=${r.state}>
          ${showKind ? html`<td>${r.kind}</td>` : null}
          <th scope="row"><a href=${to}>${r.name}</a></th>
          <td>${r.namespace}</td>
          <td><${Badge} state=${r.state} /></td>
          <td><${ErrorMarker} error=${r.error} /></td>
          <td>${r.gitFilePath ? html`<${GitFile} path=${r.gitFilePath} commit=${r.gitCommitSha} links=${links} />` : html`<span class="muted">${r.source === "cluster" ? "cluster only" : (r.source ?? "—")}</span>`}</td>
          <td><${Sha} sha=${r.gitCommitSha} links=${links} />${r.appliedCommitSha && r.appliedCommitSha !== r.gitCommitSha ? html` <span class="muted">(applied <${Sha} sha=${r.appliedCommitSha} links=${links} />)</span>` : null}</td>
          <td>${r.importedFrom ? html`<${RepoPath} path=${r.importedFrom} />` : html`<span class="muted">—</span>`}</td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}
