// hh-gitops: the command line over the API (DESIGN §16), plus `validate`, which runs offline with the
// engine's own parser, schemas and rules. Exit codes: 0 done; 1 the run failed or validation found
// errors; 2 a usage, connection or API error.
import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import {
  driftOf,
  findingLine,
  isActiveRun,
  listed,
  resourceRow,
  rollup,
  attention,
  runChanges,
  runRejections,
  runStages,
  shortSha,
  STATE_ORDER,
  writeBackResult,
  type Json,
} from "../lib/operator/views.js";
import { ApiError, Client, ConnectionError, operations, type Obj, type Operations } from "./client.js";
import { ago, RunProgress, stageLine, table, type Out } from "./output.js";

const POLL_MS = 500;

interface Globals {
  url: string;
  aws: boolean;
  json: boolean;
}

/** A failure that decides the exit code by itself (a failed run, validation errors). */
class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export interface MainIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: { write(s: string): unknown; isTTY?: boolean };
  readonly stderr: { write(s: string): unknown };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForRun(ops: Operations, fabric: string, runId: string, timeoutSeconds: number, progress?: RunProgress): Promise<Obj> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const run = await ops.run(fabric, runId);
    progress?.update(run);
    if (!isActiveRun(run)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} is still ${String(run.status)} after ${timeoutSeconds}s (it goes on; see hh-gitops runs ${fabric})`);
    await sleep(POLL_MS);
  }
}

function runSummary(run: Obj, withStages = true): string {
  const parts = withStages ? runStages(run).map((s) => stageLine(s)) : [];
  const rejected = runRejections(run);
  const lines = [`run ${String(run.runId)} ${String(run.status)}${typeof run.error === "string" && run.error ? `: ${run.error}` : ""}`, ...parts.map((p) => `  ${p}`)];
  for (const r of rejected.items) lines.push(`  rejected ${r.file}${r.line ? `:${r.line}` : ""}: ${r.rule ? `[${r.rule}] ` : ""}${r.path ? `${r.path}: ` : ""}${r.message}`);
  if (rejected.total > rejected.items.length) lines.push(`  … and ${rejected.total - rejected.items.length} more rejected`);
  for (const s of runStages(run)) for (const e of s.errors.items) lines.push(`  ${s.name} error: ${e}`);
  return `${lines.join("\n")}\n`;
}

/** `group/Kind/namespace/name` → its parts. */
function parseId(id: string): { kind: string; namespace: string; name: string } | null {
  const parts = id.split("/");
  if (parts.length < 4) return null;
  return { kind: parts[parts.length - 3]!, namespace: parts[parts.length - 2]!, name: parts[parts.length - 1]! };
}

const show = (v: unknown) => (v === undefined ? "(absent)" : typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v));

/** The plan as a diff: files to commit, objects to apply (with the fields that differ) and to prune. */
async function renderPlan(ops: Operations, fabric: string, run: Obj): Promise<string> {
  const c = runChanges(run);
  const out: string[] = [`plan ${String(run.runId)} ${String(run.status)}${typeof run.error === "string" && run.error ? `: ${run.error}` : ""}`];
  out.push(c.commit.total === 0 ? "would commit nothing" : `would commit ${c.commit.total} file${c.commit.total === 1 ? "" : "s"}:`);
  for (const f of c.commit.items) out.push(`  ${f.action === "delete" ? "-" : "+"} ${f.path}`);
  if (c.commit.total > c.commit.items.length) out.push(`  … and ${c.commit.total - c.commit.items.length} more`);
  out.push(c.apply.total === 0 ? "would apply nothing" : `would apply ${c.apply.total} object${c.apply.total === 1 ? "" : "s"}:`);
  // The fields of objects the cluster holds differently, from each resource's recorded drift (first 50).
  for (const id of c.apply.items) {
    const recorded = c.fields[id];
    let drift = recorded?.fields ?? [];
    let exists = recorded !== undefined;
    if (!c.fieldsRecorded) {
      // Before plans recorded their fields: the resource's last observed drift.
      const parsed = parseId(id);
      const detail = parsed ? await ops.resource(fabric, parsed.kind, parsed.name, parsed.namespace).catch(() => null) : null;
      drift = detail ? driftOf(detail) : [];
      exists = detail !== null && detail.state !== "committed";
    }
    out.push(`  ${exists ? "~" : "+"} ${id}`);
    for (const d of drift) out.push(`      ${d.path}: ${d.absent === "live" ? "(absent)" : show(d.live)} -> ${d.absent === "desired" ? "(removed)" : show(d.desired)}`);
    if (recorded && recorded.total > recorded.fields.length) out.push(`      … and ${recorded.total - recorded.fields.length} more fields`);
  }
  if (c.apply.total > c.apply.items.length) out.push(`  … and ${c.apply.total - c.apply.items.length} more`);
  out.push(c.prune.total === 0 ? "would prune nothing" : `would prune ${c.prune.total} object${c.prune.total === 1 ? "" : "s"}:`);
  for (const id of c.prune.items) out.push(`  - ${id}`);
  if (c.prune.total > c.prune.items.length) out.push(`  … and ${c.prune.total - c.prune.items.length} more`);
  const rejected = runRejections(run);
  if (rejected.total > 0) {
    out.push(`would reject ${rejected.total}:`);
    for (const r of rejected.items) out.push(`  ${r.file}${r.line ? `:${r.line}` : ""}: ${r.rule ? `[${r.rule}] ` : ""}${r.message}`);
  }
  return `${out.join("\n")}\n`;
}

async function allResources(ops: Operations, fabric: string, q: { kind?: string; state?: string; source?: string; error?: boolean }, max: number): Promise<Obj[]> {
  const items: Obj[] = [];
  let cursor: string | undefined;
  do {
    const page = await ops.resources(fabric, { ...q, ...(cursor ? { cursor } : {}) });
    items.push(...((page.items as Obj[] | undefined) ?? []));
    cursor = typeof page.next === "string" ? page.next : undefined;
  } while (cursor && items.length < max);
  return items.slice(0, max);
}

export function program(io: MainIo): Command {
  const out: Out = {
    get json() {
      return globals().json;
    },
    tty: Boolean(io.stdout.isTTY),
    write: (s) => io.stdout.write(s),
    error: (s) => io.stderr.write(s),
  };
  const cmd = new Command("hh-gitops")
    .description("The hedgehog-gitops API from the command line; `validate` works offline.")
    .addOption(new Option("--url <url>", "API base URL").env("HH_GITOPS_URL").default("http://127.0.0.1:3000"))
    .option("--aws", "sign requests with SigV4 from the default AWS credential chain (IAM auth)", false)
    .option("--json", "print the API's JSON instead of tables", false)
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride();
  const globals = () => cmd.opts<Globals>();
  const ops = () => operations(new Client({ url: globals().url, aws: globals().aws, env: io.env }));
  const json = (value: unknown) => out.write(`${JSON.stringify(value, null, 2)}\n`);

  cmd
    .command("fabrics")
    .description("list fabrics with their resource roll-up, mode and last run")
    .action(async () => {
      const o = ops();
      const fabrics = await o.fabrics();
      const statuses = await Promise.all(fabrics.map((f) => o.status(String(f.id)).catch(() => null)));
      if (out.json) return json(fabrics.map((f, i) => ({ ...f, status: statuses[i] })));
      const rows = fabrics.map((f, i) => {
        const s = statuses[i];
        const r = rollup(s);
        const last = (s?.lastRun ?? null) as Obj | null;
        const sync = (f.sync ?? {}) as Obj;
        return [
          String(f.id),
          `${String(sync.mode ?? "")}${sync.prune ? "+prune" : ""}`,
          String(((s?.directory ?? f.directory ?? {}) as Obj).status ?? ""),
          String(r.total),
          STATE_ORDER.filter((st) => r.byState[st]).map((st) => `${st} ${r.byState[st]}`).join(", ") || "-",
          String(r.errors),
          last ? `${String(last.kind)} ${String(last.status)} ${ago(last.finishedAt ?? last.createdAt)}` : "-",
        ];
      });
      out.write(table(["FABRIC", "MODE", "DIRECTORY", "RESOURCES", "STATES", "ERRORS", "LAST RUN"], rows));
    });

  cmd
    .command("status <fabric>")
    .description("directory, last run and resource counts of a fabric")
    .action(async (fabric: string) => {
      const status = await ops().status(fabric);
      if (out.json) return json(status);
      const r = rollup(status);
      const dir = (status.directory ?? {}) as Obj;
      out.write(`fabric    ${fabric}\ndirectory ${String(dir.status ?? "?")}${dir.error ? ` (${String(dir.error)})` : ""}\n`);
      out.write(`resources ${r.total}: ${STATE_ORDER.filter((s) => r.byState[s]).map((s) => `${s} ${r.byState[s]}`).join(", ") || "none"}; errors ${r.errors}; from Git ${r.fromGit}\n`);
      for (const [list, named] of Object.entries(attention(status))) {
        if (named.total === 0) continue;
        out.write(`${list.padEnd(9)} ${named.total}: ${named.items.map((n) => `${n.kind} ${n.namespace}/${n.name}${n.error ? ` (${n.error})` : ""}`).join(", ")}${named.total > named.items.length ? `, … ${named.total - named.items.length} more` : ""}\n`);
      }
      const rejections = status.rejections as Obj | null | undefined;
      const sameRun = (status.lastRun as Obj | null)?.runId === rejections?.runId;
      // The last run's own rejections are shown with it; an earlier ingest's below.
      const last = status.lastRun ? { ...(status.lastRun as Obj), ...(sameRun && rejections ? { rejections } : {}) } : null;
      if (last) out.write(`last run  ${runSummary(last).replace(/\n(?!$)/g, "\n          ")}`);
      else out.write("last run  none\n");
      if (rejections && typeof rejections.runId === "string" && !sameRun) {
        const rejected = runRejections({ rejections });
        for (const r of rejected.items) out.write(`rejected  ${r.file}${r.line ? `:${r.line}` : ""}: ${r.rule ? `[${r.rule}] ` : ""}${r.path ? `${r.path}: ` : ""}${r.message} (run ${rejections.runId})\n`);
      }
    });

  const startAndWait = (kind: "sync" | "init") =>
    async (fabric: string, opts: { wait?: boolean; timeout: string }) => {
      const o = ops();
      const started = await o.start(fabric, kind);
      const runId = String(started.runId);
      if (!opts.wait) {
        if (out.json) return json(started);
        out.write(`run ${runId} ${String(started.status)}${typeof started.after === "string" ? ` (starts after ${started.after})` : ""}\n  follow it: hh-gitops run ${fabric} ${runId}\n`);
        return;
      }
      const run = await waitForRun(o, fabric, runId, Number(opts.timeout), out.json ? undefined : new RunProgress(out));
      if (out.json) json(run);
      // The stages were printed as they changed; then the outcome with its reasons.
      else if (!out.tty) out.write(runSummary(run, false));
      if (run.status !== "succeeded") throw new ExitCode(1);
    };
  for (const kind of ["sync", "init"] as const) {
    cmd
      .command(`${kind} <fabric>`)
      .description(kind === "sync" ? "start a sync run (init if needed, ingest, reconcile); it is asynchronous" : "start a run that ensures the GitOps layout")
      .option("--wait", "wait for the run and show each stage's progress; exit 0 if it succeeded, 1 otherwise")
      .option("--timeout <seconds>", "give up waiting after this long", "600")
      .action(startAndWait(kind));
  }

  cmd
    .command("plan <fabric>")
    .description("a dry run of sync: what would be committed, applied (with the fields that differ) and pruned")
    .option("--timeout <seconds>", "give up waiting after this long", "600")
    .action(async (fabric: string, opts: { timeout: string }) => {
      const o = ops();
      const started = await o.start(fabric, "plan");
      const run = await waitForRun(o, fabric, String(started.runId), Number(opts.timeout));
      if (out.json) json(run);
      else out.write(await renderPlan(o, fabric, run));
      if (run.status !== "succeeded") throw new ExitCode(1);
    });

  cmd
    .command("resources <fabric>")
    .description("resources with state, error and Git attribution")
    .option("--kind <kind>", "one kind (Kind, plural or short name)")
    .option("--state <state>", `one state (${STATE_ORDER.join(", ")})`)
    .option("--source <source>", "git, cluster or api")
    .option("--errors", "only resources with an error")
    .option("--max <n>", "stop after this many", "10000")
    .action(async (fabric: string, opts: { kind?: string; state?: string; source?: string; errors?: boolean; max: string }) => {
      const items = await allResources(ops(), fabric, { ...opts, error: Boolean(opts.errors) }, Number(opts.max));
      if (out.json) return json(items);
      const rows = items.map((i) => {
        const r = resourceRow(i);
        return [r.kind, `${r.namespace}/${r.name}`, r.state, r.error ? `ERROR ${r.error}` : "", r.gitFilePath ?? (r.source === "cluster" ? "(cluster only)" : "-"), shortSha(r.gitCommitSha) || "-"];
      });
      out.write(table(["KIND", "NAME", "STATE", "ERROR", "FILE", "COMMIT"], rows));
    });

  cmd
    .command("drift <fabric>")
    .description("drifted resources, field by field: Git's value and the cluster's")
    .action(async (fabric: string) => {
      const o = ops();
      const drifted = await allResources(o, fabric, { state: "drifted" }, 500);
      const details = await Promise.all(drifted.map((d) => { const r = resourceRow(d); return o.resource(fabric, r.kind, r.name, r.namespace); }));
      if (out.json) return json(details);
      if (details.length === 0) return out.write("no drift\n");
      for (const d of details) {
        const r = resourceRow(d);
        out.write(`${r.kind} ${r.namespace}/${r.name}${r.gitFilePath ? ` (${r.gitFilePath})` : ""}\n`);
        for (const f of driftOf(d)) out.write(`  ${f.path}: git ${f.absent === "desired" ? "(absent)" : show(f.desired)}, cluster ${f.absent === "live" ? "(absent)" : show(f.live)}\n`);
      }
    });

  cmd
    .command("runs <fabric>")
    .description("runs, newest first")
    .option("--limit <n>", "how many", "20")
    .action(async (fabric: string, opts: { limit: string }) => {
      const answer = await ops().runs(fabric, { limit: Number(opts.limit) });
      if (out.json) return json(answer);
      const rows = listed<Obj>(answer.items).items.map((r) => [
        String(r.runId),
        String(r.kind),
        String(r.trigger ?? ""),
        String(r.status),
        ago(r.createdAt),
        r.headAfter && r.headAfter !== r.headBefore ? shortSha(String(r.headAfter)) : "-",
      ]);
      out.write(table(["RUN", "KIND", "TRIGGER", "STATUS", "CREATED", "COMMIT"], rows));
    });

  cmd
    .command("run <fabric> <runId>")
    .description("one run: stages, counts, rejections, commits")
    .action(async (fabric: string, runId: string) => {
      const run = await ops().run(fabric, runId);
      if (out.json) return json(run);
      out.write(runSummary(run));
      const c = runChanges(run);
      for (const commit of c.commits) out.write(`  ${commit.stage} commit ${commit.sha}\n`);
      for (const id of c.apply.items) out.write(`  applied ${id}\n`);
      for (const id of c.prune.items) out.write(`  pruned ${id}\n`);
    });

  cmd
    .command("cancel <fabric> <runId>")
    .description("cancel a run (it ends at its next stage boundary)")
    .action(async (fabric: string, runId: string) => {
      const answer = await ops().cancel(fabric, runId);
      if (out.json) return json(answer);
      out.write(`run ${runId} ${String(answer.status ?? "cancel requested")}\n`);
    });

  cmd
    .command("validate <files...>")
    .description("validate Hedgehog YAML offline with the engine's parser, schemas and rules; prints file:line: [RULE] message, exit 1 on errors")
    .option("--release <release>", "judge by another bundled CRD set")
    .option("--settings <file>", "the fabric's hedgehog settings (JSON), for the rules that need them")
    .action(async (files: string[], opts: { release?: string; settings?: string }) => {
      const { bundledCatalogs, bundledReleases, validateFiles, hasErrors } = await import("../lib/hedgehog/index.js");
      const catalog = opts.release ? bundledCatalogs.get(opts.release) : undefined;
      if (opts.release && !catalog) throw new UsageError(`--release ${opts.release}: bundled sets are ${bundledReleases.join(", ")}`);
      const settings = opts.settings ? (JSON.parse(readFileSync(opts.settings, "utf8")) as Record<string, unknown>) : {};
      const inputs = files.map((path) => {
        try {
          return { path, content: readFileSync(path) };
        } catch (error) {
          throw new UsageError(`${path}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`);
        }
      });
      const findings = validateFiles(inputs, { ...(catalog ? { catalog } : {}), settings });
      if (out.json) json(findings as unknown as Json);
      else {
        for (const f of findings) out.write(`${findingLine(f)}\n`);
        const errors = findings.filter((f) => f.severity === "error").length;
        out.error(`${files.length} file${files.length === 1 ? "" : "s"}: ${errors} error${errors === 1 ? "" : "s"}, ${findings.length - errors} warning${findings.length - errors === 1 ? "" : "s"}\n`);
      }
      if (hasErrors(findings)) throw new ExitCode(1);
    });

  cmd
    .command("drafts <fabric>")
    .description("resources changed through the API and not yet published")
    .action(async (fabric: string) => {
      const answer = await ops().drafts(fabric);
      if (out.json) return json(answer);
      const items = listed<Obj>(answer.items ?? answer).items;
      if (items.length === 0) return out.write("no drafts\n");
      out.write(table(["KIND", "NAME", "CHANGE", "FILE", "BASED ON", "PUBLISHED IN", "BY"], items.map((d) => {
        const r = resourceRow(d);
        const published = (d.publishedIn ?? null) as Obj | null;
        const pr = (published?.pullRequest ?? null) as Obj | null;
        return [
          r.kind,
          `${r.namespace}/${r.name}`,
          d.operation === "delete" ? "delete" : "put",
          String(d.path ?? ""),
          d.baseBlobSha ? `blob ${shortSha(String(d.baseBlobSha))}` : "new",
          pr ? `PR #${String(pr.number)}` : published ? `branch ${String(published.branch)}` : "-",
          String(d.actor ?? ""),
        ];
      })));
      const total = typeof answer.total === "number" ? answer.total : items.length;
      out.write(`${total} draft${total === 1 ? "" : "s"}; publish them with: hh-gitops publish ${fabric} --wait\n`);
    });

  cmd
    .command("publish <fabric>")
    .description("write every draft to Git as one commit, or a pull request (the fabric's git.writeBack); prints the run, then with --wait the commit and pull request")
    .option("--wait", "wait for the publish run (and the sync it goes on with); exit 1 unless it succeeds")
    .option("--timeout <seconds>", "give up waiting after this long", "600")
    .action(async (fabric: string, opts: { wait?: boolean; timeout: string }) => {
      const o = ops();
      await writeBack(o, fabric, await o.publish(fabric), opts);
    });

  cmd
    .command("adopt <fabric> [ids...]")
    .description("write cluster-only objects into Git as the cluster holds them: all of them, the ids given as Kind/namespace/name, or every one of --kind")
    .option("--kind <kind...>", "every cluster-only object of these kinds")
    .option("--wait", "wait for the adopt run (and the sync it goes on with); exit 1 unless it succeeds")
    .option("--timeout <seconds>", "give up waiting after this long", "600")
    .action(async (fabric: string, ids: string[], opts: { kind?: string[]; wait?: boolean; timeout: string }) => {
      const resources = ids.map((id) => {
        const [kind = "", namespace = "", name = ""] = id.split("/");
        if (!kind || !namespace || !name) throw new UsageError(`${id}: give Kind/namespace/name`);
        return { kind, namespace, name };
      });
      const o = ops();
      await writeBack(o, fabric, await o.adopt(fabric, { ...(resources.length > 0 ? { resources } : {}), ...(opts.kind ? { kinds: opts.kind } : {}) }), opts);
    });

  /** A publish or adopt started: the run, where it writes, and with --wait the commit (and pull request) it made. */
  async function writeBack(o: ReturnType<typeof ops>, fabric: string, started: Obj, opts: { wait?: boolean; timeout: string }): Promise<void> {
    const runId = String(started.runId);
    if (!out.json) out.write(`run ${runId} ${String(started.status)}: ${started.writeBack === "pull-request" ? "a pull request from branch" : "a commit on branch"} ${String(started.branch)}\n`);
    const run = opts.wait ? await waitForRun(o, fabric, runId, Number(opts.timeout), out.json ? undefined : new RunProgress(out)) : null;
    if (out.json) return json(run ?? started);
    if (run) {
      const result = writeBackResult(run);
      out.write(
        [
          // The progress lines ended with the run's status; its reason, when it failed:
          typeof run.error === "string" && run.error ? `error: ${run.error}` : null,
          result?.commit ? `commit ${result.commit}${result.branch ? ` on ${result.branch}` : ""}` : null,
          result?.pullRequest ? `pull request #${result.pullRequest.number} ${result.pullRequest.url}` : null,
          ...(result ? result.files.items.map((f) => `  ${f.action.padEnd(6)} ${f.path}`) : []),
          result && result.files.total > result.files.items.length ? `  … and ${result.files.total - result.files.items.length} more` : null,
          result?.note ? `note: ${result.note}` : null,
        ]
          .filter((l) => l !== null)
          .join("\n") + "\n",
      );
      if (run.status !== "succeeded") throw new ExitCode(1);
    } else out.write(`  follow it: hh-gitops run ${fabric} ${runId}\n`);
  }

  return cmd;
}

class UsageError extends Error {}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: readonly string[], io: MainIo = { env: process.env, stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const cmd = program(io);
  try {
    await cmd.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof ExitCode) return error.code;
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof ApiError) {
      io.stderr.write(`error: ${error.message}\n${error.fields.map((f) => `  ${f.pointer || "/"}: ${f.message}\n`).join("")}`);
      if (error.unavailable) io.stderr.write("  (this server does not offer that route yet)\n");
      return 2;
    }
    if (error instanceof ConnectionError || error instanceof UsageError) {
      io.stderr.write(`error: ${error.message}\n`);
      return 2;
    }
    io.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}
