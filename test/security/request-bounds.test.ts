// Findings: the local HTTP server had no connection limit or header timeout (20,000 slow connections
// made it unresponsive and starved DynamoDB calls with EMFILE); POST /fabrics accepted 7.4 MB bodies
// with 400,000 unknown keys and answered 29 MB listing each; a 1 MB reservedSubnets gave a 500 (item
// over 400 KB); GET /fabrics/%E0%A4%A gave a 500; a token read from the token file had no length check.
import { randomUUID } from "node:crypto";
import { request } from "node:http";
import { connect, type Socket } from "node:net";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigurationError, parseTokenFile } from "../../lib/config/index.js";
import { TempRepos } from "../support/git-repos.js";
import { startTestStack, type TestStack } from "./support.js";

const LIMITS = { maxConnections: 12, headersTimeoutMs: 300, requestTimeoutMs: 3_000, keepAliveTimeoutMs: 500, checkIntervalMs: 50 };

/** Opens a connection and sends the start of a request, never its end (a slowloris client). */
function slowClient(port: number): Promise<{ socket: Socket; closed: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
      resolve({ socket, closed });
    });
    let received = "";
    socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
    const closed = new Promise<string>((done) => socket.on("close", () => done(received)));
    socket.on("error", () => undefined);
    socket.once("error", reject);
  });
}

describe("the local HTTP server and request bounds", () => {
  let stack: TestStack;
  const notices: string[] = [];
  const repos = new TempRepos();
  let bare: string;

  beforeAll(async () => {
    stack = await startTestStack({ httpLimits: LIMITS, httpLog: (line) => notices.push(line) });
    bare = await repos.bare();
  });
  afterAll(async () => {
    await stack.close();
    await repos.removeAll();
  });

  const port = () => Number(new URL(stack.url).port);

  it("caps connections and closes slow ones at the header timeout, logging at most 10 notices a minute", async () => {
    const slow = await Promise.all(Array.from({ length: LIMITS.maxConnections }, () => slowClient(port())));
    // One more is refused at once: the server keeps its file descriptors.
    const extra = await slowClient(port()).catch(() => null);
    if (extra) expect(await extra.closed).toBe("");
    // The slow ones get 408 when their headers do not arrive in time, and the connections are freed.
    const answers = await Promise.all(slow.map((s) => s.closed));
    expect(answers.every((a) => a.startsWith("HTTP/1.1 408"))).toBe(true);
    const health = await stack.api("/health", { auth: false });
    expect(health.status).toBe(200);
    expect(notices.length).toBeGreaterThan(0);
    expect(notices.length).toBeLessThanOrEqual(10);
  });

  it("refuses a fabric body over 64 KiB with 413 before reading it, declared or streamed", async () => {
    const big = JSON.stringify({ name: "big", git: { provider: "git", url: bare }, padding: "x".repeat(7_400_000) });
    const declared = await stack.api("/fabrics", { method: "POST", body: big });
    expect(declared.status).toBe(413);
    expect(declared.headers.get("content-type")).toBe("application/problem+json");
    expect(declared.body.detail).toMatch(/exceeds 65536 bytes, the limit of POST \/fabrics/);

    const streamed = await new Promise<number>((resolve, reject) => {
      const req = request(`${stack.url}/fabrics`, { method: "POST", headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      for (let i = 0; i < 40; i++) req.write("x".repeat(4096));
      req.end();
    });
    expect(streamed).toBe(413);
    expect((await stack.api("/fabrics/big")).status).toBe(404);
  });

  it("lists at most 20 problems, and counts the rest", async () => {
    const body: Record<string, unknown> = { name: "keys", git: { provider: "git", url: bare } };
    for (let i = 0; i < 5000; i++) body[`k${i}`] = 1;
    const text = JSON.stringify(body);
    expect(text.length).toBeLessThan(64 * 1024);
    const res = await stack.api("/fabrics", { method: "POST", body: text });
    expect(res.status).toBe(422);
    expect(res.body.errors).toHaveLength(20);
    expect(res.body.omittedErrors).toBe(4980);
    expect(res.body.detail).toMatch(/; and 4980 more$/);
    expect(JSON.stringify(res.body).length).toBeLessThan(4096);
  });

  it("bounds the hedgehog settings so that no fabric item approaches DynamoDB's 400 KB", async () => {
    const subnets = (n: number) => Array.from({ length: n }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
    const many = await stack.api("/fabrics", { method: "POST", body: { name: "subnets", git: { provider: "git", url: bare }, hedgehog: { reservedSubnets: subnets(300) } } });
    expect(many.status).toBe(422);
    expect(many.body.errors[0]).toMatchObject({ pointer: "/hedgehog/reservedSubnets" });
    const huge = await stack.api("/fabrics", { method: "POST", body: { name: "subnets", git: { provider: "git", url: bare }, hedgehog: { reservedSubnets: subnets(60_000) } } });
    expect(huge.status).toBe(413);
    const fine = await stack.api("/fabrics", { method: "POST", body: { name: "subnets", git: { provider: "git", url: bare }, hedgehog: { reservedSubnets: subnets(256) } } });
    expect(fine.status).toBe(201);
  });

  it("answers 400 problem+json to a path that is not valid percent-encoding", async () => {
    for (const path of ["/fabrics/%E0%A4%A", "/fabrics/%ZZ/runs", "/fabrics/%C0"]) {
      const res = await stack.api(path);
      expect(res.status, path).toBe(400);
      expect(res.headers.get("content-type"), path).toBe("application/problem+json");
    }
  });

  it("enforces the route's body limit in the Lambda router too (the cloud, behind API Gateway's 10 MB)", async () => {
    const { handler } = await import("../../functions/http/fabrics.js");
    const event = {
      version: "2.0",
      routeKey: "POST /fabrics",
      rawPath: "/fabrics",
      rawQueryString: "",
      headers: { "content-type": "application/json" },
      requestContext: { requestId: randomUUID(), timeEpoch: Date.now(), http: { method: "POST", path: "/fabrics" } },
      body: Buffer.from(JSON.stringify({ name: "lambda-big", git: { provider: "git", url: bare }, pad: "x".repeat(100_000) })).toString("base64"),
      isBase64Encoded: true,
    } as unknown as APIGatewayProxyEventV2;
    const context = { functionName: "fabricsApi", awsRequestId: randomUUID(), getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
    const result = await handler(event, context);
    expect(result).toMatchObject({ statusCode: 413, headers: { "content-type": "application/problem+json" } });
    expect((await stack.api("/fabrics/lambda-big")).status).toBe(404);
  });

  it("checks the token file like HH_GITOPS_TOKEN", () => {
    expect(parseTokenFile("a-long-enough-token-value\n", "/data/token")).toBe("a-long-enough-token-value");
    for (const content of ["", "\n", "short", "x".repeat(513), "has a space inside it!!"]) {
      expect(() => parseTokenFile(content, "/data/token"), JSON.stringify(content)).toThrow(ConfigurationError);
    }
    expect(() => parseTokenFile("", "/data/token")).toThrow(/token file \/data\/token: must be at least 16 characters/);
  });
});
