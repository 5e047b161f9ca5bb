// Notices of the local HTTP server: at most N a window, the rest counted in one line.
import { describe, expect, it } from "vitest";
import { RateLimitedLog } from "../../../infra/local/rate-limited-log.js";

describe("RateLimitedLog", () => {
  it("writes the first lines of a window and reports how many it kept back when the next window opens", () => {
    let now = 1_000_000;
    const lines: string[] = [];
    const log = new RateLimitedLog((line) => lines.push(line), 3, 60_000, () => now);
    for (let i = 0; i < 20_000; i++) log.note(`aborted ${i}`);
    expect(lines).toEqual(["aborted 0", "aborted 1", "aborted 2"]);
    now += 60_000;
    log.note("next");
    expect(lines.slice(3)).toEqual(["19997 more like the above in the last 60 s were not logged", "next"]);
  });
});
