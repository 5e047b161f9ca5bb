// How the CLI prints: aligned tables for people, JSON for scripts, and a run's stages as live lines
// on a terminal or as plain lines (one per change) otherwise.
import { runStages, type StageView } from "../lib/operator/views.js";

export interface Out {
  readonly json: boolean;
  readonly tty: boolean;
  write(text: string): void;
  error(text: string): void;
}

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(headers), ...rows.map(line)].join("\n") + "\n";
}

export function ago(at: unknown, now = Date.now()): string {
  if (typeof at !== "string") return "-";
  const s = Math.round((now - Date.parse(at)) / 1000);
  const a = Math.abs(s);
  const t = a < 60 ? `${a}s` : a < 3600 ? `${Math.round(a / 60)}m` : a < 86400 ? `${Math.round(a / 3600)}h` : `${Math.round(a / 86400)}d`;
  return s >= 0 ? `${t} ago` : `in ${t}`;
}

export function stageLine(s: StageView): string {
  const progress = s.progress ? ` ${s.progress.done}/${s.progress.total}` : "";
  const counts = Object.entries(s.counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k}=${n}`)
    .join(" ");
  return `${s.name.padEnd(9)} ${s.status}${progress}${counts ? `  ${counts}` : ""}`;
}

/** Prints a run's stages as they change: redrawn in place on a terminal, appended lines otherwise. */
export class RunProgress {
  private drawn = 0;
  private readonly seen = new Map<string, string>();

  constructor(private readonly out: Out) {}

  update(run: Record<string, unknown>): void {
    const lines = [`run ${String(run.runId)} ${String(run.status)}`, ...runStages(run).map((s) => `  ${stageLine(s)}`)];
    if (this.out.tty) {
      // Move up over what was drawn, clear to the end of the screen, draw again.
      if (this.drawn > 0) this.out.write(`\x1b[${this.drawn}A\x1b[J`);
      this.out.write(`${lines.join("\n")}\n`);
      this.drawn = lines.length;
      return;
    }
    const statusKey = `run:${String(run.status)}`;
    if (!this.seen.has(statusKey)) {
      this.seen.set(statusKey, "");
      this.out.write(`${lines[0]}\n`);
    }
    for (const s of runStages(run)) {
      // Counts change on every poll while a stage runs; a plain log gets a line per status or progress step.
      const key = `${s.status}${s.progress ? ` ${s.progress.done}/${s.progress.total}` : ""}`;
      if (this.seen.get(s.name) === key) continue;
      this.seen.set(s.name, key);
      this.out.write(`  ${stageLine(s)}\n`);
    }
  }
}
