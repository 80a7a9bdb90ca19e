import { describe, expect, it } from "vitest";

import { validateStackConfig } from "../../../src/config/index.ts";
import { ConfigError } from "../../../src/core/errors.ts";

const fleet = { url: "https://github.com/acme/fleet.git" };
const local = {
  platform: "local",
  region: "local-a",
  fleet: { url: "http://127.0.0.1:8470/fleet.git" },
};
const aws = { platform: "aws", region: "us-east-1", fleet };
const azure = { platform: "azure", region: "westeurope", fleet };
const gcp = { platform: "gcp", region: "europe-west1", project: "acme-prod-1", fleet };
const ageKey = `AGE-SECRET-KEY-1${"Q".repeat(58)}`;
const allSecret = new Set(["sopsAgeKey", "sopsVaultToken", "fleetCredentials"]);

function failure(raw: Record<string, unknown>, storedAsSecret: ReadonlySet<string> = allSecret) {
  try {
    validateStackConfig(raw, { stack: "s1", storedAsSecret });
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("validateStackConfig defaults", () => {
  it("fills the documented defaults for a local stack", () => {
    const config = validateStackConfig(local, { stack: "local-a" });
    expect(config).toEqual({
      stack: "local-a",
      platform: "local",
      region: "local-a",
      zones: undefined,
      fleet: {
        url: "http://127.0.0.1:8470/fleet.git",
        branch: "main",
        path: "clusters/local-a",
        intervalSeconds: 60,
        credentials: undefined,
      },
      reconciler: {
        kind: "flux",
        prune: true,
        timeoutSeconds: 300,
        retryIntervalSeconds: 30,
        recovery: expect.objectContaining({ concurrent: 20 }),
      },
      sopsAgeKey: false,
      sopsVaultToken: false,
      sealedSecrets: false,
      kyverno: false,
      protected: false,
      rtoObjectiveSeconds: undefined,
      dns: undefined,
      crdsDir: undefined,
    });
  });

  it("fills cloud defaults: three zones, node size, network and drkit's tags", () => {
    const config = validateStackConfig(
      { ...aws, tags: { team: "platform" } },
      { stack: "aws-use1" },
    );
    expect(config.platform).toBe("aws");
    expect(config.zones).toEqual(["us-east-1a", "us-east-1b", "us-east-1c"]);
    if (config.platform === "local") throw new Error("unreachable");
    expect(config.cluster).toEqual({
      nodeCount: 3,
      nodeSize: "m6i.large",
      kubernetesVersion: undefined,
      privateEndpoint: false,
      apiAllowedCidrs: undefined,
      vpcCidr: "10.0.0.0/16",
      project: undefined,
      tags: {
        team: "platform",
        "managed-by": "drkit",
        "drkit-stack": "aws-use1",
        "drkit-region": "us-east-1",
      },
    });
  });

  it("accepts Pulumi's text form of numbers and flags", () => {
    const config = validateStackConfig(
      { ...aws, nodeCount: "6", privateEndpoint: "true", protected: "true" },
      { stack: "s1" },
    );
    expect(config.platform !== "local" && config.cluster.nodeCount).toBe(6);
    expect(config.platform !== "local" && config.cluster.privateEndpoint).toBe(true);
    expect(config.protected).toBe(true);
  });

  it("records which kind of credentials and whether an age key are set, not their values", () => {
    const config = validateStackConfig(
      {
        ...local,
        sopsAgeKey: ageKey,
        fleetCredentials: { username: "git", password: "tok3n-value" },
      },
      { stack: "s1", storedAsSecret: allSecret },
    );
    expect(config.sopsAgeKey).toBe(true);
    expect(config.fleet.credentials).toBe("basic");
    expect(JSON.stringify(config)).not.toContain("tok3n-value");
    expect(JSON.stringify(config)).not.toContain(ageKey);
  });

  it("resolves Argo CD sync options when argocd is chosen", () => {
    const config = validateStackConfig(
      { ...aws, reconciler: "argocd", argocd: { selfHeal: false } },
      { stack: "s1" },
    );
    expect(config.reconciler).toEqual({
      kind: "argocd",
      prune: true,
      selfHeal: false,
      recovery: expect.objectContaining({ statusProcessors: 50 }),
    });
  });
});

describe("validateStackConfig messages", () => {
  it.each([
    [
      "fails on an unknown platform",
      { ...aws, platform: "aws2" },
      'drkit:platform must be one of aws, azure, gcp, local, got "aws2". Set it with `pulumi config set drkit:platform local`.',
    ],
    [
      "fails on a missing platform",
      { region: "us-east-1", fleet },
      "drkit:platform must be one of aws, azure, gcp, local, got nothing. Set it with `pulumi config set drkit:platform local`.",
    ],
    [
      "fails on a node count that is not a number",
      { ...aws, nodeCount: "many" },
      'drkit:nodeCount must be a whole number from 1 to 1000, got "many". Set it with `pulumi config set drkit:nodeCount 3`.',
    ],
    [
      "fails on a misspelt key and suggests the right one",
      { ...aws, plattform: "aws" },
      'drkit:plattform is not a drkit setting, got "aws". Did you mean drkit:platform? Remove it with `pulumi config rm drkit:plattform` and set that key instead.',
    ],
    [
      "fails on an unknown nested key",
      { ...aws, fleet: { ...fleet, depth: 1 } },
      "drkit:fleet.depth is not a drkit setting, got 1. Remove it with `pulumi config rm --path drkit:fleet.depth` (see stacks/README.md for the keys).",
    ],
    [
      "fails on a cloud-only key on the local platform",
      { ...local, privateEndpoint: true },
      'drkit:privateEndpoint applies only to cloud platforms (drkit:platform is "local"), got true. Remove it with `pulumi config rm drkit:privateEndpoint`, or set drkit:platform to aws, azure or gcp.',
    ],
    [
      "fails on Sealed Secrets on a cloud, where drkit installs no controller yet",
      { ...aws, sealedSecrets: true },
      'drkit:sealedSecrets runs the Sealed Secrets controller on local regions only so far (drkit:platform is "aws": drkit installs it on no cloud yet), got true. Remove it with `pulumi config rm drkit:sealedSecrets`, or install the controller through the fleet (its Helm chart) and keep its key Secrets in your cloud\'s secret store.',
    ],
    [
      "fails on Kyverno on a cloud, where drkit installs no admission controller yet",
      { ...aws, kyverno: true },
      'drkit:kyverno runs Kyverno\'s admission controller on local regions only so far (drkit:platform is "aws": drkit installs it on no cloud yet), got true. Remove it with `pulumi config rm drkit:kyverno`, or install Kyverno through the fleet (its Helm chart, in a layer before the policies).',
    ],
    [
      "fails on a region of another cloud",
      { ...aws, region: "westeurope" },
      'drkit:region must be an AWS region such as us-east-1 when drkit:platform is "aws", got "westeurope". Set it with `pulumi config set drkit:region us-east-1`.',
    ],
    [
      "fails on an Azure zone that does not exist",
      { ...azure, zones: ["1", "4"] },
      "drkit:zones[1] must be an Azure zone number: 1, 2 or 3, got \"4\". Set it with `pulumi config set --path 'drkit:zones[1]' 1`.",
    ],
    [
      "fails on a zone of another region",
      { ...aws, zones: ["us-east-1a", "us-west-2b"] },
      "drkit:zones[1] must be a zone of us-east-1 such as us-east-1a, got \"us-west-2b\". Set it with `pulumi config set --path 'drkit:zones[1]' us-east-1a`.",
    ],
    [
      "fails on fewer nodes than zones",
      { ...aws, nodeCount: 2 },
      "drkit:nodeCount must be at least the number of zones (3) so that every zone gets a node, got 2. Set it with `pulumi config set drkit:nodeCount 3`, or list fewer drkit:zones.",
    ],
    [
      "fails on allowed CIDRs for a private endpoint",
      { ...aws, privateEndpoint: "true", apiAllowedCidrs: ["203.0.113.0/24"] },
      'drkit:apiAllowedCidrs applies only to a public API endpoint, but drkit:privateEndpoint is true, got ["203.0.113.0/24"]. Remove it with `pulumi config rm drkit:apiAllowedCidrs`, or set drkit:privateEndpoint to false.',
    ],
    [
      "fails on Kustomization options with Argo CD",
      { ...aws, reconciler: "argocd", kustomization: { prune: false } },
      'drkit:kustomization configures the Flux Kustomization, but drkit:reconciler is "argocd", got {"prune":false}. Remove it with `pulumi config rm drkit:kustomization`, or set drkit:reconciler to flux (drkit:argocd holds the Argo CD sync options).',
    ],
    [
      "fails on Argo CD options with Flux",
      { ...aws, argocd: { selfHeal: false } },
      'drkit:argocd configures Argo CD, but drkit:reconciler is "flux", got {"selfHeal":false}. Remove it with `pulumi config rm drkit:argocd`, or set drkit:reconciler to argocd (drkit:kustomization holds the Flux options).',
    ],
    [
      "fails on credentials inside the fleet URL without echoing the password",
      { ...aws, fleet: { url: "https://bot:s3cr3t-token@github.com/acme/fleet.git" } },
      'drkit:fleet.url must not contain credentials, got "https://bot:***@github.com/acme/fleet.git". Put them in the secret drkit:fleetCredentials with `pulumi config set --path --secret drkit:fleetCredentials.password <token>` and remove them from the URL.',
    ],
    [
      "fails on a Git URL scheme Flux cannot fetch",
      { ...aws, fleet: { url: "git://github.com/acme/fleet.git" } },
      'drkit:fleet.url must be an http://, https:// or ssh:// Git URL, got "git://github.com/acme/fleet.git". Set it with `pulumi config set --path drkit:fleet.url https://github.com/acme/fleet.git`.',
    ],
    [
      "fails on an ssh key for an https URL",
      { ...aws, fleetCredentials: { username: "git", password: "tok3n-value", identity: "KEY" } },
      'drkit:fleetCredentials.identity does not apply to an http(s):// fleet URL (drkit:fleet.url is "https://github.com/acme/fleet.git"), got a secret value (not shown). Remove it with `pulumi config rm --path drkit:fleetCredentials.identity`, or change drkit:fleet.url to the ssh form.',
    ],
    [
      "fails on https credentials without a password",
      { ...aws, fleetCredentials: { username: "git" } },
      "drkit:fleetCredentials.password must be set for an http(s):// fleet URL, got nothing. Set it with `pulumi config set --path --secret drkit:fleetCredentials.password <token>`.",
    ],
    [
      "fails on credentials sent over plain http",
      {
        ...aws,
        fleet: { url: "http://git.example.com/fleet.git" },
        fleetCredentials: { username: "git", password: "tok3n-value" },
      },
      'drkit:fleet.url must use https:// when drkit:fleetCredentials is set, or the credentials travel in clear text, got "http://git.example.com/fleet.git". Set it with `pulumi config set --path drkit:fleet.url https://github.com/acme/fleet.git`.',
    ],
    [
      "fails on a malformed age key without showing it",
      { ...local, sopsAgeKey: "AGE-SECRET-KEY-1short" },
      "drkit:sopsAgeKey must be an age identity (AGE-SECRET-KEY-1...), got a secret value (not shown). Set it with `pulumi config set --secret drkit:sopsAgeKey AGE-SECRET-KEY-1...`.",
    ],
    [
      "fails on gcp without a project",
      { ...gcp, project: undefined },
      'drkit:project must be set when drkit:platform is "gcp", got nothing. Set it with `pulumi config set drkit:project my-project-id`.',
    ],
    [
      "fails on a project outside gcp",
      { ...aws, project: "acme-prod-1" },
      'drkit:project applies only to drkit:platform "gcp" (drkit:platform is "aws"), got "acme-prod-1". Remove it with `pulumi config rm drkit:project`, or set drkit:platform to "gcp".',
    ],
    [
      "fails on Azure DNS without the profile's resource group",
      {
        ...azure,
        dns: {
          zone: "tm",
          recordName: "app.example.com",
          target: "a.example.com",
          role: "primary",
        },
      },
      "drkit:dns.resourceGroup must name the resource group of the Traffic Manager profile when drkit:platform is azure, got nothing. Set it with `pulumi config set --path drkit:dns.resourceGroup dns`.",
    ],
    [
      "fails on a host name as a Cloud DNS target",
      {
        ...gcp,
        dns: {
          zone: "z",
          recordName: "app.example.com",
          target: "a.example.com",
          role: "secondary",
        },
      },
      'drkit:dns.target must be an IPv4 address on gcp (Cloud DNS health checks probe addresses), got "a.example.com". Set it with `pulumi config set --path drkit:dns.target 203.0.113.10`.',
    ],
    [
      "fails on a gcp primary record without backup targets",
      {
        ...gcp,
        dns: { zone: "z", recordName: "app.example.com", target: "203.0.113.1", role: "primary" },
      },
      "drkit:dns.backupTargets must list the secondary region's addresses for the primary record on gcp, got nothing. Set it with `pulumi config set --path 'drkit:dns.backupTargets[0]' 198.51.100.10`.",
    ],
    [
      "fails on a fleet path that leaves the repository",
      { ...aws, fleet: { ...fleet, path: "clusters/../secrets" } },
      'drkit:fleet.path must be a relative path inside the repository, without .., got "clusters/../secrets". Set it with `pulumi config set --path drkit:fleet.path clusters/<stack>`.',
    ],
    [
      "fails on a network too small for the zones",
      { ...aws, vpcCidr: "10.0.0.0/24" },
      'drkit:vpcCidr must be an IPv4 block from /16 to /22 (room for a subnet per zone), got "10.0.0.0/24". Set it with `pulumi config set drkit:vpcCidr 10.0.0.0/16`.',
    ],
    [
      "fails on a drained DNS member without drkit:dns",
      { ...aws, dnsDrained: "true" },
      "drkit:dnsDrained drains a DNS failover member, but drkit:dns is not set, got true. Remove it with `pulumi config rm drkit:dnsDrained`, or set drkit:dns.",
    ],
    [
      "fails on a drained DNS member on the local platform",
      {
        ...local,
        dnsDrained: "false",
        dns: { zone: "z", recordName: "app.drkit.test", target: "127.0.0.1", role: "primary" },
      },
      "drkit:dnsDrained applies only to cloud platforms: the local platform's record is switched in its DNS server, got false. Remove it with `pulumi config rm drkit:dnsDrained`, or run `drkit dns switch --to <stack>`.",
    ],
    [
      "fails on an unknown DNS role",
      {
        ...local,
        dns: { zone: "z", recordName: "app.drkit.test", target: "127.0.0.1", role: "main" },
      },
      'drkit:dns.role must be primary or secondary, got "main". Set it with `pulumi config set --path drkit:dns.role primary`.',
    ],
  ])("%s", (_name, raw, message) => {
    expect(failure(raw).message).toBe(message);
  });

  it("fails on a secret key stored in clear text, naming the key but not the value", () => {
    const err = failure({ ...local, sopsAgeKey: ageKey }, new Set());
    expect(err.message).toBe(
      "drkit:sopsAgeKey must be stored as a Pulumi secret, got a plaintext value (not shown). Remove it with `pulumi config rm drkit:sopsAgeKey`, set it again with `pulumi config set --secret ...`, and rotate it: it was written in clear text.",
    );
    expect(err.key).toBe("drkit:sopsAgeKey");
  });

  it("takes a Vault token only as a Pulumi secret, and never shows it", () => {
    const token = "hvs.CAESIJ-not-a-real-token";
    const config = validateStackConfig(
      { ...local, sopsVaultToken: token },
      { stack: "s1", storedAsSecret: allSecret },
    );
    expect(config.sopsVaultToken).toBe(true);
    const err = failure({ ...local, sopsVaultToken: token }, new Set());
    expect(err.key).toBe("drkit:sopsVaultToken");
    expect(err.message).toContain("must be stored as a Pulumi secret");
    expect(err.message).not.toContain(token);
    expect(failure({ ...local, sopsVaultToken: "a b" }).message).toContain(
      "drkit:sopsVaultToken must be a Vault token",
    );
  });

  it("fails with every problem at once, keyed by the first", () => {
    const err = failure({ ...local, nodeCount: 3, privateEndpoint: true });
    expect(err.key).toBe("drkit:nodeCount");
    expect(err.message.split("\n")).toEqual([
      '2 problems in the config of stack "s1":',
      expect.stringMatching(/^ {2}- drkit:nodeCount applies only to cloud platforms/),
      expect.stringMatching(/^ {2}- drkit:privateEndpoint applies only to cloud platforms/),
    ]);
  });

  it("fails on an empty secret field without printing what was given", () => {
    const err = failure({ ...aws, fleetCredentials: { username: "git-user", password: "" } });
    expect(err.message).toContain(
      "drkit:fleetCredentials.password must not be empty, got a secret value (not shown).",
    );
    expect(err.message).not.toContain("git-user");
  });
});

describe("drkit:reconciler.recovery", () => {
  const base = {
    platform: "local",
    region: "local-a",
    fleet: { url: "http://127.0.0.1:8470/fleet.git" },
  };

  it("is on by default with Flux's vertical-scaling settings", () => {
    const config = validateStackConfig(base, { stack: "local-a" });
    expect(config.reconciler.recovery).toEqual({
      concurrent: 20,
      concurrentSsa: 32,
      requeueDependencySeconds: 2,
      minRetryDelayMs: 50,
      kubeApiQps: 500,
      kubeApiBurst: 1000,
    });
  });

  it("takes values as Pulumi passes them (text) and turns off with enabled: false", () => {
    const tuned = validateStackConfig(
      { ...base, "reconciler.recovery": { concurrent: "50", kubeApiQps: "2000" } },
      { stack: "local-a" },
    );
    expect(tuned.reconciler.recovery).toMatchObject({ concurrent: 50, kubeApiQps: 2000 });
    const off = validateStackConfig(
      { ...base, "reconciler.recovery": { enabled: "false" } },
      { stack: "local-a" },
    );
    expect(off.reconciler.recovery).toBeUndefined();
  });

  it("gives Argo CD its own settings", () => {
    const config = validateStackConfig(
      { ...base, reconciler: "argocd", "reconciler.recovery": { statusProcessors: 80 } },
      { stack: "local-a" },
    );
    expect(config.reconciler.recovery).toEqual({
      statusProcessors: 80,
      operationProcessors: 25,
      kubeApiQps: 500,
      kubeApiBurst: 1000,
    });
  });

  it("names the key, the value and the command for a bad value", () => {
    expect(() =>
      validateStackConfig(
        { ...base, "reconciler.recovery": { concurrent: 0 } },
        { stack: "local-a" },
      ),
    ).toThrow(
      `drkit:reconciler.recovery.concurrent must be a whole number from 1 to 1000, got 0. Set it with \`pulumi config set --path 'drkit:["reconciler.recovery"].concurrent' 20\`.`,
    );
  });

  it("keeps the first retry delay above zero (an exponential backoff from 0 never backs off)", () => {
    expect(() =>
      validateStackConfig(
        { ...base, "reconciler.recovery": { minRetryDelayMs: "0" } },
        { stack: "local-a" },
      ),
    ).toThrow(
      `drkit:reconciler.recovery.minRetryDelayMs must be a whole number from 10 to 60000, got "0". Set it with \`pulumi config set --path 'drkit:["reconciler.recovery"].minRetryDelayMs' 50\`.`,
    );
  });

  it("refuses the other reconciler's settings and a misspelt key", () => {
    expect(() =>
      validateStackConfig(
        { ...base, "reconciler.recovery": { statusProcessors: 80 } },
        { stack: "local-a" },
      ),
    ).toThrow(
      /drkit:reconciler\.recovery\.statusProcessors is an Argo CD setting, but drkit:reconciler is "flux", got 80\. Remove it with `pulumi config rm --path 'drkit:\["reconciler\.recovery"\]\.statusProcessors'`/,
    );
    expect(() =>
      validateStackConfig(
        { ...base, "reconciler.recovery": { concurency: 20 } },
        { stack: "local-a" },
      ),
    ).toThrow(/drkit:reconciler\.recovery/);
  });
});
