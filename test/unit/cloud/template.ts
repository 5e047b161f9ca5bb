// Helpers shared by the cloud stack tests: synthesize a stack with stub code (no bundling) and read the
// CloudFormation template as plain data.
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import type { CfnResource } from "aws-cdk-lib";
import type { IConstruct } from "constructs";
import { HedgehogGitopsStack, type HedgehogGitopsStackProps } from "../../../infra/cloud/stack.js";
import type { Wiring } from "../../../infra/wiring-types.js";

export interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface Synthesized {
  readonly app: App;
  readonly stack: HedgehogGitopsStack;
  readonly template: Template;
  readonly resources: Record<string, CfnResourceJson>;
  readonly outputs: Record<string, { Value: unknown }>;
  /** The logical id of a construct's CloudFormation resource. */
  logicalId(construct: IConstruct): string;
  /** Resources of one type, by logical id. */
  ofType(type: string): [string, CfnResourceJson][];
}

export function synthesize(wiring: Wiring, props: Omit<HedgehogGitopsStackProps, "wiring"> = {}): Synthesized {
  const app = new App();
  const stack = new HedgehogGitopsStack(app, "HedgehogGitopsTest", { functionCode: "stub", ...props, wiring });
  const template = Template.fromStack(stack);
  const json = template.toJSON() as { Resources: Record<string, CfnResourceJson>; Outputs?: Record<string, { Value: unknown }> };
  return {
    app,
    stack,
    template,
    resources: json.Resources,
    outputs: json.Outputs ?? {},
    logicalId: (construct) => stack.getLogicalId((construct.node.defaultChild ?? construct) as CfnResource),
    ofType: (type) => Object.entries(json.Resources).filter(([, r]) => r.Type === type),
  };
}

export const getAtt = (logicalId: string, attribute: string) => ({ "Fn::GetAtt": [logicalId, attribute] });
export const ref = (logicalId: string) => ({ Ref: logicalId });

/** Every logical id that a CloudFormation value refers to (Ref / Fn::GetAtt), however deeply nested. */
export function referencedLogicalIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedLogicalIds);
  if (value === null || typeof value !== "object") return [];
  const record = value as Record<string, unknown>;
  if (typeof record.Ref === "string") return [record.Ref];
  const getAtt = record["Fn::GetAtt"];
  if (Array.isArray(getAtt) && typeof getAtt[0] === "string") return [getAtt[0]];
  return Object.values(record).flatMap(referencedLogicalIds);
}

/**
 * Walks every policy document of the template (role policies, inline role policies, queue policies) and
 * lists each statement resource that names no resource of this stack, except the two documented
 * exceptions: "*" for the X-Ray actions (no resource-level permissions) and the fabric secrets' name
 * prefix pattern for secretsmanager:GetSecretValue.
 */
export function iamResourceProblems(resources: Record<string, CfnResourceJson>, secretNamePrefix: string): { statements: number; problems: string[] } {
  const documents = Object.entries(resources).flatMap(([id, r]) => {
    const p = r.Properties ?? {};
    const inline = ((p.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).map((x) => x.PolicyDocument);
    return [p.PolicyDocument, ...inline]
      .filter((d) => d !== undefined)
      .map((d) => ({ id, document: d as { Statement: Record<string, unknown>[] } }));
  });
  const secretPrefixArn = JSON.stringify({
    "Fn::Join": ["", ["arn:", ref("AWS::Partition"), ":secretsmanager:", ref("AWS::Region"), ":", ref("AWS::AccountId"), `:secret:${secretNamePrefix}*`]],
  });
  const problems: string[] = [];
  let statements = 0;
  for (const { id, document } of documents) {
    for (const statement of document.Statement) {
      statements++;
      const actions = [statement.Action].flat() as string[];
      for (const resource of [statement.Resource].flat()) {
        const where = `${id}: ${JSON.stringify(actions)} on ${JSON.stringify(resource)}`;
        if (resource === "*") {
          if (JSON.stringify(actions) !== JSON.stringify(["xray:PutTraceSegments", "xray:PutTelemetryRecords"])) problems.push(where);
        } else if (JSON.stringify(resource) === secretPrefixArn) {
          if (JSON.stringify(actions) !== JSON.stringify(["secretsmanager:GetSecretValue"])) problems.push(where);
        } else if (!referencedLogicalIds(resource).some((logical) => logical in resources)) {
          problems.push(where);
        }
      }
    }
  }
  return { statements, problems };
}
