/**
 * Rules across keys: combinations that each pass the schema but cannot work together.
 * Pure: returns every problem found, so the user fixes them in one pass.
 */
import { recoveryKeysOf } from "./reconciler-recovery.ts";
import { removeFix, setHint, type ConfigProblem } from "./messages.ts";
import { dnsProblems, fleetProblems, secretStorageProblems } from "./fleet-contradictions.ts";
import { cloudOnlyKeys, type RawStackConfig } from "./schema.ts";

const regionPatterns = {
  aws: {
    pattern: /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/,
    example: "an AWS region such as us-east-1",
  },
  azure: { pattern: /^[a-z][a-z0-9]+$/, example: "an Azure location such as westeurope" },
  gcp: { pattern: /^[a-z]+-[a-z]+\d+$/, example: "a GCP region such as europe-west1" },
} as const;

function platformProblems(raw: RawStackConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { platform } = raw;
  if (platform === "local") {
    for (const key of cloudOnlyKeys) {
      if (raw[key] === undefined) continue;
      problems.push({
        path: [key],
        problem: 'applies only to cloud platforms (drkit:platform is "local")',
        received: raw[key],
        fix: removeFix([key], "set drkit:platform to aws, azure or gcp"),
      });
    }
    return problems;
  }
  if (raw.sealedSecrets === true) {
    problems.push({
      path: ["sealedSecrets"],
      problem: `runs the Sealed Secrets controller on local regions only so far (drkit:platform is "${platform}": drkit installs it on no cloud yet)`,
      received: raw.sealedSecrets,
      fix: removeFix(
        ["sealedSecrets"],
        "install the controller through the fleet (its Helm chart) and keep its key Secrets in your cloud's secret store",
      ),
    });
  }
  if (raw.kyverno === true) {
    problems.push({
      path: ["kyverno"],
      problem: `runs Kyverno's admission controller on local regions only so far (drkit:platform is "${platform}": drkit installs it on no cloud yet)`,
      received: raw.kyverno,
      fix: removeFix(
        ["kyverno"],
        "install Kyverno through the fleet (its Helm chart, in a layer before the policies)",
      ),
    });
  }
  const region = regionPatterns[platform];
  if (!region.pattern.test(raw.region)) {
    problems.push({
      path: ["region"],
      problem: `must be ${region.example} when drkit:platform is "${platform}"`,
      received: raw.region,
      fix: setHint(["region"]).replace("local-a", region.example.split(" ").pop()!),
    });
  }
  if (platform === "gcp" && raw.project === undefined) {
    problems.push({
      path: ["project"],
      problem: 'must be set when drkit:platform is "gcp"',
      received: undefined,
      fix: setHint(["project"]),
    });
  }
  if (platform !== "gcp" && raw.project !== undefined) {
    problems.push({
      path: ["project"],
      problem: `applies only to drkit:platform "gcp" (drkit:platform is "${platform}")`,
      received: raw.project,
      fix: removeFix(["project"], 'set drkit:platform to "gcp"'),
    });
  }
  return problems;
}

function zoneProblems(raw: RawStackConfig): ConfigProblem[] {
  const zones = raw.zones;
  if (zones === undefined) return [];
  const problems: ConfigProblem[] = [];
  const expectations = {
    aws: {
      ok: (z: string) => new RegExp(`^${raw.region}[a-z]$`).test(z),
      what: `a zone of ${raw.region} such as ${raw.region}a`,
      example: `${raw.region}a`,
    },
    azure: {
      ok: (z: string) => ["1", "2", "3"].includes(z),
      what: "an Azure zone number: 1, 2 or 3",
      example: "1",
    },
    gcp: {
      ok: (z: string) => new RegExp(`^${raw.region}-[a-z]$`).test(z),
      what: `a zone of ${raw.region} such as ${raw.region}-b`,
      example: `${raw.region}-b`,
    },
    local: {
      ok: (z: string) => /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(z),
      what: "a lower-case zone label",
      example: `${raw.region}-zone-1`,
    },
  } as const;
  const expected = expectations[raw.platform];
  zones.forEach((zone, index) => {
    if (!expected.ok(zone)) {
      problems.push({
        path: ["zones", index],
        problem: `must be ${expected.what}`,
        received: zone,
        fix: `Set it with \`pulumi config set --path 'drkit:zones[${index}]' ${expected.example}\`.`,
      });
    } else if (zones.indexOf(zone) !== index) {
      problems.push({
        path: ["zones", index],
        problem: "must not repeat a zone already listed",
        received: zone,
        fix: removeFix(["zones", index], "list each zone once"),
      });
    }
  });
  return problems;
}

function networkProblems(raw: RawStackConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  // Every platform but local spreads nodes over the listed zones, three by default.
  const zoneCount = raw.zones?.length ?? 3;
  if (raw.platform !== "local" && raw.nodeCount !== undefined && raw.nodeCount < zoneCount) {
    problems.push({
      path: ["nodeCount"],
      problem: `must be at least the number of zones (${zoneCount}) so that every zone gets a node`,
      received: raw.nodeCount,
      fix: `Set it with \`pulumi config set drkit:nodeCount ${zoneCount}\`, or list fewer drkit:zones.`,
    });
  }
  if (raw.privateEndpoint === true && raw.apiAllowedCidrs !== undefined) {
    problems.push({
      path: ["apiAllowedCidrs"],
      problem: "applies only to a public API endpoint, but drkit:privateEndpoint is true",
      received: raw.apiAllowedCidrs,
      fix: removeFix(["apiAllowedCidrs"], "set drkit:privateEndpoint to false"),
    });
  }
  if (raw.vpcCidr !== undefined) {
    const prefix = Number(raw.vpcCidr.split("/")[1]);
    const octets = raw.vpcCidr.split("/")[0]!.split(".").map(Number);
    if (prefix < 16 || prefix > 22 || octets.some((o) => o > 255)) {
      problems.push({
        path: ["vpcCidr"],
        problem: "must be an IPv4 block from /16 to /22 (room for a subnet per zone)",
        received: raw.vpcCidr,
        fix: setHint(["vpcCidr"]),
      });
    }
  }
  return problems;
}

function reconcilerProblems(raw: RawStackConfig): ConfigProblem[] {
  return [...reconcilerOptionProblems(raw), ...recoveryProblems(raw)];
}

/** A recovery key of the other reconciler means nothing here. */
function recoveryProblems(raw: RawStackConfig): ConfigProblem[] {
  const reconciler = raw.reconciler ?? "flux";
  const other = reconciler === "flux" ? "argocd" : "flux";
  const recovery = raw["reconciler.recovery"] ?? {};
  return recoveryKeysOf[other]
    .filter((key) => recovery[key] !== undefined)
    .map((key) => ({
      path: ["reconciler.recovery", key],
      problem: `is an ${other === "flux" ? "Flux" : "Argo CD"} setting, but drkit:reconciler is "${reconciler}"`,
      received: recovery[key],
      fix: removeFix(
        ["reconciler.recovery", key],
        `use the ${reconciler === "flux" ? "Flux" : "Argo CD"} settings (${recoveryKeysOf[reconciler].join(", ")}, kubeApiQps, kubeApiBurst)`,
      ),
    }));
}

function reconcilerOptionProblems(raw: RawStackConfig): ConfigProblem[] {
  const reconciler = raw.reconciler ?? "flux";
  if (reconciler === "argocd" && raw.kustomization !== undefined) {
    return [
      {
        path: ["kustomization"],
        problem: 'configures the Flux Kustomization, but drkit:reconciler is "argocd"',
        received: raw.kustomization,
        fix: removeFix(
          ["kustomization"],
          "set drkit:reconciler to flux (drkit:argocd holds the Argo CD sync options)",
        ),
      },
    ];
  }
  if (reconciler === "flux" && raw.argocd !== undefined) {
    return [
      {
        path: ["argocd"],
        problem: `configures Argo CD, but drkit:reconciler is "flux"`,
        received: raw.argocd,
        fix: removeFix(
          ["argocd"],
          "set drkit:reconciler to argocd (drkit:kustomization holds the Flux options)",
        ),
      },
    ];
  }
  return [];
}

/** Every contradiction in a schema-valid config. */
export function findContradictions(
  raw: RawStackConfig,
  storedAsSecret: ReadonlySet<string> | undefined,
): ConfigProblem[] {
  return [
    ...platformProblems(raw),
    ...zoneProblems(raw),
    ...networkProblems(raw),
    ...reconcilerProblems(raw),
    ...fleetProblems(raw),
    ...dnsProblems(raw),
    ...secretStorageProblems(raw, storedAsSecret),
  ];
}
