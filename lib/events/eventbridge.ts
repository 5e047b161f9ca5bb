// Events to an EventBridge bus: PutEvents in requests of at most 10 entries (EventBridge's limit,
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html), entries that come back
// failed (FailedEntryCount: throttling, internal errors) sent again, a few times.
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { EventsUnavailableError } from "./errors.js";
import { EVENT_SOURCE, validateEvent, type FabricEvent } from "./schemas.js";
import type { EventSink } from "./sink.js";

const ENTRIES_PER_REQUEST = 10;
const ATTEMPTS = 3;

const clients = new Map<string, EventBridgeClient>();

function clientFor(region: string, endpoint: string | undefined): EventBridgeClient {
  const key = `${region}|${endpoint ?? ""}`;
  let client = clients.get(key);
  if (!client) {
    client = new EventBridgeClient({ region, ...(endpoint ? { endpoint } : {}) });
    clients.set(key, client);
  }
  return client;
}

export class EventBridgeSink implements EventSink {
  readonly target: string;
  private readonly client: EventBridgeClient;

  constructor(
    private readonly busName: string,
    options: { readonly region: string; readonly endpoint?: string; readonly client?: EventBridgeClient },
  ) {
    this.target = `eventbridge:${busName}`;
    this.client = options.client ?? clientFor(options.region, options.endpoint);
  }

  async publish(events: readonly FabricEvent[]): Promise<void> {
    const entries: PutEventsRequestEntry[] = events.map((event) => ({
      EventBusName: this.busName,
      Source: EVENT_SOURCE,
      DetailType: validateEvent(event).detailType,
      Detail: JSON.stringify(event.detail),
    }));
    for (let i = 0; i < entries.length; i += ENTRIES_PER_REQUEST) await this.send(entries.slice(i, i + ENTRIES_PER_REQUEST));
  }

  private async send(batch: PutEventsRequestEntry[]): Promise<void> {
    let pending = batch;
    let lastError = "";
    for (let attempt = 1; attempt <= ATTEMPTS && pending.length > 0; attempt++) {
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      const out = await this.client.send(new PutEventsCommand({ Entries: pending }));
      if (!out.FailedEntryCount) return;
      // The answer's entries are in request order; a failed one has an ErrorCode.
      const failed = (out.Entries ?? []).map((entry, index) => ({ entry, index })).filter(({ entry }) => entry.ErrorCode);
      lastError = failed.map(({ entry }) => `${entry.ErrorCode}: ${entry.ErrorMessage ?? ""}`)[0] ?? "";
      pending = failed.map(({ index }) => pending[index]!);
    }
    if (pending.length > 0) throw new EventsUnavailableError(`${pending.length} events were not accepted by the bus ${this.busName} (${lastError})`);
  }
}
