// Shared pieces of the console's pages. State is never shown by colour alone: every badge carries a
// symbol and a word; colours only repeat what the text says.
import { h, type ComponentChildren } from "preact";
import htm from "htm";
import { shortSha, STATE_ORDER, type GitLinks, type RollupView } from "../lib/operator/views.js";
import { ApiError } from "./api.js";

export const html = htm.bind(h);

const STATE_SYMBOL: Record<string, string> = {
  synced: "✓",
  committed: "●",
  pending: "◷",
  draft: "✎",
  drifted: "≠",
  orphaned: "⊘",
  pruned: "✕",
  succeeded: "✓",
  failed: "✖",
  cancelled: "⊘",
  running: "▶",
  queued: "◷",
  waiting: "◷",
  skipped: "–",
  initialized: "✓",
  initializing: "◷",
  not_initialized: "○",
  error: "✖",
};

export function Badge({ state, label }: { state: string; label?: string }) {
  return html`<span class=${`badge state-${state}`} data-state=${state}><span aria-hidden="true">${STATE_SYMBOL[state] ?? "•"} </span>${label ?? state.replace(/_/g, " ")}</span>`;
}

export function ErrorMarker({ error }: { error: string | null }) {
  if (!error) return null;
  return html`<span class="error-marker" title=${error}><span aria-hidden="true">⚠ </span>error<span class="visually-hidden">: ${error}</span></span>`;
}

/** Synced/drifted/... as a bar with a legend in words; widths are set through the CSSOM (no inline style attribute). */
export function RollupBar({ rollup, label }: { rollup: RollupView; label: string }) {
  const states = STATE_ORDER.filter((s) => (rollup.byState[s] ?? 0) > 0);
  const total = rollup.total || states.reduce((n, s) => n + (rollup.byState[s] ?? 0), 0);
  const legend = states.map((s) => `${rollup.byState[s]} ${s}`).join(", ") + (rollup.errors ? `; ${rollup.errors} with errors` : "");
  return html`<div class="rollup">
    <div class="bar" role="img" aria-label=${`${label}: ${total ? legend : "no resources"}`}>
      ${states.map((s) => html`<span class=${`seg state-${s}`} style=${{ width: `${(100 * (rollup.byState[s] ?? 0)) / Math.max(total, 1)}%` }}></span>`)}
    </div>
    <div class="legend" aria-hidden="true">
      ${total === 0 ? html`<span>no resources</span>` : states.map((s) => html`<span class="legend-item"><${Badge} state=${s} label=${`${rollup.byState[s]} ${s}`} /></span>`)}
      ${rollup.errors ? html`<span class="legend-item"><${ErrorMarker} error=${`${rollup.errors} resources with errors`} /> ${rollup.errors}</span>` : null}
    </div>
  </div>`;
}

export function When({ at }: { at: string | null | undefined }) {
  if (!at) return html`<span class="muted">—</span>`;
  const d = new Date(at);
  const seconds = Math.round((Date.now() - d.getTime()) / 1000);
  const ago = Math.abs(seconds);
  const text =
    ago < 60 ? `${ago}s` : ago < 3600 ? `${Math.round(ago / 60)}m` : ago < 86400 ? `${Math.round(ago / 3600)}h` : `${Math.round(ago / 86400)}d`;
  return html`<time datetime=${at} title=${d.toISOString()}>${seconds >= 0 ? `${text} ago` : `in ${text}`}</time>`;
}

export function Sha({ sha, links }: { sha: string | null | undefined; links: GitLinks | null }) {
  if (!sha) return html`<span class="muted">—</span>`;
  return links ? html`<a class="sha" href=${links.commit(sha)} rel="noopener noreferrer" target="_blank">${shortSha(sha)}</a>` : html`<code class="sha" title=${sha}>${shortSha(sha)}</code>`;
}

/** A repository path shown from the fabric directory's raw/, managed/ or unmanaged/ on (the whole path on hover). */
export function RepoPath({ path }: { path: string }) {
  const short = path.replace(/^(?:.*\/)?((?:raw|managed|unmanaged)\/)/, "$1");
  return html`<code title=${path}>${short}</code>`;
}

export function GitFile({ path, commit, links }: { path: string | null; commit: string | null; links: GitLinks | null }) {
  if (!path) return html`<span class="muted">—</span>`;
  return links && commit ? html`<a href=${links.file(commit, path)} rel="noopener noreferrer" target="_blank"><${RepoPath} path=${path} /></a>` : html`<${RepoPath} path=${path} />`;
}

export function Problem({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : null;
  return html`<div class="problem" role="alert">
    <strong>${e ? `${e.status} ${e.title}` : "Error"}</strong>
    <p>${e ? e.detail : error instanceof Error ? error.message : String(error)}</p>
    ${e && e.fields.length > 0 ? html`<ul>${e.fields.map((f) => html`<li><code>${f.pointer || "/"}</code> ${f.message}</li>`)}</ul>` : null}
  </div>`;
}

export function Unavailable({ what }: { what: string }) {
  return html`<div class="notice" role="status"><strong>Not available on this server.</strong> ${what} needs a newer API; this page lights up when the server offers it.</div>`;
}

export function Loading({ what }: { what?: string }) {
  return html`<p class="muted" role="status" aria-live="polite">Loading${what ? ` ${what}` : ""}…</p>`;
}

export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  return html`<section aria-labelledby=${`${id ?? title}-h`}><h2 id=${`${id ?? title}-h`}>${title}</h2>${children}</section>`;
}

export const encodePath = (...segments: string[]) => segments.map(encodeURIComponent).join("/");
