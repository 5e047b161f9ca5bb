// At most `perWindow` lines per window; the rest are counted and reported in one line when the next
// window opens. Aborted and timed-out connections are worth knowing about, but 20,000 of them must not
// become 20,000 log lines.
export class RateLimitedLog {
  private windowStart = 0;
  private written = 0;
  private suppressed = 0;

  constructor(
    private readonly write: (line: string) => void,
    private readonly perWindow = 10,
    private readonly windowMs = 60_000,
    private readonly clock: () => number = Date.now,
  ) {}

  note(line: string): void {
    const now = this.clock();
    if (now - this.windowStart >= this.windowMs) {
      if (this.suppressed > 0) this.write(`${this.suppressed} more like the above in the last ${Math.round(this.windowMs / 1000)} s were not logged`);
      this.windowStart = now;
      this.written = 0;
      this.suppressed = 0;
    }
    if (this.written < this.perWindow) {
      this.written++;
      this.write(line);
    } else {
      this.suppressed++;
    }
  }
}
