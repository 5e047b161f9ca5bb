// Runs of a fabric, and one run: stages with counts and progress, rejections located by file and line,
// commits, and what was applied or pruned — for a plan, what would be committed, applied and pruned.
import { useEffect, useState } from "preact/hooks";
import { gitLinks, isActiveRun, runChanges, runRejections, runStages, writeBackResult, type Listed } from "../../lib/operator/views.js";
import { api, type Obj } from "../api.js";
import { href, type Route } from "../router.js";
import { Badge, html, Loading, Problem, Section, Sha, Unavailable, When, encodePath } from "../ui.js";
import { StageProgress, useRunPoll } from "./fabric.js";

function duration(run: Obj): string {
  const start = Date.parse(String(run.startedAt ?? run.createdAt ?? ""));
  const end = Date.parse(String(run.finishedAt ?? ""));
  if (!Number.isFinite(start) || !Number.isFinite(end)) return "";
  const s = Math.max(0, Math.round((end - start) / 100) / 10);
  return `${s}s`;
}

export function RunsPage({ route }: { route: Route }) {
  const id = route.params.id!;
  const [cursors, setCursors] = useState<string[]>([]);
  const [page, setPage] = useState<{ items: Obj[]; next: string | null } | null>(null);
  const [fabric, setFabric] = useState<Obj | null>(null);
  const [error, setError] = useState<unknown>(null);
  const cursor = cursors[cursors.length - 1];
  useEffect(() => {
    let live = true;
    Promise.all([api.runs(id, cursor), api.fabric(id)])
      .then(([p, f]) => {
        if (!live) return;
        setPage(p);
        setFabric(f);
      })
      .catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [id, cursor]);
  const links = gitLinks(fabric);
  return html`<div class="page">
    <nav class="crumbs" aria-label="Breadcrumb"><a href="#/">Fabrics</a> › <a href=${href(`/fabrics/${encodePath(id)}`)}>${id}</a> › <span aria-current="page">Runs</span></nav>
    <h1>Runs of ${id}</h1>
    <${Problem} error=${error} />
    ${page === null && !error ? html`<${Loading} what="runs" />` : null}
    ${page
      ? html`<table class="runs"><caption class="visually-hidden">Runs, newest first</caption>
          <thead><tr><th scope="col">Run</th><th scope="col">Kind</th><th scope="col">Trigger</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col">Took</th><th scope="col">Commit</th></tr></thead>
          <tbody>${page.items.map(
            (run) => html`<tr data-run=${String(run.runId)}>
              <th scope="row"><a href=${href(`/fabrics/${encodePath(id)}/runs/${encodePath(String(run.runId))}`)}>${String(run.runId)}</a></th>
              <td>${String(run.kind)}</td><td>${String(run.trigger ?? "")}</td><td><${Badge} state=${String(run.status)} /></td>
              <td><${When} at=${run.createdAt as string} /></td><td>${duration(run)}</td>
              <td>${run.headAfter && run.headAfter !== run.headBefore ? html`<${Sha} sha=${run.headAfter as string} links=${links} />` : null}
                ${writeBackResult(run)?.pullRequest ? html`<a href=${writeBackResult(run)!.pullRequest!.url} rel="noopener noreferrer" target="_blank">PR #${writeBackResult(run)!.pullRequest!.number}</a>` : null}
                ${!(run.headAfter && run.headAfter !== run.headBefore) && !writeBackResult(run)?.pullRequest ? html`<span class="muted">no commit</span>` : null}</td>
            </tr>`,
          )}</tbody></table>
          ${page.next || cursors.length > 0
            ? html`<nav class="pager" aria-label="Pages">
                <button type="button" disabled=${cursors.length === 0} onClick=${() => setCursors(cursors.slice(0, -1))}>Newer</button>
                <button type="button" disabled=${!page.next} onClick=${() => page.next && setCursors([...cursors, page.next])}>Older</button></nav>`
            : null}`
      : null}
  </div>`;
}

function More({ list }: { list: Listed<unknown> }) {
  return list.total > list.items.length ? html`<p class="muted">… and ${list.total - list.items.length} more</p>` : null;
}

function IdList({ list, empty }: { list: Listed<string>; empty: string }) {
  if (list.total === 0) return html`<p class="muted">${empty}</p>`;
  return html`<ul class="ids">${list.items.map((i) => html`<li><code>${i}</code></li>`)}</ul><${More} list=${list} />`;
}

export function RunPage({ route }: { route: Route }) {
  const { id = "", runId = "" } = route.params;
  const run = useRunPoll(id, runId);
  const [fabric, setFabric] = useState<Obj | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [cancel, setCancel] = useState<"idle" | "sent" | "unavailable">("idle");
  useEffect(() => {
    api.fabric(id).then(setFabric, setError);
  }, [id]);
  const links = gitLinks(fabric);
  if (!run) return html`<div class="page"><${Problem} error=${error} /><${Loading} what="the run" /></div>`;
  const stages = runStages(run);
  const changes = runChanges(run);
  const rejections = runRejections(run);
  const plan = run.kind === "plan" || run.dryRun === true;
  const written = writeBackResult(run);
  // kind check: the plan of a pull request's head (DESIGN §17).
  const pullRequest = isObj(run.pullRequest) ? run.pullRequest : null;

  const doCancel = async () => {
    try {
      await api.cancel(id, runId);
      setCancel("sent");
    } catch (e) {
      if ((e as { unavailable?: boolean }).unavailable) setCancel("unavailable");
      else setError(e);
    }
  };

  return html`<div class="page">
    <nav class="crumbs" aria-label="Breadcrumb"><a href="#/">Fabrics</a> › <a href=${href(`/fabrics/${encodePath(id)}`)}>${id}</a> › <a href=${href(`/fabrics/${encodePath(id)}/runs`)}>Runs</a> › <span aria-current="page">${runId}</span></nav>
    <h1>${run.kind === "check" ? "Check" : plan ? "Plan" : `${String(run.kind)} run`} ${runId}</h1>
    <${Problem} error=${error} />
    <dl class="facts">
      <dt>Status</dt><dd><${Badge} state=${String(run.status)} />${typeof run.error === "string" && run.error ? html` <span class="run-error">${run.error}</span>` : null}</dd>
      <dt>Trigger</dt><dd>${String(run.trigger ?? "")}${run.triggerSha ? html` (push <${Sha} sha=${run.triggerSha as string} links=${links} />)` : null}</dd>
      <dt>Created</dt><dd><${When} at=${run.createdAt as string} /></dd>
      <dt>Finished</dt><dd><${When} at=${run.finishedAt as string} /> ${duration(run)}</dd>
      ${typeof run.after === "string" ? html`<dt>Starts after</dt><dd><a href=${href(`/fabrics/${encodePath(id)}/runs/${encodePath(run.after)}`)}>${run.after}</a></dd>` : null}
      ${pullRequest
        ? html`<dt>Pull request</dt><dd>${typeof pullRequest.url === "string" ? html`<a href=${pullRequest.url} rel="noopener noreferrer" target="_blank">#${String(pullRequest.number)}</a>` : `#${String(pullRequest.number)}`} <code>${String(pullRequest.headRef)}</code> → <code>${String(pullRequest.baseRef)}</code>, head <${Sha} sha=${pullRequest.headSha as string} links=${links} /></dd>`
        : null}
      ${written
        ? html`<dt>Writes back</dt><dd class="writeback" data-sha=${written.commit ?? ""}>${written.mode === "pull-request" ? "as a pull request" : written.mode === "direct" ? "onto the branch" : ""}${written.branch ? html` <code>${written.branch}</code>` : null}${written.commit ? html`, commit <${Sha} sha=${written.commit} links=${links} />` : null}${written.pullRequest ? html`, <a href=${written.pullRequest.url} rel="noopener noreferrer" target="_blank">pull request #${written.pullRequest.number}</a>` : null}${written.note ? html` <span class="muted">(${written.note})</span>` : null}</dd>`
        : null}
      ${Array.isArray(run.actors) && run.actors.length > 0 ? html`<dt>Asked by</dt><dd>${(run.actors as unknown[]).map(String).join(", ")}</dd>` : null}
      <dt>Head</dt><dd><${Sha} sha=${run.headBefore as string} links=${links} /> → <${Sha} sha=${run.headAfter as string} links=${links} /></dd>
    </dl>
    ${isActiveRun(run)
      ? html`<p>${cancel === "unavailable" ? html`<${Unavailable} what="Cancelling a run" />` : html`<button type="button" onClick=${doCancel} disabled=${cancel === "sent"}>${cancel === "sent" ? "Cancel requested" : "Cancel this run"}</button>`}</p>`
      : null}
    <${Section} title="Stages" id="stages">
      <${StageProgress} run=${run} />
      <table class="stage-table"><thead><tr><th scope="col">Stage</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Counts</th><th scope="col">Errors</th></tr></thead>
        <tbody>${stages.map(
          (s) => html`<tr data-stage=${s.name}><th scope="row">${s.name}</th><td><${Badge} state=${s.status} /></td><td><${When} at=${s.startedAt} /></td>
            <td>${Object.entries(s.counts).map(([k, n]) => html`<span class="count-pair">${k} <strong>${n}</strong></span> `)}</td>
            <td>${s.errors.total > 0 ? html`<ul class="errors">${s.errors.items.map((e) => html`<li>${e}</li>`)}</ul><${More} list=${s.errors} />` : html`<span class="muted">none</span>`}</td></tr>`,
        )}</tbody></table>
    <//>
    <${Section} title="Rejected" id="rejections">
      ${rejections.total === 0
        ? html`<p class="muted">Nothing was rejected.</p>`
        : html`<table class="rejections"><thead><tr><th scope="col">File</th><th scope="col">Line</th><th scope="col">Resource</th><th scope="col">Field</th><th scope="col">Rule</th><th scope="col">Message</th></tr></thead>
            <tbody>${rejections.items.map(
              (r) => html`<tr><td><code>${r.file}</code>${r.index !== null ? ` #${r.index}` : ""}</td><td>${r.line ?? ""}</td><td>${[r.kind, r.name].filter(Boolean).join(" ")}</td>
                <td>${r.path ? html`<code>${r.path}</code>` : ""}</td><td>${r.rule ? html`<code>${r.rule}</code>` : ""}</td><td>${r.message}</td></tr>`,
            )}</tbody></table><${More} list=${rejections} />`}
    <//>
    <${Section} title=${plan ? "Would commit" : "Committed"} id="commit">
      ${changes.commits.length > 0 ? html`<p>${changes.commits.map((c) => html`<span>${c.stage}: <${Sha} sha=${c.sha} links=${links} /> </span>`)}</p>` : null}
      ${changes.commit.total === 0 && changes.commits.length === 0 ? html`<p class="muted">${plan ? "Nothing to commit." : "No commit."}</p>` : null}
      ${changes.commit.total > 0
        ? html`<ul class="files">${changes.commit.items.map((f) => html`<li class=${`file file-${f.action}`}><span class="op" aria-label=${f.action}>${f.action === "delete" ? "−" : "+"}</span> <code>${f.path}</code></li>`)}</ul><${More} list=${changes.commit} />`
        : null}
    <//>
    <${Section} title=${plan ? "Would apply" : "Applied"} id="apply"><${IdList} list=${changes.apply} empty=${plan ? "Nothing to apply." : "Nothing applied."} /><//>
    <${Section} title=${plan ? "Would prune" : "Pruned"} id="prune"><${IdList} list=${changes.prune} empty=${plan ? "Nothing to prune." : "Nothing pruned."} /><//>
    ${Object.keys(changes.removedFields).length > 0
      ? html`<${Section} title="Fields removed from the cluster" id="removed"><ul>${Object.entries(changes.removedFields).map(([rid, fields]) => html`<li><code>${rid}</code>: ${fields.map((f) => html`<code>${f}</code> `)}</li>`)}</ul><//>`
      : null}
  </div>`;
}

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
