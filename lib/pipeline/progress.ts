// A stage's progress, reported through one throttled reporter (StageContext.progress): the stage says
// where it is as often as it likes; the run record is written at most once per interval, and the last
// report of an interval is written when the interval ends, so that what a reader sees is never older
// than two intervals while the event loop is free. A stage's synchronous steps (planning) cannot be
// interrupted: their phases are reported when they begin and end.
import type { StageProgress } from "./run-model.js";

export const PROGRESS_INTERVAL_MS = 1000;

export interface ProgressUpdate extends StageProgress {
  /** The stage's counts so far (files, documents, applied, ...), shown while it runs. */
  readonly counts?: Readonly<Record<string, number>>;
}

export interface ProgressReporter {
  report(update: ProgressUpdate): void;
  /** Stops reporting; resolves when a write in flight has ended (the stage's final record comes after). */
  stop(): Promise<void>;
}

/**
 * `write` stores one update; it answers false when the stage is no longer running (the reporter then
 * stops), and its failures are passed to `onError` (progress is a courtesy: it never fails a stage).
 */
export function progressReporter(
  write: (update: ProgressUpdate) => Promise<boolean>,
  options: { intervalMs?: number; onError?: (error: unknown) => void; now?: () => number } = {},
): ProgressReporter {
  const interval = options.intervalMs ?? PROGRESS_INTERVAL_MS;
  const now = options.now ?? Date.now;
  let latest: ProgressUpdate | null = null;
  let lastWriteAt = -Infinity;
  let inFlight: Promise<void> | null = null;
  let stopped = false;
  let timer: ReturnType<typeof setInterval> | null = null;

  const flush = () => {
    if (stopped || inFlight || latest === null) return;
    const update = latest;
    latest = null;
    lastWriteAt = now();
    inFlight = write(update)
      .then((running) => {
        if (!running) stopped = true;
      })
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        inFlight = null;
      });
  };

  return {
    report(update) {
      if (stopped) return;
      latest = update;
      if (timer === null) {
        timer = setInterval(flush, interval);
        timer.unref();
      }
      if (now() - lastWriteAt >= interval) flush();
    },
    async stop() {
      stopped = true;
      if (timer !== null) clearInterval(timer);
      await inFlight;
    },
  };
}
