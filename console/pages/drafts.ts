// Drafts (DESIGN §15): a YAML editor validated as you type (findings at their lines), save as a draft,
// the drafts list, publish (commit or pull request), and adopt cluster-only objects. Every part shows
// "not available on this server" while the API has no such route.
import { useEffect, useRef, useState } from "preact/hooks";
import { findingsOf, gitLinks, isActiveRun, listed, resourceRow, shortSha, writeBackResult, type FindingView, type GitLinks } from "../../lib/operator/views.js";
import { api, ApiError, type Obj } from "../api.js";
import { href, type Route } from "../router.js";
import { Badge, html, Loading, Problem, Section, Sha, Unavailable, encodePath } from "../ui.js";
import { StageProgress, useRunPoll } from "./fabric.js";

const VALIDATE_DELAY_MS = 400;

/** kind and metadata name/namespace of the first document, read from its text (the server parses for real). */
export function identityOf(yaml: string): { kind: string; name: string; namespace: string } {
  const kind = /^kind:\s*["']?([A-Za-z0-9]+)/m.exec(yaml)?.[1] ?? "";
  const meta = /^metadata:\s*\n((?:[ \t]+.*\n?)*)/m.exec(yaml)?.[1] ?? "";
  const name = /^[ \t]+name:\s*["']?([A-Za-z0-9.-]+)/m.exec(meta)?.[1] ?? "";
  const namespace = /^[ \t]+namespace:\s*["']?([A-Za-z0-9.-]+)/m.exec(meta)?.[1] ?? "default";
  return { kind, name, namespace };
}

function Editor({ fabricId, onSaved }: { fabricId: string; onSaved: () => void }) {
  const [text, setText] = useState("");
  const [findings, setFindings] = useState<FindingView[] | null>(null);
  const [validation, setValidation] = useState<"idle" | "checking" | "unavailable">("idle");
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const id = identityOf(text);

  useEffect(() => {
    if (validation === "unavailable" || text.trim() === "") {
      setFindings(null);
      return;
    }
    let live = true;
    const timer = setTimeout(async () => {
      setValidation("checking");
      try {
        const answer = await api.validate(fabricId, text);
        if (live) {
          setFindings(findingsOf(answer));
          setValidation("idle");
        }
      } catch (e) {
        if (!live) return;
        if (e instanceof ApiError && e.unavailable) setValidation("unavailable");
        else if (e instanceof ApiError && e.status === 422) {
          setFindings(findingsOf(e.body).concat(e.fields.map((f) => ({ file: "", line: 1, index: 0, rule: "REQUEST", severity: "error" as const, path: f.pointer, kind: "", name: "", message: f.message }))));
          setValidation("idle");
        } else setValidation("idle");
      }
    }, VALIDATE_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [text, fabricId]);

  const lineCount = Math.max(text.split("\n").length, 12);
  const byLine = new Map<number, FindingView[]>();
  for (const f of findings ?? []) byLine.set(f.line, [...(byLine.get(f.line) ?? []), f]);
  const goTo = (line: number) => {
    const el = area.current;
    if (!el) return;
    const offset = text.split("\n").slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    el.focus();
    el.setSelectionRange(offset, offset);
  };
  const save = async () => {
    setSaveError(null);
    setSaved(null);
    try {
      await api.saveDraft(fabricId, id.kind, id.name, id.namespace, text);
      setSaved(`${id.kind} ${id.name}`);
      onSaved();
    } catch (e) {
      setSaveError(e instanceof ApiError && e.unavailable ? new Error("Saving drafts is not available on this server.") : e);
    }
  };

  const errors = (findings ?? []).filter((f) => f.severity === "error").length;
  return html`<div class="editor-block">
    <label for="draft-yaml">Resource YAML</label>
    <div class="editor">
      <div class="gutter" ref=${gutter} aria-hidden="true">${Array.from({ length: lineCount }, (_, i) => {
        const here = byLine.get(i + 1);
        return html`<div class=${`gutter-line${here ? ` has-${here.some((f) => f.severity === "error") ? "error" : "warning"}` : ""}`} data-line=${i + 1}>${here ? "✖ " : ""}${i + 1}</div>`;
      })}</div>
      <textarea id="draft-yaml" ref=${area} spellcheck=${false} rows=${lineCount} aria-describedby="draft-findings"
        onInput=${(e: Event) => setText((e.target as HTMLTextAreaElement).value)}
        onScroll=${(e: Event) => gutter.current && (gutter.current.scrollTop = (e.target as HTMLTextAreaElement).scrollTop)}>${text}</textarea>
    </div>
    <div id="draft-findings" aria-live="polite">
      ${validation === "unavailable" ? html`<${Unavailable} what="Validation as you type" />` : null}
      ${validation === "checking" ? html`<p class="muted">Checking…</p>` : null}
      ${findings && findings.length === 0 && validation === "idle" ? html`<p class="ok"><span aria-hidden="true">✓ </span>No findings.</p>` : null}
      ${findings && findings.length > 0
        ? html`<ul class="findings">${findings.map(
            (f) => html`<li class=${`finding finding-${f.severity}`} data-line=${f.line}>
              <button type="button" class="linklike" onClick=${() => goTo(f.line)}>line ${f.line}</button>
              <span aria-hidden="true">${f.severity === "error" ? " ✖ " : " ⚠ "}</span><strong>${f.severity}</strong> <code>[${f.rule}]</code> ${f.path ? html`<code>${f.path}</code> ` : null}${f.message}
            </li>`,
          )}</ul>`
        : null}
    </div>
    <p>
      <span class="muted">${id.kind && id.name ? `${id.kind} ${id.namespace}/${id.name}` : "kind and metadata.name are needed to save"}</span>
      ${" "}<button type="button" onClick=${save} disabled=${!id.kind || !id.name || errors > 0}>Save as draft</button>
    </p>
    ${saved ? html`<p class="ok" role="status">Saved the draft of ${saved}.</p>` : null}
    <${Problem} error=${saveError} />
  </div>`;
}

export function DraftsPage({ route }: { route: Route }) {
  const id = route.params.id!;
  const [drafts, setDrafts] = useState<Obj[] | null | "unavailable">(null);
  const [orphans, setOrphans] = useState<Obj[] | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [error, setError] = useState<unknown>(null);
  const [started, setStarted] = useState<Obj | null>(null);
  const [fabric, setFabric] = useState<Obj | null>(null);
  const [reload, setReload] = useState(0);
  const refresh = () => setReload((n) => n + 1);

  useEffect(() => {
    let live = true;
    api.drafts(id).then(
      (answer) => live && setDrafts([...listed<Obj>(answer.items ?? answer).items]),
      (e) => live && (e instanceof ApiError && e.unavailable ? setDrafts("unavailable") : setError(e)),
    );
    api.fabric(id).then(
      (f) => live && setFabric(f),
      (e) => live && setError(e),
    );
    // Cluster-only objects: what adopt takes when given nothing (orphaned, source cluster).
    api.resources(id, { source: "cluster", state: "orphaned" }).then(
      (p) => live && setOrphans(p.items),
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [id, reload]);

  const act = async (what: () => Promise<Obj>, startsRun: boolean) => {
    setError(null);
    if (startsRun) setStarted(null);
    try {
      const answer = await what();
      if (startsRun) {
        setStarted(answer);
        setSelected(new Set());
      }
      refresh();
    } catch (e) {
      setError(e instanceof ApiError && e.unavailable ? new Error("Not available on this server.") : e);
    }
  };
  const key = (r: Obj) => `${String(r.kind)}/${String(r.namespace ?? "default")}/${String(r.name)}`;

  return html`<div class="page">
    <nav class="crumbs" aria-label="Breadcrumb"><a href="#/">Fabrics</a> › <a href=${href(`/fabrics/${encodePath(id)}`)}>${id}</a> › <span aria-current="page">Drafts</span></nav>
    <h1>Drafts of ${id}</h1>
    <${Problem} error=${error} />
    ${drafts === "unavailable" ? html`<${Unavailable} what="Editing resources as drafts, publishing and adopting" />` : null}
    <${Section} title="New or changed resource" id="editor"><${Editor} fabricId=${id} onSaved=${() => setReload(reload + 1)} /><//>
    <${Section} title="Drafts" id="drafts">
      ${drafts === null ? html`<${Loading} what="drafts" />` : null}
      ${Array.isArray(drafts) && drafts.length === 0 ? html`<p class="muted">No drafts.</p>` : null}
      ${Array.isArray(drafts) && drafts.length > 0
        ? html`<table class="drafts"><thead><tr><th scope="col">Kind</th><th scope="col">Name</th><th scope="col">Change</th><th scope="col">Based on</th><th scope="col">Published in</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>${drafts.map((d) => {
              const r = resourceRow(d);
              return html`<tr data-draft=${`${r.kind}/${r.name}`}><td>${r.kind}</td><td>${r.namespace}/${r.name}</td>
                <td><${Badge} state=${d.operation === "delete" || d.deleted === true ? "orphaned" : "draft"} label=${d.operation === "delete" || d.deleted === true ? "delete" : "put"} /></td>
                <td>${d.basePath ? html`<code title=${String(d.baseBlobSha ?? "")}>${String(d.basePath)}</code>` : html`<span class="muted">new in Git</span>`}</td>
                <td>${isObj(d.publishedIn) ? html`${isObj(d.publishedIn.pullRequest) ? html`<a href=${String(d.publishedIn.pullRequest.url)} rel="noopener noreferrer" target="_blank">pull request #${String(d.publishedIn.pullRequest.number)}</a>` : html`branch <code>${String(d.publishedIn.branch)}</code>`}` : html`<span class="muted">not yet</span>`}</td>
                <td><button type="button" onClick=${() => act(() => api.discardDraft(id, r.kind, r.name, r.namespace), false)} aria-label=${`Discard the draft of ${r.kind} ${r.name}`}>Discard</button></td></tr>`;
            })}</tbody></table>
            <p><button type="button" onClick=${() => act(() => api.publish(id), true)}>Publish</button> <span class="muted">${writeBackMode(fabric) === "pull-request" ? "as a pull request on a new branch" : "as one commit on the fabric's branch"} (the fabric's <code>git.writeBack</code>)</span></p>`
        : null}
      <${Conflicts} error=${error} />
      ${started ? html`<${WriteBackOutcome} key=${String(started.runId)} fabricId=${id} started=${started} links=${gitLinks(fabric)} onFinished=${refresh} />` : null}
    <//>
    <${Section} title="Adopt cluster-only objects" id="adopt">
      ${orphans === null ? html`<${Loading} what="cluster-only objects" />` : null}
      ${orphans && orphans.length === 0 ? html`<p class="muted">The cluster holds nothing that Git does not.</p>` : null}
      ${orphans && orphans.length > 0
        ? html`<fieldset><legend>Objects only in the cluster</legend>
            ${orphans.map((o) => {
              const k = key(o);
              return html`<div><label><input type="checkbox" checked=${selected.has(k)} onChange=${(e: Event) => {
                const next = new Set(selected);
                if ((e.target as HTMLInputElement).checked) next.add(k);
                else next.delete(k);
                setSelected(next);
              }} /> ${String(o.kind)} ${String(o.namespace ?? "default")}/${String(o.name)}</label></div>`;
            })}
          </fieldset>
          <button type="button" disabled=${selected.size === 0 || drafts === "unavailable"} onClick=${() =>
            act(() => api.adopt(id, [...selected].map((k) => { const [kind = "", namespace = "", name = ""] = k.split("/"); return { kind, namespace, name }; })), true)}>Adopt selected (${selected.size})</button>`
        : null}
    <//>
  </div>`;
}

const writeBackMode = (fabric: Obj | null) => (isObj(fabric) && isObj(fabric.git) && fabric.git.writeBack === "pull-request" ? "pull-request" : "direct");

/** A publish or adopt run as it goes, then what it wrote: the commit (and the pull request) or why nothing. */
function WriteBackOutcome({ fabricId, started, links, onFinished }: { fabricId: string; started: Obj; links: GitLinks | null; onFinished: () => void }) {
  const runId = typeof started.runId === "string" ? started.runId : null;
  const run = useRunPoll(fabricId, runId, onFinished);
  const result = run ? writeBackResult(run) : null;
  const status = String(run?.status ?? started.status ?? "");
  return html`<div class="banner writeback" role="status" data-run=${runId ?? ""} data-status=${status}>
    <p>${what(started)} run ${runId ? html`<a href=${href(`/fabrics/${encodePath(fabricId)}/runs/${encodePath(runId)}`)}>${runId}</a>` : null} <${Badge} state=${status} />
      ${started.writeBack === "pull-request" ? " as a pull request" : " straight onto the branch"} <code>${String(started.branch ?? "")}</code></p>
    ${run && isActiveRun(run) ? html`<${StageProgress} run=${run} />` : null}
    ${result?.commit ? html`<p class="commit" data-sha=${result.commit}>Commit <${Sha} sha=${result.commit} links=${links} /> <span class="muted">on</span> <code>${result.branch ?? ""}</code></p>` : null}
    ${result?.pullRequest ? html`<p class="pull-request">Pull request <a href=${result.pullRequest.url} rel="noopener noreferrer" target="_blank">#${result.pullRequest.number}</a></p>` : null}
    ${result?.note ? html`<p class="muted">${result.note}</p>` : null}
    ${run && !isActiveRun(run) && typeof run.error === "string" && run.error ? html`<p class="run-error">${run.error}</p>` : null}
  </div>`;
}

const what = (started: Obj) => (typeof started.selected === "number" ? `Adopting ${started.selected} object${started.selected === 1 ? "" : "s"}:` : `Publishing ${String(started.drafts ?? "")} draft${started.drafts === 1 ? "" : "s"}:`);

/** A publish refused because a draft's base file changed in Git (409): each draft and the commit that changed it. */
function Conflicts({ error }: { error: unknown }) {
  const body = error instanceof ApiError && isObj(error.body) ? error.body : null;
  const conflicts = body && Array.isArray(body.conflicts) ? (body.conflicts as Obj[]) : [];
  if (conflicts.length === 0) return null;
  return html`<ul class="conflicts">${conflicts.map((c) => {
    const commit = isObj(c.commit) ? c.commit : null;
    return html`<li><code>${String(c.kind)} ${String(c.namespace)}/${String(c.name)}</code> (${String(c.path)}) changed in Git${commit ? html` by <code>${shortSha(String(commit.sha))}</code> “${String(commit.subject)}”` : null}: discard the draft and draft again</li>`;
  })}</ul>`;
}

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
