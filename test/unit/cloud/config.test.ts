// Deploy-time settings: defaults, the string forms `-c key=value` produces, and clear errors.
import { describe, expect, it } from "vitest";
import { parseStackConfig, StackConfigError } from "../../../infra/cloud/config.js";
import { defineWiring } from "../../../infra/wiring-types.js";
import { wiring } from "../../../infra/wiring.js";

const withSchedule = defineWiring({ ...wiring, schedules: [{ name: "sweep", rateMinutes: 15, function: "metaApi" }] });

const problem = (input: unknown, w = wiring): string => {
  try {
    parseStackConfig(input, w);
  } catch (error) {
    expect(error).toBeInstanceOf(StackConfigError);
    return (error as Error).message;
  }
  throw new Error("expected the configuration to be rejected");
};

describe("cloud stack configuration", () => {
  it("has defaults for everything", () => {
    expect(parseStackConfig({}, wiring)).toEqual({
      namePrefix: "hedgehog-gitops",
      secretNamePrefix: "hedgehog-gitops/",
      allowedHosts: ["github.com", "api.github.com", "codeload.github.com"],
      allowedPrincipals: [],
      scheduleRateMinutes: {},
      auth: "iam",
    });
  });

  it("reads the string forms that -c key=value produces", () => {
    expect(
      parseStackConfig(
        {
          allowedPrincipals: "123456789012, arn:aws:iam::210987654321:role/ci-deployer",
          scheduleRateMinutes: "sweep=5",
          alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:ops",
        },
        withSchedule,
      ),
    ).toMatchObject({
      allowedPrincipals: ["123456789012", "arn:aws:iam::210987654321:role/ci-deployer"],
      scheduleRateMinutes: { sweep: 5 },
      alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:ops",
    });
    expect(parseStackConfig({ scheduleRateMinutes: '{"sweep": 30}' }, withSchedule).scheduleRateMinutes).toEqual({ sweep: 30 });
    expect(parseStackConfig({ allowedHosts: "ghe.example.com, k8s.example.com" }, wiring).allowedHosts).toEqual(["ghe.example.com", "k8s.example.com"]);
  });

  it("names the setting and the rule when a value is wrong", () => {
    expect(problem({ namePrefix: "Hedgehog_GitOps" })).toMatch(/namePrefix: .*lowercase/);
    expect(problem({ secretNamePrefix: "hedgehog-gitops" })).toMatch(/secretNamePrefix: .*ending with '\/'/);
    expect(problem({ secretNamePrefix: "*/" })).toMatch(/secretNamePrefix/);
    expect(problem({ allowedPrincipals: "12345" })).toMatch(/allowedPrincipals\.0: an account id/);
    expect(problem({ allowedPrincipals: ["arn:aws:sts::123456789012:assumed-role/x/y"] })).toMatch(/allowedPrincipals\.0/);
    expect(problem({ scheduleRateMinutes: "sweep=0" }, withSchedule)).toMatch(/scheduleRateMinutes\.sweep/);
    expect(problem({ scheduleRateMinutes: "nightly=60" }, withSchedule)).toMatch(/scheduleRateMinutes\.nightly: no schedule of that name in the wiring \(known: sweep\)/);
    expect(problem({ scheduleRateMinutes: "{not json" }, withSchedule)).toMatch(/scheduleRateMinutes/);
    expect(problem({ alarmTopicArn: "ops-topic" })).toMatch(/alarmTopicArn: an SNS topic ARN/);
    expect(problem({ allowedHosts: "https://github.com" })).toMatch(/allowedHosts\.0: a host name/);
    expect(problem({ allowedHosts: [] })).toMatch(/allowedHosts: at least one host/);
    expect(problem({ namePrefx: "x" })).toMatch(/namePrefx/);
  });
});
