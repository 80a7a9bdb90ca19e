import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";

const ageKey = `AGE-SECRET-KEY-1${"Q".repeat(58)}`;

pulumi.runtime.setMocks(
  {
    newResource: (args) => ({ id: `mocked::${args.type}::${args.name}`, state: args.inputs }),
    call: (args) => {
      throw new Error(`unexpected call ${args.token}`);
    },
  },
  "drkit",
  "local-a",
  false,
);

let readStackConfig: typeof import("../../../src/config/index.ts").readStackConfig;

beforeAll(async () => {
  ({ readStackConfig } = await import("../../../src/config/index.ts"));
});

function resolve<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((done) => output.apply(done));
}

describe("readStackConfig", () => {
  it("reads drkit:* keys of the current stack and returns secrets only as secret outputs", async () => {
    pulumi.runtime.setAllConfig(
      {
        "drkit:platform": "local",
        "drkit:region": "local-a",
        "drkit:fleet": JSON.stringify({ url: "http://127.0.0.1:8470/fleet.git" }),
        "drkit:sopsAgeKey": ageKey,
        "drkit:fleetCredentials": JSON.stringify({ username: "git", password: "tok3n-value" }),
        "aws:region": "us-east-1",
      },
      ["drkit:sopsAgeKey", "drkit:fleetCredentials"],
    );
    const { config, secrets } = readStackConfig();
    expect(config.stack).toBe("local-a");
    expect(config.fleet.path).toBe("clusters/local-a");
    expect(secrets.sopsAgeKey && (await pulumi.isSecret(secrets.sopsAgeKey))).toBe(true);
    expect(secrets.sopsAgeKey && (await resolve(secrets.sopsAgeKey))).toBe(ageKey);
    expect(secrets.fleetCredentials && (await resolve(secrets.fleetCredentials))).toEqual({
      username: "git",
      password: "tok3n-value",
    });
    expect(secrets.fleetCredentials && (await pulumi.isSecret(secrets.fleetCredentials))).toBe(
      true,
    );
  });

  it("fails when a secret key was set without --secret", () => {
    pulumi.runtime.setAllConfig(
      {
        "drkit:platform": "local",
        "drkit:region": "local-a",
        "drkit:fleet": JSON.stringify({ url: "http://127.0.0.1:8470/fleet.git" }),
        "drkit:sopsAgeKey": ageKey,
      },
      [],
    );
    expect(() => readStackConfig()).toThrow(
      "drkit:sopsAgeKey must be stored as a Pulumi secret, got a plaintext value (not shown).",
    );
  });

  it("returns no secret outputs when no secrets are configured", () => {
    pulumi.runtime.setAllConfig(
      {
        "drkit:platform": "local",
        "drkit:region": "local-a",
        "drkit:fleet": JSON.stringify({ url: "http://127.0.0.1:8470/fleet.git" }),
      },
      [],
    );
    expect(readStackConfig().secrets).toEqual({
      sopsAgeKey: undefined,
      fleetCredentials: undefined,
    });
  });
});
