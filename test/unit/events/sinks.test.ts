// The event sinks: EventBridge's PutEvents (over its real JSON protocol, against a local endpoint that
// answers as EventBridge does), the local stack's JSON-lines file, and the choice between them.
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createEventSink,
  DETAIL_TYPES,
  EventBridgeSink,
  eventId,
  EventsUnavailableError,
  JsonLinesSink,
  LogOnlySink,
  type FabricEvent,
} from "../../../lib/events/index.js";

interface Entry {
  readonly EventBusName: string;
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
}

const pruned = (n: number): FabricEvent => ({
  detailType: DETAIL_TYPES.objectPruned,
  detail: { v: 1, eventId: eventId("pruned", n), fabricId: "dc1", runId: "r1", resource: { id: `vpc.githedgehog.com/VPC/default/v${n}`, apiVersion: "vpc.githedgehog.com/v1beta1", kind: "VPC", namespace: "default", name: `v${n}` }, gitFilePath: null },
});

describe("EventBridge sink", () => {
  let server: Server;
  let client: EventBridgeClient;
  const requests: Entry[][] = [];
  /** Entries (by Detail's name) refused this many more times. */
  const refuse = new Map<string, number>();

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      request.on("end", () => {
        expect(request.headers["x-amz-target"]).toBe("AWSEvents.PutEvents");
        const entries = (JSON.parse(body) as { Entries: Entry[] }).Entries;
        requests.push(entries);
        const answers = entries.map((entry, i) => {
          const name = (JSON.parse(entry.Detail) as { resource: { name: string } }).resource.name;
          const left = refuse.get(name) ?? 0;
          if (left > 0) {
            refuse.set(name, left - 1);
            return { ErrorCode: "ThrottlingException", ErrorMessage: "Rate exceeded" };
          }
          return { EventId: `e-${requests.length}-${i}` };
        });
        response.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
        response.end(JSON.stringify({ FailedEntryCount: answers.filter((a) => "ErrorCode" in a).length, Entries: answers }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    client = new EventBridgeClient({ region: "us-east-1", endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  });
  afterAll(async () => {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it("puts events on the bus in requests of at most 10 entries, as hedgehog-gitops with their detail-type", async () => {
    requests.length = 0;
    await new EventBridgeSink("hedgehog-gitops", { region: "us-east-1", client }).publish(Array.from({ length: 23 }, (_, i) => pruned(i)));
    expect(requests.map((r) => r.length)).toEqual([10, 10, 3]);
    expect(requests[0]![0]).toEqual({ EventBusName: "hedgehog-gitops", Source: "hedgehog-gitops", DetailType: "Object Pruned", Detail: JSON.stringify(pruned(0).detail) });
  });

  it("sends the entries EventBridge refused again, and only those", async () => {
    requests.length = 0;
    refuse.set("v1", 1);
    await new EventBridgeSink("hedgehog-gitops", { region: "us-east-1", client }).publish([pruned(0), pruned(1), pruned(2)]);
    expect(requests.map((r) => r.map((e) => (JSON.parse(e.Detail) as { resource: { name: string } }).resource.name))).toEqual([["v0", "v1", "v2"], ["v1"]]);
  });

  it("gives up with a retryable error when an entry keeps being refused", async () => {
    refuse.set("v5", 10);
    await expect(new EventBridgeSink("bus", { region: "us-east-1", client }).publish([pruned(5)])).rejects.toThrow(EventsUnavailableError);
    refuse.clear();
  });

  it("refuses an event whose detail does not match its schema before sending anything", async () => {
    requests.length = 0;
    const bad = { detailType: DETAIL_TYPES.objectPruned, detail: { ...pruned(0).detail, extra: true } } as unknown as FabricEvent;
    await expect(new EventBridgeSink("bus", { region: "us-east-1", client }).publish([bad])).rejects.toThrow(/extra/);
    expect(requests).toEqual([]);
  });
});

describe("local sinks and the choice", () => {
  const dir = mkdtempSync(join(tmpdir(), "hh-events-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("appends one EventBridge-shaped line per event to events.jsonl", async () => {
    const file = join(dir, "events.jsonl");
    const sink = new JsonLinesSink(file, { region: "eu-west-1", clock: () => new Date("2026-11-29T10:00:00.123Z") });
    await sink.publish([pruned(1)]);
    await sink.publish([pruned(2)]);
    const lines = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ version: "0", "detail-type": "Object Pruned", source: "hedgehog-gitops", time: "2026-11-29T10:00:00Z", region: "eu-west-1", resources: [], detail: pruned(1).detail });
    expect(lines[0]!.id).not.toBe(lines[1]!.id);
  });

  it("chooses EventBridge when a bus is named, the data dir's file locally, the log otherwise", () => {
    const endpoints = {};
    expect(createEventSink({ region: "us-east-1", eventBusName: "hedgehog-gitops", endpoints }).target).toBe("eventbridge:hedgehog-gitops");
    expect(createEventSink({ region: "us-east-1", endpoints, dataDir: dir }).target).toBe(`jsonl:${join(dir, "events.jsonl")}`);
    expect(createEventSink({ region: "us-east-1", endpoints })).toBeInstanceOf(LogOnlySink);
  });
});
