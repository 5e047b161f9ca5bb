// 20,000 resources through the API (issue #13): walked with ?limit=500 page by page, each returned
// exactly once, each answer under 1 MB; one resource read by one GetItem of its record, counted on the
// document client the handlers share in this process. Every answer is checked against /openapi.json.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currentSettings } from "../../../lib/config/index.js";
import type { ResourceRecord } from "../../../lib/pipeline/resource-model.js";
import { documentClient } from "../../../lib/store/client.js";
import { ResourceRepository, type Registration } from "../../../lib/store/resources.js";
import { TempRepos } from "../../support/git-repos.js";
import { startTestStack, waitForRun, type TestStack } from "../../support/local-stack.js";

const COUNT = 20_000;
const DIR = "gitops/hedgehog/big";
const pad = (i: number) => String(i).padStart(5, "0");

/** Half Servers, half VPCs, each as ingest records a valid managed file. */
function record(i: number): ResourceRecord {
  const server = i % 2 === 0;
  const [group, kind, plural, name] = server ? ["wiring.githedgehog.com", "Server", "servers", `server-${pad(i)}`] : ["vpc.githedgehog.com", "VPC", "vpcs", `vpc-${pad(i)}`];
  const sha = (n: number) => n.toString(16).padStart(40, "0");
  return {
    id: `${group}/${kind}/default/${name}`,
    group,
    apiVersion: `${group}/v1beta1`,
    kind,
    namespace: "default",
    name,
    state: "synced",
    source: "git",
    inGit: true,
    gitFilePath: `${DIR}/managed/${plural}/${name}.yaml`,
    gitBlobSha: sha(i),
    gitCommitSha: sha(1),
    appliedCommitSha: sha(1),
    appliedBlobSha: sha(i),
    importedFrom: `${DIR}/raw/${plural}-${Math.floor(i / 1000)}.yaml`,
    contentHash: sha(i + 7),
    error: null,
    warnings: [],
    drift: [],
  };
}

describe("20,000 resources through the API", () => {
  let stack: TestStack;
  let registration: Registration;
  const repos = new TempRepos();
  // Every command the handlers send to DynamoDB while `counting`, with the sort key (or prefix) it touches.
  const sent: { command: string; key: string }[] = [];
  let counting = false;

  beforeAll(async () => {
    stack = await startTestStack({ simulatedCluster: false });
    const res = await stack.api("/fabrics", {
      method: "POST",
      body: { name: "big", git: { provider: "git", url: await repos.bare("main", undefined, "big.git"), directory: DIR }, cluster: null, sync: { mode: "observe", suspended: true } },
    });
    expect(res.status).toBe(201);
    await waitForRun(stack, "big", res.body.initRun.runId);
    registration = { id: "big", uid: (await stack.api("/fabrics/big")).body.uid };
    // The same client the in-process handlers use (one per endpoint and region).
    const db = documentClient(currentSettings());
    db.middlewareStack.add(
      (next, context) => async (args) => {
        if (counting) {
          const input = (args as { input: Record<string, unknown> }).input;
          const key = (input.Key as { sk?: string } | undefined)?.sk ?? String((input.ExpressionAttributeValues as Record<string, unknown> | undefined)?.[":p"] ?? "");
          sent.push({ command: context.commandName ?? "?", key });
        }
        return next(args);
      },
      { step: "initialize", name: "countResourceReads" },
    );
    const records = Array.from({ length: COUNT }, (_, i) => record(i));
    await new ResourceRepository(db, stack.tableName).writeChanged(registration, records, new Map(), new Date().toISOString());
  }, 240_000);
  afterAll(async () => {
    await stack?.close();
    await repos.removeAll();
  });

  it("?limit=500 walked page by page returns each resource exactly once, each answer under 1 MB", async () => {
    const seen = new Map<string, number>();
    let cursor: string | undefined;
    let pages = 0;
    let largest = 0;
    do {
      const res = await stack.api(`/fabrics/big/resources?limit=500${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      const bytes = Buffer.byteLength(JSON.stringify(res.body));
      largest = Math.max(largest, bytes);
      expect(bytes).toBeLessThan(1_000_000);
      expect(res.body.items.length).toBeLessThanOrEqual(500);
      for (const r of res.body.items as { id: string }[]) seen.set(r.id, (seen.get(r.id) ?? 0) + 1);
      cursor = res.body.next;
      pages++;
      expect(pages).toBeLessThanOrEqual(COUNT / 500 + 1);
    } while (cursor);
    expect(seen.size).toBe(COUNT);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(seen.has("vpc.githedgehog.com/VPC/default/vpc-19999")).toBe(true);
    expect(pages).toBe(COUNT / 500);
    console.info(`20,000 resources: ${pages} pages, the largest ${largest} bytes`);
  }, 240_000);

  it("one kind's pages hold only that kind; a cursor of another filter is refused", async () => {
    const first = await stack.api("/fabrics/big/resources?kind=vpc&limit=500");
    expect(first.body.items).toHaveLength(500);
    expect(first.body.items.every((r: { kind: string }) => r.kind === "VPC")).toBe(true);
    const other = await stack.api(`/fabrics/big/resources?kind=server&limit=500&cursor=${first.body.next}`);
    expect(other.status).toBe(400);
  });

  it("GET of one resource reads its record with one GetItem and lists no resources", async () => {
    sent.length = 0;
    counting = true;
    const res = await stack.api("/fabrics/big/resources/servers/server-12346");
    counting = false;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: "Server", name: "server-12346", state: "synced" });
    const resourceReads = sent.filter((c) => c.key.startsWith("RES#"));
    expect(resourceReads).toEqual([{ command: "GetItemCommand", key: `RES#${registration.uid}#wiring.githedgehog.com/Server/default/server-12346` }]);
    // Beside it: the fabric's registration (for its uid) and the newest page of the resource's history.
    expect(sent.map((c) => c.command).sort()).toEqual(["GetItemCommand", "GetItemCommand", "QueryCommand"]);
  });
});
