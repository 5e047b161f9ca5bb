// The host allow-list (DESIGN §14), as a table: what each deployment lets the engine call.
import { describe, expect, it } from "vitest";
import { parseAllowedHosts, redirectStep, urlProblem, type HostPolicy } from "../../../lib/net/index.js";

const CLOUD: HostPolicy = { allowedHosts: ["github.com", "api.github.com", "codeload.github.com", "10.0.0.5"], allowLoopback: false };
const LOCAL: HostPolicy = { ...CLOUD, allowLoopback: true };

describe("urlProblem", () => {
  it.each([
    ["https://api.github.com", CLOUD, null],
    ["https://API.GitHub.com./repos", CLOUD, null],
    ["https://api.github.com:8443/x", CLOUD, null],
    ["https://10.0.0.5:6443", CLOUD, null],
    ["http://api.github.com", CLOUD, /plain http to host api\.github\.com; https is required$/],
    ["https://evil.example", CLOUD, /host evil\.example, which is not in HH_GITOPS_ALLOWED_HOSTS/],
    ["https://api.github.com.evil.example", CLOUD, /not in HH_GITOPS_ALLOWED_HOSTS/],
    ["https://127.0.0.1", CLOUD, /host 127\.0\.0\.1, which is not in/],
    ["http://127.0.0.1:3000", LOCAL, null],
    ["http://localhost:3000", LOCAL, null],
    ["http://[::1]:3000", LOCAL, null],
    ["http://127.0.0.2", LOCAL, /plain http to host 127\.0\.0\.2; https is required \(plain http only to 127\.0\.0\.1, localhost or ::1\)/],
    ["http://169.254.169.254/latest/meta-data", LOCAL, /plain http/],
    ["https://user:pass@api.github.com", CLOUD, /user name or password/],
    ["ftp://api.github.com", CLOUD, /uses ftp; only https/],
    ["file:///etc/passwd", LOCAL, /uses file; only https/],
    ["not a url", CLOUD, /is not a URL/],
  ])("%s", (url, policy, expected) => {
    const problem = urlProblem(url, policy);
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toMatch(expected);
  });
});

describe("parseAllowedHosts", () => {
  it("reads a comma list, lowercased, without duplicates or brackets; refuses URLs and wildcards", () => {
    expect(parseAllowedHosts(" GitHub.com, api.github.com,,github.com, [::1], 10.1.2.3 ")).toEqual(["github.com", "api.github.com", "::1", "10.1.2.3"]);
    expect(parseAllowedHosts("https://github.com")).toBeNull();
    expect(parseAllowedHosts("*.github.com")).toBeNull();
    expect(parseAllowedHosts("github.com/x")).toBeNull();
  });
});

describe("redirectStep", () => {
  it("checks the next hop, keeps credentials only on the same origin, and turns 303 (and a POST's 301/302) into GET", () => {
    expect(redirectStep("https://api.github.com/repos/a/b/tarball/x", 302, "https://codeload.github.com/a/b/tar.gz/x", "GET", 0, CLOUD)).toEqual({
      url: "https://codeload.github.com/a/b/tar.gz/x",
      method: "GET",
      dropBody: false,
      crossOrigin: true,
    });
    expect(redirectStep("https://api.github.com/a", 307, "/b", "POST", 0, CLOUD)).toMatchObject({ url: "https://api.github.com/b", method: "POST", dropBody: false, crossOrigin: false });
    expect(redirectStep("https://api.github.com/a", 302, "/b", "POST", 0, CLOUD)).toMatchObject({ method: "GET", dropBody: true });
    expect(() => redirectStep("https://api.github.com/a", 302, "https://evil.example/", "GET", 0, CLOUD)).toThrow(/redirect refused: the URL names host evil\.example/);
    expect(() => redirectStep("https://api.github.com/a", 302, "http://api.github.com/", "GET", 0, CLOUD)).toThrow(/plain http/);
    expect(() => redirectStep("https://api.github.com/a", 302, "/b", "GET", 5, CLOUD)).toThrow(/more than 5 redirects/);
    expect(() => redirectStep("https://api.github.com/a", 302, null, "GET", 0, CLOUD)).toThrow(/without a Location/);
  });
});
