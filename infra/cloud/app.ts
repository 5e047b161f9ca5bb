// `cdk synth` / `cdk deploy` entry (cdk.json "app"): the one stack, from the real wiring and the CDK
// context, checked by cdk-nag. Every finding must be fixed or acknowledged with a reason in stack.ts;
// an unacknowledged one fails the synth (the validation report interrupts synthesis, exit code ≠ 0).
import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks, ServerlessChecks } from "cdk-nag";
import { wiring } from "../wiring.js";
import { configFromContext } from "./config.js";
import { HedgehogGitopsStack } from "./stack.js";

const app = new App();
new HedgehogGitopsStack(app, "HedgehogGitops", { wiring, config: configFromContext(app) });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
app.synth();
