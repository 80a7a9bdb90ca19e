/**
 * Helm charts and OCI artifacts restored by the real controllers (issue 10), on a real local
 * region: the sample fleet's HelmReleases from the local OCI registry and from the fleet's own
 * Git repository, one more from a plain HTTP chart repository, the Kustomization reading an
 * OCIRepository; an upgrade to a new chart version; drift under a HelmRelease found by
 * `drkit verify` and put back by a restore; a chart whose registry goes down during converge.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { renderAgeKeyFile } from "../../src/dr/fleet/index.ts";
import { publishChartToHttpRepo, pushChartToRegistry } from "../../src/local/chart-push.ts";
import { ensureRegistry, findRegistry, stopRegistry } from "../../src/local/registry.ts";
import { sampleSources } from "../../src/local/sample-sources.ts";
import {
  createRestoreFixture,
  regionName,
  type RestoreFixture,
} from "./support/restore-fixture.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const fixtureChart = fileURLToPath(new URL("../fixtures/charts/greeter", import.meta.url));
let fx: RestoreFixture;
let keyFile: string;
let registryPort: number;
const temps: string[] = [];

interface HelmReleaseStatus {
  history?: { chartVersion?: string }[];
  conditions?: { type: string; status: string }[];
}

async function release(namespace: string, name: string): Promise<HelmReleaseStatus> {
  const out = await fx.kubectl(["get", "helmrelease", name, "-n", namespace, "-o", "json"]);
  return (JSON.parse(out) as { status: HelmReleaseStatus }).status;
}

const configValue = (name: string, key: string) =>
  fx.kubectl(["get", "configmap", name, "-n", "shop", "-o", `jsonpath={.data.${key}}`]);

/** A copy of a chart directory with its version changed (and `edit` applied to its files). */
function chartVersion(dir: string, version: string): string {
  const copy = join(mkdtempSync(join(tmpdir(), "drkit-chart-")), "chart");
  temps.push(copy);
  cpSync(dir, copy, { recursive: true });
  const chartYaml = join(copy, "Chart.yaml");
  writeFileSync(
    chartYaml,
    readFileSync(chartYaml, "utf8").replace(/^version: .*$/m, `version: ${version}`),
  );
  return copy;
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function drkit(args: readonly string[]): Promise<Run> {
  const child = spawn(process.execPath, ["bin/drkit.js", ...args], {
    cwd: root,
    env: { ...process.env, DRKIT_STATE_DIR: fx.platform.stateDir, KUBECONFIG: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

beforeAll(async () => {
  fx = await createRestoreFixture("restore-helm");
  registryPort = (await findRegistry({ stateDir: fx.platform.stateDir }))!.port;
  keyFile = join(mkdtempSync(join(tmpdir(), "drkit-age-")), "fleet.agekey");
  temps.push(keyFile);
  writeFileSync(keyFile, renderAgeKeyFile(fx.key), { mode: 0o600 });
  // A third chart source: a plain HTTP chart repository, served by the git server's process.
  const published = await publishChartToHttpRepo({
    stateDir: fx.platform.stateDir,
    helm: fx.platform.toolchain.path("helm"),
    gitServer: fx.git,
    request: { chartPath: fixtureChart, repository: "stable" },
  });
  const kustomization = await fx.sampleFile("apps/helm/kustomization.yaml");
  await fx.repo.commitAndPush(
    {
      "apps/helm/kustomization.yaml": kustomization.replace(
        "  - gadget.yaml\n",
        "  - gadget.yaml\n  - greeter.yaml\n",
      ),
      "apps/helm/greeter.yaml": [
        "apiVersion: source.toolkit.fluxcd.io/v1",
        "kind: HelmRepository",
        "metadata:",
        "  name: stable",
        "spec:",
        `  url: ${published.repositoryUrl}`,
        "  interval: 10m",
        "---",
        "apiVersion: helm.toolkit.fluxcd.io/v2",
        "kind: HelmRelease",
        "metadata:",
        "  name: greeter",
        "spec:",
        "  interval: 10m",
        "  chart:",
        "    spec:",
        `      chart: ${published.name}`,
        `      version: "${published.version}"`,
        "      sourceRef:",
        "        kind: HelmRepository",
        "        name: stable",
        "",
      ].join("\n"),
    },
    "a HelmRelease from an HTTP chart repository",
  );
});
afterAll(async () => {
  await fx?.cleanup();
  for (const t of temps) await rm(t, { recursive: true, force: true });
});

describe("HelmReleases and OCI sources restored by the real controllers", () => {
  it("restores charts from the OCI registry, the fleet's Git repository and an HTTP repository, and the OCI artifact", async () => {
    const report = await fx.restore({ convergeTimeoutMs: 300_000 });
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.phases.find((p) => p.name === "converge")?.detail).toMatch(
      /^5 Kustomization\(s\) and 3 HelmRelease\(s\) Ready at [0-9a-f]{12}, \d+ workload\(s\) checked$/,
    );
    // The charts were installed ahead of helm-controller, which took every object over: one
    // field manager on each, and each in the HelmRelease's inventory (verify's check).
    const messages = fx.events.map((e) => e.message);
    expect(messages).toContainEqual(
      expect.stringMatching(/^warm-up applied \d+ object\(s\) of HelmRelease\/shop\/storefront /),
    );
    expect(report.phases.find((p) => p.name === "verify")?.detail).toMatch(
      /the \d+ warmed-up object\(s\) are in their owners' inventories/,
    );
    const managers = await fx.kubectl([
      "get",
      "deployment",
      "storefront",
      "-n",
      "shop",
      "--show-managed-fields",
      "-o",
      "jsonpath={.metadata.managedFields[?(@.operation=='Apply')].manager}",
    ]);
    expect(managers).toBe("helm-controller");
    // The HelmChart went in ahead of its HelmRelease; helm-controller's own apply found it
    // unchanged (generation 1), so it has one manager and no spec change to rebuild for.
    expect(messages).toContainEqual(
      expect.stringMatching(
        /^warm-up applied 1 object\(s\) of HelmChart\/flux-system\/shop-storefront /,
      ),
    );
    const helmChart = await fx.kubectl([
      "get",
      "helmchart",
      "shop-storefront",
      "-n",
      "flux-system",
      "--show-managed-fields",
      "-o",
      "jsonpath={.metadata.managedFields[?(@.operation=='Apply')].manager} {.metadata.generation}",
    ]);
    expect(helmChart).toBe("helm-controller 1");
    expect((await release("platform", "gadget-operator")).history?.[0]?.chartVersion).toBe("0.1.0");
    expect((await release("shop", "storefront")).history?.[0]?.chartVersion).toBe("1.0.0");
    expect((await release("shop", "greeter")).history?.[0]?.chartVersion).toBeDefined();
    // valuesFrom the ConfigMap (the region's overlay), `values` over them; the CRD from crds/.
    expect(await configValue("storefront-settings", "REGION")).toBe(regionName);
    expect(
      await fx.kubectl([
        "get",
        "deployment",
        "storefront",
        "-n",
        "shop",
        "-o",
        "jsonpath={.spec.replicas}",
      ]),
    ).toBe("2");
    // The SOPS-encrypted values Secret reached the chart: its key is in the rendered Secret.
    const key = await fx.kubectl([
      "get",
      "secret",
      "storefront-payment",
      "-n",
      "shop",
      "-o",
      "jsonpath={.data.PAYMENT_API_KEY}",
    ]);
    expect(Buffer.from(key, "base64").toString()).toBe("sample-payment-key-replaced-by-encryption");
    expect(
      await fx.kubectl(["get", "gadget", "checkout-scanner", "-n", "shop", "-o", "name"]),
    ).toBe("gadget.example.drkit.dev/checkout-scanner\n");
    expect(
      await fx.kubectl([
        "get",
        "configmap",
        "-n",
        "platform",
        "-l",
        "drkit.dev/dashboard",
        "-o",
        "name",
      ]),
    ).toBe("configmap/platform-dashboard\nconfigmap/shop-dashboard\n");
  });

  it("upgrades a HelmRelease when a new chart version is pushed to Git", async () => {
    const chartYaml = await fx.sampleFile("charts/storefront/Chart.yaml");
    const commit = await fx.repo.commitAndPush(
      { "charts/storefront/Chart.yaml": chartYaml.replace("version: 1.0.0", "version: 1.1.0") },
      "storefront 1.1.0",
    );
    const report = await fx.restore({ convergeTimeoutMs: 300_000 });
    expect(report.failures).toEqual([]);
    expect(report.commit).toBe(commit);
    expect((await release("shop", "storefront")).history?.[0]?.chartVersion).toBe("1.1.0");
  });

  it("finds a ConfigMap changed by hand under a HelmRelease (verify exit 1), and a restore puts it back", async () => {
    await fx.kubectl([
      "patch",
      "configmap",
      "storefront-settings",
      "-n",
      "shop",
      "--type=merge",
      "-p",
      JSON.stringify({ data: { GREETING: "changed by hand" } }),
    ]);
    const flags = [
      "--kubeconfig",
      fx.region.kubeconfigPath,
      "--fleet-url",
      fx.url,
      "--fleet-path",
      `clusters/${regionName}`,
      "--age-key-file",
      keyFile,
    ];
    const verify = await drkit(["verify", ...flags, "--json"]);
    expect([verify.code, verify.stderr]).toEqual([1, expect.any(String)]);
    const result = JSON.parse(verify.stdout) as {
      drifted: { ref: string; owner: string; ownerKind?: string }[];
    };
    expect(result.drifted).toEqual([
      expect.objectContaining({
        ref: "ConfigMap/shop/storefront-settings",
        owner: "shop/storefront",
        ownerKind: "HelmRelease",
      }),
    ]);

    const report = await fx.restore({ convergeTimeoutMs: 300_000 });
    expect(report.failures).toEqual([]);
    expect(report.phases.find((p) => p.name === "bootstrap")?.detail).toContain(
      "forced a reconcile of 3 HelmRelease(s)",
    );
    expect(await configValue("storefront-settings", "GREETING")).toBe("welcome to the drkit shop");
    expect(report.objects.drifted).toBe(0);
  });

  it("fails fast naming the HelmRelease and its chart when the registry goes down during converge", async () => {
    const tools = fx.platform.toolchain;
    const registry = await ensureRegistry({
      stateDir: fx.platform.stateDir,
      registryBinary: tools.path("registry"),
      port: registryPort,
    });
    await pushChartToRegistry({
      stateDir: fx.platform.stateDir,
      helm: tools.path("helm"),
      registry,
      request: {
        chartPath: chartVersion(join(sampleSources.chartsDir, "gadget-operator"), "0.2.0"),
        repository: sampleSources.chartRepository,
      },
    });
    const operator = await fx.sampleFile("platform/gadget-operator.yaml");
    await fx.repo.commitAndPush(
      { "platform/gadget-operator.yaml": operator.replace("version: 0.1.0", "version: 0.2.0") },
      "gadget-operator 0.2.0",
    );
    // Preflight has seen the chart in the registry; it goes away before helm-controller pulls it.
    fx.when(/requested a reconcile of/, () => void stopRegistry(fx.platform.stateDir));
    const started = Date.now();
    const report = await fx.restore({ convergeTimeoutMs: 300_000 });
    expect(report.ok).toBe(false);
    const failure = report.failures.find(
      (f) => f.phase === "converge" && f.owner === "HelmRelease/platform/gadget-operator",
    );
    expect(failure).toMatchObject({ owner: "HelmRelease/platform/gadget-operator" });
    expect(failure?.message).toContain('chart "gadget-operator" version "0.2.0"');
    // The fail-fast window (45 s) and the controllers' retries, far from the 300 s timeout.
    expect(Date.now() - started).toBeLessThan(150_000);

    await ensureRegistry({
      stateDir: fx.platform.stateDir,
      registryBinary: tools.path("registry"),
      port: registryPort,
    });
    const again = await fx.restore({ convergeTimeoutMs: 300_000 });
    expect(again.failures).toEqual([]);
    expect((await release("platform", "gadget-operator")).history?.[0]?.chartVersion).toBe("0.2.0");
  });
});
