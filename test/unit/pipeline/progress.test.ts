// The stage progress reporter: the first report is written at once, later ones at most once per
// interval, the last of an interval when it ends; a stage no longer running stops it; a failed write
// never fails the stage.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { progressReporter, type ProgressUpdate } from "../../../lib/pipeline/progress.js";

const update = (done: number): ProgressUpdate => ({ phase: "reading", done, total: 100, counts: { files: done } });

describe("progress reporter", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("writes the first report at once and then the newest one per interval, never older than two intervals", async () => {
    const written: number[] = [];
    const reporter = progressReporter(async (u) => (written.push(u.done), true), { intervalMs: 1000, now: () => Date.now() });
    reporter.report(update(1));
    await vi.advanceTimersByTimeAsync(0);
    expect(written).toEqual([1]);
    for (let i = 2; i <= 9; i++) {
      reporter.report(update(i));
      await vi.advanceTimersByTimeAsync(200);
    }
    // 1.6 s after the first write: one more written, the newest at its interval's end.
    expect(written.length).toBe(2);
    expect(written[1]).toBeGreaterThan(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(written.at(-1)).toBe(9);
    // Nothing new: nothing written.
    const count = written.length;
    await vi.advanceTimersByTimeAsync(5000);
    expect(written.length).toBe(count);
    await reporter.stop();
  });

  it("stops when the stage no longer runs, and after stop()", async () => {
    const written: number[] = [];
    let running = true;
    const reporter = progressReporter(async (u) => (written.push(u.done), running), { intervalMs: 1000, now: () => Date.now() });
    reporter.report(update(1));
    await vi.advanceTimersByTimeAsync(0);
    running = false;
    await vi.advanceTimersByTimeAsync(1000);
    reporter.report(update(2));
    await vi.advanceTimersByTimeAsync(1000);
    expect(written).toEqual([1, 2]);
    reporter.report(update(3));
    await vi.advanceTimersByTimeAsync(3000);
    expect(written).toEqual([1, 2]);
    await reporter.stop();
  });

  it("passes a failed write to onError and keeps reporting", async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const reporter = progressReporter(
      async () => {
        calls++;
        if (calls === 1) throw new Error("throttled");
        return true;
      },
      { intervalMs: 1000, now: () => Date.now(), onError: (e) => errors.push(e) },
    );
    reporter.report(update(1));
    await vi.advanceTimersByTimeAsync(0);
    reporter.report(update(2));
    await vi.advanceTimersByTimeAsync(1000);
    expect(errors).toHaveLength(1);
    expect(calls).toBe(2);
    await reporter.stop();
  });
});
