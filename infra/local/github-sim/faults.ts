// Faults injected on demand. Each waits for the next request it matches, fires `times` times (default
// once) and is gone.
import type { SimFault, SimRequestMatch } from "./types.js";

interface Armed {
  readonly fault: SimFault;
  remaining: number;
}

function matches(match: SimRequestMatch | undefined, method: string, route: string): boolean {
  return (match?.method === undefined || match.method.toUpperCase() === method) && (match?.route === undefined || match.route === route);
}

const REF_UPDATES = new Set(["PATCH /repos/{owner}/{repo}/git/refs/{ref}", "POST /repos/{owner}/{repo}/git/refs"]);

export class FaultQueue {
  private readonly armed: Armed[] = [];

  add(fault: SimFault): void {
    this.armed.push({ fault, remaining: fault.times ?? 1 });
  }

  /** The fault to apply to this request, consuming one shot of it. */
  take(method: string, route: string): SimFault | undefined {
    const index = this.armed.findIndex(({ fault }) =>
      fault.kind === "branch-race" ? REF_UPDATES.has(`${method} ${route}`) : matches(fault.match, method, route),
    );
    const found = this.armed[index];
    if (!found) return undefined;
    found.remaining -= 1;
    if (found.remaining <= 0) this.armed.splice(index, 1);
    return found.fault;
  }
}
