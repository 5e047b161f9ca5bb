// GitHub traffic of this process, for the metrics of each stage invocation (DESIGN §13): how many
// requests GitHub answered, and the lowest `x-ratelimit-remaining` among those answers (any pool: the
// REST `core` and the GraphQL budgets are separate, and whichever runs low is the one to watch).
// Process-wide, not per client: every GitHub client of a stage counts (the provider's, the feedback's).
// A Lambda runs one invocation at a time, so a window around the stage is exactly its traffic; where
// several stages share a process (the local stack, which publishes no metrics) windows overlap.
// Kept free of Octokit, so that the stage runner can open a window without loading a provider.
// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#checking-the-status-of-your-rate-limit

export interface GitHubTraffic {
  readonly requests: number;
  /** Lowest x-ratelimit-remaining in the window; null when no answer carried one. */
  readonly rateLimitRemaining: number | null;
}

interface Window {
  requests: number;
  lowest: number | null;
}

const open = new Set<Window>();

/** Called by the github client for every answer GitHub gave (any status). */
export function countGitHubAnswer(headers: Headers): void {
  const value = headers.get("x-ratelimit-remaining");
  const remaining = value === null || value.trim() === "" ? Number.NaN : Number(value);
  for (const window of open) {
    window.requests++;
    if (Number.isInteger(remaining) && remaining >= 0) window.lowest = window.lowest === null ? remaining : Math.min(window.lowest, remaining);
  }
}

/** Starts counting; `close()` ends the window and returns what it saw. */
export function openGitHubTrafficWindow(): { close(): GitHubTraffic } {
  const window: Window = { requests: 0, lowest: null };
  open.add(window);
  return {
    close: () => {
      open.delete(window);
      return { requests: window.requests, rateLimitRemaining: window.lowest };
    },
  };
}
