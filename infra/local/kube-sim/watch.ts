// Watches as recorded from kube-apiserver: newline-delimited JSON events; without a
// resourceVersion (or with "0") a synthetic ADDED per existing object first; from an older
// revision the history since then; an object that starts or stops matching a selector arrives as
// ADDED or DELETED; a revision older than the history gets one ERROR event (410 Expired) and the
// end of the stream. No bookmarks are sent (none arrived in the recording either).

import type { ApiRequest } from "./api-request.js";
import { metadataOf } from "./json-values.js";
import type { JsonObject } from "./json-values.js";
import { presentAt } from "./object-codec.js";
import { selection, selects } from "./reads.js";
import { storeKey } from "./sim-context.js";
import type { ResourceRequest, SimContext } from "./sim-context.js";
import { badRequest, statusBody } from "./status.js";
import type { ChangeEvent } from "./store.js";

export interface WatchEvent {
  readonly type: "ADDED" | "MODIFIED" | "DELETED" | "ERROR";
  readonly object: JsonObject;
}

export interface WatchSink {
  send(event: WatchEvent): void;
  end(): void;
}

/** kube-apiserver's default is a random 30-60 minutes; watches here last the lower bound. */
const DEFAULT_TIMEOUT_SECONDS = 1800;

function withRevision(obj: JsonObject, revision: number): JsonObject {
  return { ...obj, metadata: { ...metadataOf(obj), resourceVersion: String(revision) } };
}

export interface OpenWatch {
  /** Seconds until the server ends the stream. */
  readonly timeoutSeconds: number;
  /** Stops delivering events (the client went away or the stream ended). */
  readonly stop: () => void;
}

/** Validates the request, then streams into `sink` until stopped. */
export function openWatch(ctx: SimContext, req: ApiRequest, rr: ResourceRequest, sink: WatchSink): OpenWatch {
  const sel = selection(req);
  const rawTimeout = req.query.get("timeoutSeconds");
  const requested = rawTimeout === null || rawTimeout === "" ? 0 : Number(rawTimeout);
  if (!Number.isInteger(requested) || requested < 0) throw badRequest(`invalid timeoutSeconds: ${rawTimeout}`);
  // 0, like no value, means the server's default.
  const timeoutSeconds = requested === 0 ? DEFAULT_TIMEOUT_SECONDS : requested;
  const rawVersion = req.query.get("resourceVersion") ?? "";
  if (rawVersion !== "" && !/^\d+$/.test(rawVersion)) throw badRequest(`invalid resource version: ${rawVersion}`);

  const resource = storeKey(rr.target.type);
  const inScope = (obj: JsonObject): boolean => rr.namespace === "" || metadataOf(obj)["namespace"] === rr.namespace;
  const matches = (obj: JsonObject | undefined): boolean => obj !== undefined && inScope(obj) && selects(sel, obj);
  const deliver = (change: ChangeEvent): void => {
    if (change.resource !== resource) return;
    const now = matches(change.object);
    const before = matches(change.previous);
    if (change.type === "ADDED" && now) sink.send({ type: "ADDED", object: presentAt(change.object, rr.target) });
    if (change.type === "DELETED" && before) sink.send({ type: "DELETED", object: presentAt(change.object, rr.target) });
    if (change.type === "MODIFIED") {
      if (now && before) sink.send({ type: "MODIFIED", object: presentAt(change.object, rr.target) });
      else if (now) sink.send({ type: "ADDED", object: presentAt(change.object, rr.target) });
      else if (before) {
        // It left the selection: its last matching state, at the revision it left.
        sink.send({ type: "DELETED", object: presentAt(withRevision(change.previous as JsonObject, change.revision), rr.target) });
      }
    }
  };

  let stopped = false;
  const unsubscribe = ctx.store.subscribe((change) => {
    if (!stopped) deliver(change);
  });
  const stop = (): void => {
    stopped = true;
    unsubscribe();
  };

  if (rawVersion === "" || rawVersion === "0") {
    for (const entry of ctx.store.list(resource, rr.namespace === "" ? undefined : rr.namespace)) {
      if (matches(entry.object)) sink.send({ type: "ADDED", object: presentAt(entry.object, rr.target) });
    }
  } else {
    const since = Number(rawVersion);
    const history = ctx.store.changesSince(since);
    if (history === undefined) {
      stop();
      sink.send({
        type: "ERROR",
        object: statusBody({ code: 410, reason: "Expired", message: `too old resource version: ${since} (${ctx.store.oldestWatchable})` }),
      });
      sink.end();
      return { timeoutSeconds: 0, stop };
    }
    for (const change of history) deliver(change);
  }
  return { timeoutSeconds, stop };
}
