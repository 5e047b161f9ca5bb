// The secret reference policy (DESIGN §14), as a table: what fabric "fabric-1" may name in each deployment.
import { describe, expect, it } from "vitest";
import { allowedSecretForms, secretReferenceProblem, type SecretPolicy } from "../../../lib/secrets/index.js";

const CLOUD: SecretPolicy = { deployment: "cloud", secretNamePrefix: "hedgehog-gitops", secretsDir: null };
const LOCAL: SecretPolicy = { deployment: "local", secretNamePrefix: "hedgehog-gitops", secretsDir: "/srv/hh/.data/secrets" };

describe("secretReferenceProblem", () => {
  it.each([
    ["aws-sm:hedgehog-gitops/fabric-1/github-token", CLOUD, null],
    ["aws-sm:hedgehog-gitops/fabric-1/kube/config.yaml", CLOUD, null],
    ["aws-sm:hedgehog-gitops/fabric-2/github-token", CLOUD, /must name a Secrets Manager secret of this fabric, hedgehog-gitops\/fabric-1\/<name>/],
    ["aws-sm:hedgehog-gitops/fabric-10/token", CLOUD, /of this fabric/],
    ["aws-sm:hedgehog-gitops/fabric-1/", CLOUD, /may only hold/],
    ["aws-sm:hedgehog-gitops/fabric-1/a b", CLOUD, /secret reference is not/],
    ["aws-sm:arn:aws:secretsmanager:us-east-1:1:secret:hedgehog-gitops/fabric-1/x-AbCdEf", CLOUD, /not an ARN/],
    ["aws-sm:other/fabric-1/token", CLOUD, /of this fabric/],
    ["env:HH_GITOPS_SECRET_TOKEN", CLOUD, /env: references are not allowed in this deployment \(HH_GITOPS_DEPLOYMENT=cloud\); use aws-sm:hedgehog-gitops\/fabric-1\/<name>$/],
    ["file:/var/task/token", CLOUD, /file: references are not allowed in this deployment/],
    ["env:HH_GITOPS_SECRET_TOKEN", LOCAL, null],
    ["env:HH_GITOPS_SECRET_", LOCAL, /must name a variable HH_GITOPS_SECRET_<NAME>/],
    ["env:HH_GITOPS_WEBHOOK_SECRET", LOCAL, /must name a variable HH_GITOPS_SECRET_<NAME>/],
    ["env:AWS_SECRET_ACCESS_KEY", LOCAL, /HH_GITOPS_SECRET_<NAME>/],
    ["env:hh_gitops_secret_token", LOCAL, /HH_GITOPS_SECRET_<NAME>/],
    ["file:/srv/hh/.data/secrets/token", LOCAL, null],
    ["file:/srv/hh/.data/secrets/github/app.json", LOCAL, null],
    ["file:/srv/hh/.data/secrets", LOCAL, /must be a file under \/srv\/hh\/\.data\/secrets\//],
    ["file:/srv/hh/.data/secrets-other/token", LOCAL, /must be a file under/],
    ["file:/srv/hh/.data/secrets/../token", LOCAL, /plain absolute path/],
    ["file:/srv/hh/.data/secrets//token", LOCAL, /plain absolute path/],
    ["file:/etc/shadow", LOCAL, /must be a file under/],
    ["file:/proc/self/environ", LOCAL, /must be a file under/],
    ["file:token", LOCAL, /secret reference is not/],
    ["aws-sm:hedgehog-gitops/fabric-1/token", LOCAL, null],
    ["ghp_pasted_token_value", LOCAL, /secret reference is not/],
  ])("%s", (reference, policy, expected) => {
    const problem = secretReferenceProblem(reference, policy, "fabric-1");
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toMatch(expected);
  });

  it("never repeats a malformed reference, which may be a pasted secret", () => {
    expect(secretReferenceProblem("ghp_pasted_token_value", LOCAL, "fabric-1")).not.toContain("ghp_pasted");
  });

  it("refuses file: without a data dir, and says which forms are allowed", () => {
    expect(secretReferenceProblem("file:/x/secrets/token", { ...LOCAL, secretsDir: null }, "f")).toMatch(/need the data dir \(HH_GITOPS_DATA_DIR\)/);
    expect(allowedSecretForms(LOCAL, "f")).toEqual(["aws-sm:hedgehog-gitops/f/<name>", "env:HH_GITOPS_SECRET_<NAME>", "file:/srv/hh/.data/secrets/<name>"]);
    expect(allowedSecretForms(CLOUD, "f")).toEqual(["aws-sm:hedgehog-gitops/f/<name>"]);
  });
});
