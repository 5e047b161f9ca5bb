// What the simulator offers beyond the recorded transcripts: request log, fault injection,
// admission checks, scale (2,000 objects), watch lifecycle, namespaces, and SSA cases the
// recording does not cover. Everything over real HTTP on 127.0.0.1.

import { afterEach, describe, expect, it } from "vitest";
import { startKubeSim } from "../../../infra/local/kube-sim/index.js";
import type { AdmissionCheck, KubeSim, KubeSimOptions } from "../../../infra/local/kube-sim/index.js";
import { hedgehogCrds } from "./crds.js";

const TOKEN = "features-token";
const VPCS = "/apis/vpc.githedgehog.com/v1beta1/namespaces/default/vpcs";

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

const sims: KubeSim[] = [];

async function start(options: Partial<KubeSimOptions> = {}): Promise<KubeSim> {
  const sim = await startKubeSim({ crds: hedgehogCrds, token: TOKEN, ...options });
  sims.push(sim);
  return sim;
}

afterEach(async () => {
  await Promise.all(sims.splice(0).map((sim) => sim.close()));
});

async function call(sim: KubeSim, method: string, path: string, body?: unknown, contentType = "application/json", auth = true): Promise<Answer> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (auth) headers["authorization"] = `Bearer ${TOKEN}`;
  if (body !== undefined) headers["content-type"] = contentType;
  const res = await fetch(`${sim.url}${path}`, { method, headers, ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text.startsWith("{") ? (JSON.parse(text) as Record<string, unknown>) : { text } };
}

function vpc(name: string, vlan: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: "vpc.githedgehog.com/v1beta1",
    kind: "VPC",
    metadata: { name, namespace: "default", ...extra },
    spec: { subnets: { default: { subnet: "10.0.1.0/24", gateway: "10.0.1.1", vlan } } },
  };
}

function apply(sim: KubeSim, obj: Record<string, unknown>, manager: string, force = false): Promise<Answer> {
  const name = (obj["metadata"] as { name: string }).name;
  return call(sim, "PATCH", `${VPCS}/${name}?fieldManager=${manager}${force ? "&force=true" : ""}`, obj, "application/apply-patch+yaml");
}

function meta(answer: Answer): Record<string, unknown> {
  return answer.body["metadata"] as Record<string, unknown>;
}

/** Yields to the event loop until `done()` holds (bounded, so a broken server fails instead of hanging). */
async function eventually(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i += 1) await new Promise((resolve) => setImmediate(resolve));
  expect(done()).toBe(true);
}

describe("request log", () => {
  it("records method, path, query, verb, resource and status, and can be reset", async () => {
    const sim = await start();
    await call(sim, "POST", `${VPCS}?dryRun=All`, vpc("a", 1001));
    await call(sim, "GET", `${VPCS}?labelSelector=x%3Dy`);
    await call(sim, "GET", "/apis/vpc.githedgehog.com/v1beta1");
    expect(sim.requests.entries()).toEqual([
      { seq: 1, method: "POST", path: VPCS, query: { dryRun: "All" }, verb: "create", group: "vpc.githedgehog.com", version: "v1beta1", resource: "vpcs", namespace: "default", name: "", dryRun: true, status: 201 },
      { seq: 2, method: "GET", path: VPCS, query: { labelSelector: "x=y" }, verb: "list", group: "vpc.githedgehog.com", version: "v1beta1", resource: "vpcs", namespace: "default", name: "", dryRun: false, status: 200 },
      { seq: 3, method: "GET", path: "/apis/vpc.githedgehog.com/v1beta1", query: {}, dryRun: false, status: 200 },
    ]);
    expect(sim.requests.count({ verb: "list" })).toBe(1);
    sim.requests.reset();
    expect(sim.requests.entries()).toEqual([]);
    await call(sim, "GET", VPCS);
    expect(sim.requests.entries()[0]?.seq).toBe(4);
  });
});

describe("fault injection", () => {
  it("answers the next N matching requests with the status, then behaves again", async () => {
    const sim = await start();
    const rule = sim.faults.inject({ match: { verb: "create" }, times: 2, fault: { type: "status", code: 500, message: "etcd is unhappy" } });
    expect((await call(sim, "GET", VPCS)).status).toBe(200);
    const first = await call(sim, "POST", VPCS, vpc("a", 1001));
    expect(first.status).toBe(500);
    expect(first.body).toMatchObject({ reason: "InternalError", message: "Internal error occurred: etcd is unhappy", code: 500 });
    expect(rule.remaining()).toBe(1);
    expect((await call(sim, "POST", VPCS, vpc("a", 1001))).status).toBe(500);
    expect((await call(sim, "POST", VPCS, vpc("a", 1001))).status).toBe(201);
    expect(sim.faults.pending()).toBe(0);
    expect(sim.requests.entries({ verb: "create" }).map((r) => r.fault ?? "none")).toEqual(["status", "status", "none"]);
  });

  it("matches by path pattern and can be cancelled", async () => {
    const sim = await start();
    const rule = sim.faults.inject({ match: { path: /\/switches/ }, times: 5, fault: { type: "status", code: 503 } });
    expect((await call(sim, "GET", VPCS)).status).toBe(200);
    const unavailable = await call(sim, "GET", "/apis/wiring.githedgehog.com/v1beta1/namespaces/default/switches");
    expect(unavailable.status).toBe(503);
    expect(unavailable.body["reason"]).toBe("ServiceUnavailable");
    rule.cancel();
    expect((await call(sim, "GET", "/apis/wiring.githedgehog.com/v1beta1/namespaces/default/switches")).status).toBe(200);
  });

  it("can hang a request until the client gives up, or reset its connection", async () => {
    const sim = await start();
    sim.faults.inject({ match: { verb: "list" }, fault: { type: "hang" } });
    const aborter = new AbortController();
    const hanging = fetch(`${sim.url}${VPCS}`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: aborter.signal });
    await eventually(() => sim.requests.count({ verb: "list" }) === 1);
    expect(sim.requests.entries({ verb: "list" })[0]).toMatchObject({ status: 0, fault: "hang" });
    aborter.abort();
    await expect(hanging).rejects.toThrow();

    sim.faults.inject({ match: { verb: "get" }, fault: { type: "reset" } });
    await expect(fetch(`${sim.url}${VPCS}/x`, { headers: { authorization: `Bearer ${TOKEN}` } })).rejects.toThrow();
    expect((await call(sim, "GET", `${VPCS}/x`)).status).toBe(404);
  });
});

describe("API Priority and Fairness", () => {
  it("names the flow schema and priority level on every answer, and throttles beyond its rate with 429 and Retry-After", async () => {
    const sim = await start({ flowControl: { qps: 1, burst: 2, retryAfterSeconds: 2 } });
    const answers = [await call(sim, "GET", VPCS), await call(sim, "GET", VPCS), await call(sim, "GET", VPCS)];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
    for (const answer of answers) {
      expect(answer.headers.get("x-kubernetes-pf-flowschema-uid")).toMatch(/^[0-9a-f-]{36}$/);
      expect(answer.headers.get("x-kubernetes-pf-prioritylevel-uid")).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(answers[2]!.headers.get("retry-after")).toBe("2");
    expect(answers[2]!.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "Too many requests, please try again later.",
      reason: "TooManyRequests",
      details: { retryAfterSeconds: 2 },
      code: 429,
    });
    expect(sim.requests.entries().map((r) => [r.status, r.fault])).toEqual([[200, undefined], [200, undefined], [429, "throttled"]]);
    expect(sim.flowControl.rejected()).toBe(1);
    sim.flowControl.set(null);
    expect((await call(sim, "GET", VPCS)).status).toBe(200);
  });

  it("is off by default", async () => {
    const sim = await start();
    const answers = await Promise.all(Array.from({ length: 50 }, () => call(sim, "GET", VPCS)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
  });
});

describe("admission", () => {
  it("answers a denial like a controller-runtime webhook relayed by kube-apiserver", async () => {
    const seen: string[] = [];
    const admission: AdmissionCheck = (operation, obj, oldObj) => {
      seen.push(`${operation}:${String((obj?.["metadata"] as { name?: string } | undefined)?.name)}:${String((oldObj?.["metadata"] as { name?: string } | undefined)?.name)}`);
      const vlan = (obj?.["spec"] as { subnets?: { default?: { vlan?: number } } } | undefined)?.subnets?.default?.vlan;
      if (vlan !== undefined && vlan > 4094) return { allowed: false, message: `failed to validate vpc: vlan ${vlan} is out of range` };
      return { allowed: true };
    };
    const sim = await start({ admission });
    const denied = await call(sim, "POST", VPCS, vpc("big", 5000));
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'admission webhook "vvpc.kb.io" denied the request: failed to validate vpc: vlan 5000 is out of range',
      reason: "Forbidden",
      code: 403,
    });
    expect((await call(sim, "POST", `${VPCS}?dryRun=All`, vpc("big", 5000))).status).toBe(403);
    expect((await call(sim, "POST", VPCS, vpc("ok", 100))).status).toBe(201);
    expect((await call(sim, "PATCH", `${VPCS}/ok`, { spec: { subnets: { default: { vlan: 4095 } } } }, "application/merge-patch+json")).status).toBe(403);
    expect((await apply(sim, vpc("ok", 5001), "gitops", true)).status).toBe(403);
    expect((await call(sim, "DELETE", `${VPCS}/ok`)).status).toBe(200);
    expect(seen).toEqual(["CREATE:big:undefined", "CREATE:big:undefined", "CREATE:ok:undefined", "UPDATE:ok:ok", "UPDATE:ok:ok", "DELETE:undefined:ok"]);
    expect(sim.objects()).toEqual([]);
  });

  it("keeps a code the check sets (below 400 becomes 400) and turns a throwing check into a 500", async () => {
    const sim = await start({
      admission: (_op, obj) => {
        const name = (obj?.["metadata"] as { name: string }).name;
        if (name === "teapot") return { allowed: false, message: "no", code: 200, webhook: "tea.example.com" };
        if (name === "boom") throw new Error("webhook down");
        return { allowed: false, message: "", code: 422, reason: "Invalid" };
      },
    });
    const low = await call(sim, "POST", VPCS, vpc("teapot", 1));
    expect(low.status).toBe(400);
    expect(low.body).toMatchObject({ message: 'admission webhook "tea.example.com" denied the request: no', code: 400 });
    expect(low.body["reason"]).toBeUndefined();
    const custom = await call(sim, "POST", VPCS, vpc("other", 1));
    expect(custom.body).toMatchObject({ message: 'admission webhook "vvpc.kb.io" denied the request without explanation', reason: "Invalid", code: 422 });
    expect((await call(sim, "POST", VPCS, vpc("boom", 1))).status).toBe(500);
  });
});

describe("scale", () => {
  it("applies 2,000 objects, lists them in name order, pages through them, and re-applies without writes", async () => {
    const sim = await start();
    const names = Array.from({ length: 2000 }, (_, i) => `vpc-${String(i).padStart(4, "0")}`);
    const queue = [...names].reverse();
    const worker = async (): Promise<void> => {
      for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
        expect((await apply(sim, vpc(name, 1000), "hedgehog-gitops", true)).status).toBe(201);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const revision = sim.resourceVersion();

    const all = await call(sim, "GET", VPCS);
    const items = all.body["items"] as { metadata: { name: string } }[];
    expect(items.map((i) => i.metadata.name)).toEqual(names);
    expect(meta(all)["resourceVersion"]).toBe(revision);

    const paged: string[] = [];
    let token = "";
    let pages = 0;
    do {
      const page = await call(sim, "GET", `${VPCS}?limit=700${token ? `&continue=${token}` : ""}`);
      paged.push(...(page.body["items"] as { metadata: { name: string } }[]).map((i) => i.metadata.name));
      token = String(meta(page)["continue"]);
      pages += 1;
      if (token !== "") expect(meta(page)["remainingItemCount"]).toBe(2000 - paged.length);
    } while (token !== "");
    expect(pages).toBe(3);
    expect(paged).toEqual(names);

    for (const name of names.slice(0, 50)) expect((await apply(sim, vpc(name, 1000), "hedgehog-gitops", true)).status).toBe(200);
    expect(sim.resourceVersion()).toBe(revision);
  });
});

describe("watch lifecycle", () => {
  it("ends open watches when the simulator closes", async () => {
    const sim = await startKubeSim({ crds: hedgehogCrds, token: TOKEN });
    const res = await fetch(`${sim.url}${VPCS}?watch=true`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    const body = res.text();
    await sim.close();
    await expect(body).resolves.toBe("");
  });

  it("expires resourceVersions the bounded history no longer reaches", async () => {
    const sim = await start({ watchHistoryLimit: 2, initialResourceVersion: 50 });
    const start0 = sim.resourceVersion();
    for (const name of ["a", "b", "c"]) await call(sim, "POST", VPCS, vpc(name, 1));
    const res = await fetch(`${sim.url}${VPCS}?watch=true&resourceVersion=${start0}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const lines = (await res.text()).trim().split("\n");
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { type: "ERROR", object: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "too old resource version: 50 (51)", reason: "Expired", code: 410 } },
    ]);
  });
});

describe("namespaces, names and access", () => {
  it("creates only in namespaces that exist, and learns new ones", async () => {
    const sim = await start({ namespaces: ["default"] });
    const path = "/apis/vpc.githedgehog.com/v1beta1/namespaces/fabric-a/vpcs";
    const body = { ...vpc("x", 1), metadata: { name: "x" } };
    expect((await call(sim, "POST", path, body)).status).toBe(404);
    sim.addNamespace("fabric-a");
    expect((await call(sim, "POST", path, body)).status).toBe(201);
    expect(sim.objects({ namespace: "fabric-a" }).map((o) => (o["metadata"] as { namespace: string }).namespace)).toEqual(["fabric-a"]);
    expect(sim.objects({ resource: "switches" })).toEqual([]);
  });

  it("generates names from generateName", async () => {
    const sim = await start();
    const created = await call(sim, "POST", VPCS, { ...vpc("", 1), metadata: { generateName: "vpc-", namespace: "default" } });
    expect(created.status).toBe(201);
    expect(meta(created)["name"]).toMatch(/^vpc-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it("lets anonymous clients read /version but nothing else", async () => {
    const sim = await start();
    expect((await call(sim, "GET", "/version", undefined, "application/json", false)).status).toBe(200);
    const discovery = await call(sim, "GET", "/apis/vpc.githedgehog.com/v1beta1", undefined, "application/json", false);
    expect(discovery.status).toBe(403);
    expect(discovery.body["message"]).toBe('forbidden: User "system:anonymous" cannot get path "/apis/vpc.githedgehog.com/v1beta1"');
  });
});

describe("selectors and patches beyond the recording", () => {
  it("understands every label selector operator", async () => {
    const sim = await start();
    const labelled = (name: string, labels: Record<string, string>): Record<string, unknown> => vpc(name, 1, { labels });
    await call(sim, "POST", VPCS, labelled("a", { tier: "gold", count: "5" }));
    await call(sim, "POST", VPCS, labelled("b", { tier: "silver", count: "2" }));
    await call(sim, "POST", VPCS, labelled("c", {}));
    const names = async (selector: string): Promise<string[]> => {
      const answer = await call(sim, "GET", `${VPCS}?labelSelector=${encodeURIComponent(selector)}`);
      return (answer.body["items"] as { metadata: { name: string } }[]).map((i) => i.metadata.name);
    };
    expect(await names("tier notin (gold)")).toEqual(["b", "c"]);
    expect(await names("tier!=gold")).toEqual(["b", "c"]);
    expect(await names("tier==silver")).toEqual(["b"]);
    expect(await names("count>3")).toEqual(["a"]);
    expect(await names("count<3,tier")).toEqual(["b"]);
    expect(await names("!tier")).toEqual(["c"]);
    const bad = await call(sim, "GET", `${VPCS}?labelSelector=${encodeURIComponent("tier in (gold")}`);
    expect(bad.status).toBe(400);
    expect(bad.body["message"]).toBe("unable to parse requirement: found '', expected: ',' or ')'");
  });

  it("applies JSON patch operations and rejects one that cannot apply", async () => {
    const sim = await start();
    await call(sim, "POST", VPCS, vpc("p", 1, { labels: { a: "1" } }));
    const patched = await call(
      sim,
      "PATCH",
      `${VPCS}/p`,
      [
        { op: "add", path: "/metadata/labels/b", value: "2" },
        { op: "copy", from: "/metadata/labels/b", path: "/metadata/labels/c" },
        { op: "move", from: "/metadata/labels/a", path: "/metadata/labels/d" },
        { op: "test", path: "/metadata/labels/d", value: "1" },
        { op: "remove", path: "/metadata/labels/b" },
      ],
      "application/json-patch+json",
    );
    expect(patched.status).toBe(200);
    expect(meta(patched)["labels"]).toEqual({ c: "2", d: "1" });
    const missing = await call(sim, "PATCH", `${VPCS}/p`, [{ op: "remove", path: "/metadata/labels/zzz" }], "application/json-patch+json");
    expect(missing.status).toBe(422);
  });

  it("reports duplicate keys in a merge patch as warnings, and refuses them under Strict on PUT", async () => {
    const sim = await start();
    const created = await call(sim, "POST", VPCS, vpc("d", 1));
    const warned = await call(sim, "PATCH", `${VPCS}/d`, '{"metadata":{"labels":{"x":"1","x":"2"}}}', "application/merge-patch+json");
    expect(warned.status).toBe(200);
    expect(warned.headers.get("warning")).toBe('299 - "duplicate field \\"metadata.labels.x\\""');
    expect(meta(warned)["labels"]).toEqual({ x: "2" });
    const body = JSON.stringify({ ...vpc("d", 1), metadata: { name: "d", namespace: "default", resourceVersion: meta(warned)["resourceVersion"] } });
    const strict = await call(sim, "PUT", `${VPCS}/d?fieldValidation=Strict`, body.replace('"vlan":1', '"vlan":1,"vlan":2'));
    expect(strict.status).toBe(400);
    expect(strict.body["message"]).toBe('VPC in version "v1beta1" cannot be handled as a VPC: strict decoding error: duplicate field "spec.subnets.default.vlan"');
    expect(sim.objects().map((o) => (o["metadata"] as { uid: string }).uid)).toEqual([meta(created)["uid"]]);
  });
});

describe("deletion and ownership beyond the recording", () => {
  it("deletes a collection, leaving finalized objects terminating", async () => {
    const sim = await start();
    await call(sim, "POST", VPCS, vpc("plain", 1));
    await call(sim, "POST", VPCS, vpc("held", 2, { finalizers: ["example.com/hold"] }));
    const deleted = await call(sim, "DELETE", VPCS);
    const items = deleted.body["items"] as { metadata: { name: string; deletionTimestamp?: string } }[];
    expect(items.map((i) => [i.metadata.name, i.metadata.deletionTimestamp !== undefined])).toEqual([
      ["held", true],
      ["plain", false],
    ]);
    expect(sim.objects().map((o) => (o["metadata"] as { name: string }).name)).toEqual(["held"]);
  });

  it("shares ownership of equal values and lists every conflict", async () => {
    const sim = await start();
    expect((await apply(sim, vpc("v", 10), "alpha")).status).toBe(201);
    const shared = await apply(sim, vpc("v", 10), "beta");
    expect(shared.status).toBe(200);
    expect((meta(shared)["managedFields"] as { manager: string }[]).map((m) => m.manager)).toEqual(["alpha", "beta"]);
    const both = await apply(sim, { ...vpc("v", 11), spec: { subnets: { default: { subnet: "10.0.9.0/24", gateway: "10.0.1.1", vlan: 11 } } } }, "gamma");
    expect(both.status).toBe(409);
    expect(both.body["message"]).toBe(
      [
        "Apply failed with 4 conflicts: conflicts with \"alpha\":",
        "- .spec.subnets.default.subnet",
        "- .spec.subnets.default.vlan",
        "conflicts with \"beta\":",
        "- .spec.subnets.default.subnet",
        "- .spec.subnets.default.vlan",
      ].join("\n"),
    );
  });
});
