// Fabrics: each with its roll-up, directory status, mode, last run and next sync; and the register form
// with the API's errors shown at the field their JSON pointer names.
import { useEffect, useState } from "preact/hooks";
import { gitLinks, rollup, type RollupView } from "../../lib/operator/views.js";
import { api, ApiError, type FieldProblem, type Obj } from "../api.js";
import { href } from "../router.js";
import { Badge, html, Loading, Problem, RollupBar, Sha, When } from "../ui.js";

interface Row {
  readonly fabric: Obj;
  readonly status: Obj | null;
  readonly rollup: RollupView;
}

const get = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((v, k) => (typeof v === "object" && v !== null ? (v as Obj)[k] : undefined), o);

function NextSync({ fabric }: { fabric: Obj }) {
  if (get(fabric, "sync", "suspended") === true) return html`<${Badge} state="skipped" label="suspended" />`;
  const next = get(fabric, "nextSyncAt");
  if (typeof next === "string") return html`<${When} at=${next} />`;
  return html`<span>every ${String(get(fabric, "sync", "intervalMinutes") ?? "?")} min</span>`;
}

export function FabricsPage() {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [showForm, setShowForm] = useState(false);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const fabrics = await api.fabrics();
        const statuses = await Promise.all(fabrics.map((f) => api.status(String(f.id)).catch(() => null)));
        if (live) setRows(fabrics.map((fabric, i) => ({ fabric, status: statuses[i] ?? null, rollup: rollup(statuses[i]) })));
      } catch (e) {
        if (live) setError(e);
      }
    })();
    return () => {
      live = false;
    };
  }, [reload]);

  return html`<div class="page">
    <h1>Fabrics</h1>
    <${Problem} error=${error} />
    ${rows === null && !error ? html`<${Loading} what="fabrics" />` : null}
    ${rows && rows.length === 0 ? html`<p>No fabric is registered yet.</p>` : null}
    ${rows && rows.length > 0
      ? html`<table class="fabrics">
          <caption class="visually-hidden">Registered fabrics</caption>
          <thead><tr><th scope="col">Fabric</th><th scope="col">Resources</th><th scope="col">Directory</th><th scope="col">Mode</th><th scope="col">Last run</th><th scope="col">Next sync</th></tr></thead>
          <tbody>
            ${rows.map(({ fabric, status, rollup: r }) => {
              const id = String(fabric.id);
              const last = (status?.lastRun ?? null) as Obj | null;
              const dir = String(get(status, "directory", "status") ?? get(fabric, "directory", "status") ?? "unknown");
              return html`<tr data-fabric=${id}>
                <th scope="row"><a href=${href(`/fabrics/${encodeURIComponent(id)}`)}>${id}</a></th>
                <td><${RollupBar} rollup=${r} label=${`${id} resources`} /></td>
                <td><${Badge} state=${dir} /></td>
                <td>${String(get(fabric, "sync", "mode") ?? "")}${get(fabric, "sync", "prune") === true ? " + prune" : ""}</td>
                <td>${last
                  ? html`<${Badge} state=${String(last.status)} label=${`${String(last.kind)} ${String(last.status)}`} /> <${When} at=${(last.finishedAt ?? last.createdAt) as string} /> <${Sha} sha=${last.headAfter as string} links=${gitLinks(fabric)} />`
                  : html`<span class="muted">none</span>`}</td>
                <td><${NextSync} fabric=${fabric} /></td>
              </tr>`;
            })}
          </tbody>
        </table>`
      : null}
    <p><button type="button" aria-expanded=${showForm} aria-controls="register" onClick=${() => setShowForm(!showForm)}>${showForm ? "Close the form" : "Register a fabric"}</button></p>
    ${showForm ? html`<${RegisterForm} onRegistered=${(id: string) => { setShowForm(false); setReload(reload + 1); location.hash = href(`/fabrics/${encodeURIComponent(id)}`); }} />` : null}
  </div>`;
}

// ---- register ----------------------------------------------------------------------------------

interface FormState {
  name: string;
  provider: "git" | "github";
  url: string;
  owner: string;
  repo: string;
  apiUrl: string;
  credentials: string;
  branch: string;
  directory: string;
  writeBack: "pull-request" | "direct";
  cluster: "none" | "simulated" | "kubeconfig";
  kubeconfig: string;
  mode: "observe" | "apply";
  prune: boolean;
  intervalMinutes: string;
}

const INITIAL: FormState = {
  name: "",
  provider: "git",
  url: "",
  owner: "",
  repo: "",
  apiUrl: "",
  credentials: "",
  branch: "main",
  directory: "",
  writeBack: "pull-request",
  cluster: "none",
  kubeconfig: "",
  mode: "observe",
  prune: false,
  intervalMinutes: "5",
};

/** Which control shows the errors under each JSON pointer of the request body. */
const FIELD_OF_POINTER: readonly [string, keyof FormState][] = [
  ["/name", "name"],
  ["/git/provider", "provider"],
  ["/git/url", "url"],
  ["/git/owner", "owner"],
  ["/git/repo", "repo"],
  ["/git/apiUrl", "apiUrl"],
  ["/git/credentials", "credentials"],
  ["/git/branch", "branch"],
  ["/git/directory", "directory"],
  ["/git/writeBack", "writeBack"],
  ["/git", "provider"],
  ["/cluster/kubeconfig", "kubeconfig"],
  ["/cluster", "cluster"],
  ["/sync/mode", "mode"],
  ["/sync/prune", "prune"],
  ["/sync/intervalMinutes", "intervalMinutes"],
];

export function fieldOf(pointer: string): keyof FormState | null {
  for (const [prefix, field] of FIELD_OF_POINTER) if (pointer === prefix || pointer.startsWith(`${prefix}/`)) return field;
  return null;
}

function body(f: FormState): Obj {
  const git: Obj =
    f.provider === "git"
      ? { provider: "git", url: f.url, ...(f.credentials ? { credentials: f.credentials } : {}) }
      : { provider: "github", owner: f.owner, repo: f.repo, credentials: f.credentials, ...(f.apiUrl ? { apiUrl: f.apiUrl } : {}) };
  if (f.branch) git.branch = f.branch;
  if (f.directory) git.directory = f.directory;
  git.writeBack = f.writeBack;
  return {
    name: f.name,
    git,
    cluster: f.cluster === "none" ? null : f.cluster === "simulated" ? { simulated: true } : { kubeconfig: f.kubeconfig },
    sync: { mode: f.mode, prune: f.prune, intervalMinutes: Number(f.intervalMinutes) },
  };
}

function RegisterForm({ onRegistered }: { onRegistered: (id: string) => void }) {
  const [f, setF] = useState<FormState>(INITIAL);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<keyof FormState, string[]>>>({});
  const [formError, setFormError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => setF({ ...f, [k]: v });

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setFieldErrors({});
    setFormError(null);
    try {
      const fabric = await api.register(body(f));
      onRegistered(String(fabric.id ?? f.name));
    } catch (e) {
      const byField: Partial<Record<keyof FormState, string[]>> = {};
      const unplaced: FieldProblem[] = [];
      if (e instanceof ApiError) for (const p of e.fields) {
        const field = fieldOf(p.pointer);
        if (field) byField[field] = [...(byField[field] ?? []), p.message];
        else unplaced.push(p);
      }
      setFieldErrors(byField);
      if (!(e instanceof ApiError) || e.fields.length === 0 || unplaced.length > 0) setFormError(e instanceof ApiError ? new ApiError(e.status, e.title, e.detail, unplaced) : e);
      // Focus the first field the API named, so a keyboard user lands on it.
      const first = Object.keys(byField)[0];
      if (first) queueMicrotask(() => document.getElementById(`f-${first}`)?.focus());
    } finally {
      setBusy(false);
    }
  };

  const field = (name: keyof FormState, label: string, control: unknown, hint?: string) => {
    const errors = fieldErrors[name] ?? [];
    const described = [hint ? `f-${name}-hint` : "", errors.length ? `f-${name}-error` : ""].filter(Boolean).join(" ");
    return html`<div class=${`field${errors.length ? " invalid" : ""}`} data-field=${name}>
      <label for=${`f-${name}`}>${label}</label>
      ${typeof control === "function" ? (control as (a: Obj) => unknown)({ id: `f-${name}`, "aria-invalid": errors.length > 0, "aria-describedby": described || undefined }) : control}
      ${hint ? html`<small id=${`f-${name}-hint`}>${hint}</small>` : null}
      ${errors.length ? html`<p class="field-error" id=${`f-${name}-error`} role="alert"><span aria-hidden="true">✖ </span>${errors.join("; ")}</p>` : null}
    </div>`;
  };
  const text = (name: keyof FormState, extra: Obj = {}) => (a: Obj) =>
    html`<input ...${a} ...${extra} value=${String(f[name])} onInput=${(e: Event) => set(name, (e.target as HTMLInputElement).value as never)} />`;

  return html`<form id="register" class="register" onSubmit=${submit} aria-labelledby="register-h" novalidate>
    <h2 id="register-h">Register a fabric</h2>
    ${field("name", "Name", text("name", { required: true, autocomplete: "off" }), "a DNS label: lowercase letters, digits and '-'")}
    <fieldset><legend>Git</legend>
      ${field("provider", "Provider", (a: Obj) => html`<select ...${a} value=${f.provider} onChange=${(e: Event) => set("provider", (e.target as HTMLSelectElement).value as FormState["provider"])}>
        <option value="git">git (a bare repository or an https remote)</option><option value="github">GitHub</option></select>`)}
      ${f.provider === "git"
        ? field("url", "Repository URL or path", text("url", { required: true }), "a bare repository path, or https://…")
        : html`${field("owner", "Owner", text("owner", { required: true }))}${field("repo", "Repository", text("repo", { required: true }))}
            ${field("apiUrl", "API URL (GitHub Enterprise)", text("apiUrl"), "leave empty for github.com")}`}
      ${field("credentials", "Credentials (secret reference)", text("credentials"), "aws-sm:…, env:HH_GITOPS_SECRET_…, file:…; never the secret itself")}
      ${field("branch", "Branch", text("branch"))}
      ${field("directory", "Directory", text("directory"), "default gitops/hedgehog/<name>")}
      ${field("writeBack", "Publish and adopt write", (a: Obj) => html`<select ...${a} value=${f.writeBack} onChange=${(e: Event) => set("writeBack", (e.target as HTMLSelectElement).value as FormState["writeBack"])}>
        <option value="pull-request">a pull request (a new branch)</option><option value="direct">one commit on the branch</option></select>`)}
    </fieldset>
    <fieldset><legend>Cluster</legend>
      ${field("cluster", "Cluster", (a: Obj) => html`<select ...${a} value=${f.cluster} onChange=${(e: Event) => set("cluster", (e.target as HTMLSelectElement).value as FormState["cluster"])}>
        <option value="none">none (resources stay committed)</option><option value="simulated">the local stack's simulated cluster</option><option value="kubeconfig">a kubeconfig (secret reference)</option></select>`)}
      ${f.cluster === "kubeconfig" ? field("kubeconfig", "Kubeconfig", text("kubeconfig", { required: true }), "a secret reference") : null}
    </fieldset>
    <fieldset><legend>Sync</legend>
      ${field("mode", "Mode", (a: Obj) => html`<select ...${a} value=${f.mode} onChange=${(e: Event) => set("mode", (e.target as HTMLSelectElement).value as FormState["mode"])}>
        <option value="observe">observe (report only)</option><option value="apply">apply (Git to the cluster)</option></select>`)}
      ${field("prune", "Prune orphans this engine created", (a: Obj) => html`<input type="checkbox" ...${a} checked=${f.prune} onChange=${(e: Event) => set("prune", (e.target as HTMLInputElement).checked)} />`)}
      ${field("intervalMinutes", "Interval (minutes)", text("intervalMinutes", { inputmode: "numeric" }))}
    </fieldset>
    <${Problem} error=${formError} />
    <button type="submit" disabled=${busy}>${busy ? "Registering…" : "Register"}</button>
  </form>`;
}
