/**
 * verify and preflight of HelmReleases on the real local platform: the sample fleet (an
 * operator chart from the local OCI registry, a chart kept in the fleet with valuesFrom a
 * ConfigMap and a SOPS-encrypted Secret) plus a chart of this test's own, published twice to the
 * registry (read through an OCIRepository at a semver range) and to an HTTP chart repository,
 * installed by the real helm-controller of a real region and rendered by drkit with the real helm.
 */
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";

import {
  createSopsCli,
  generateAgeKeyPair,
  materializeFleet,
  type AgeKeyPair,
} from "../../src/dr/fleet/index.ts";
import { createFleetGit } from "../../src/dr/fleet-git.ts";
import { runPreflight } from "../../src/dr/preflight/index.ts";
import type { DesiredState } from "../../src/dr/verify/index.ts";
import { verifyDesiredState, type VerifyResult } from "../../src/dr/verify/index.ts";
import { createKube, evaluateHealth, watchUntil, type Kube } from "../../src/kube/index.ts";
import { publishChartToHttpRepo, pushChartToRegistry } from "../../src/local/chart-push.ts";
import type { GitServer } from "../../src/local/git-server.ts";
import { ensureRegistry } from "../../src/local/registry.ts";
import type { LocalRegion } from "../../src/local/types.ts";
import { kubernetesVersion } from "../../src/toolchain/recipes.ts";
import { cloneWorkingRepo, type WorkingRepo } from "./support/fleet-repo.ts";
import { kubectl } from "./support/kube.ts";
import { createTestPlatform, type TestPlatform } from "./support/platform.ts";

let platform: TestPlatform;
let region: LocalRegion;
let git: GitServer;
let repo: WorkingRepo;
let kube: Kube;
let key: AgeKeyPair;
let url: string;
let commit: string;
let k: ReturnType<typeof kubectl>;

/** A chart whose labels print its version (`helm.sh/chart`), as `helm create` writes them. */
async function writeVersionedChart(version: string): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), "drkit-chart-")), "versioned");
  await mkdir(join(dir, "templates"), { recursive: true });
  await writeFile(
    join(dir, "Chart.yaml"),
    `apiVersion: v2\nname: versioned\nversion: ${version}\n`,
  );
  await writeFile(join(dir, "values.yaml"), "greeting: hello\nreplicas: 1\n");
  const labels = [
    '    helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}',
    "    app.kubernetes.io/instance: {{ .Release.Name }}",
  ].join("\n");
  await writeFile(
    join(dir, "templates", "config.yaml"),
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-config\n  labels:\n${labels}\ndata:\n  greeting: {{ .Values.greeting | quote }}\n  version: {{ .Chart.Version | quote }}\n`,
  );
  await writeFile(
    join(dir, "templates", "deployment.yaml"),
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n  labels:\n${labels}\nspec:\n  replicas: {{ .Values.replicas }}\n  selector:\n    matchLabels: { app: {{ .Release.Name }} }\n  template:\n    metadata:\n      labels: { app: {{ .Release.Name }} }\n    spec:\n      containers:\n        - name: web\n          image: registry.invalid/versioned:{{ .Chart.Version | replace "+" "_" }}\n`,
  );
  return dir;
}

/** The test's own layer: a HelmRelease from an OCIRepository, one from an HTTP repository. */
function extras(registryHost: string, httpUrl: string): Record<string, string> {
  const kustomization = {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: "extras", namespace: "flux-system" },
    spec: {
      dependsOn: [{ name: "platform" }],
      interval: "1m",
      retryInterval: "15s",
      timeout: "3m",
      path: "./extras",
      prune: true,
      wait: true,
      sourceRef: { kind: "GitRepository", name: "fleet" },
    },
  };
  const docs = [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "extras" } },
    {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "OCIRepository",
      metadata: { name: "versioned", namespace: "extras" },
      spec: {
        url: `oci://${registryHost}/charts/versioned`,
        ref: { semver: "0.x" },
        insecure: true,
        interval: "10m",
        layerSelector: {
          mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
          operation: "copy",
        },
      },
    },
    {
      apiVersion: "helm.toolkit.fluxcd.io/v2",
      kind: "HelmRelease",
      metadata: { name: "from-oci", namespace: "extras" },
      spec: {
        interval: "10m",
        chartRef: { kind: "OCIRepository", name: "versioned" },
        values: { greeting: "from an OCI artifact" },
        commonMetadata: {
          labels: { "drkit.dev/team": "shop" },
          annotations: { "drkit.dev/by": "helm" },
        },
        postRenderers: [
          {
            kustomize: {
              patches: [
                {
                  target: { kind: "Deployment" },
                  patch: "- op: replace\n  path: /spec/replicas\n  value: 2\n",
                },
              ],
            },
          },
        ],
      },
    },
    {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "HelmRepository",
      metadata: { name: "http-charts", namespace: "extras" },
      spec: { url: httpUrl, interval: "10m" },
    },
    {
      apiVersion: "helm.toolkit.fluxcd.io/v2",
      kind: "HelmRelease",
      metadata: { name: "from-http", namespace: "extras" },
      spec: {
        interval: "10m",
        releaseName: "web",
        chart: {
          spec: {
            chart: "versioned",
            version: ">=0.1.0 <1.0.0",
            sourceRef: { kind: "HelmRepository", name: "http-charts" },
          },
        },
        valuesFrom: [{ kind: "ConfigMap", name: "http-values" }],
      },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "http-values", namespace: "extras" },
      data: { "values.yaml": "greeting: from an HTTP chart repository\n" },
    },
  ];
  return {
    "clusters/local-a/extras.yaml": stringify(kustomization),
    "extras/release.yaml": docs.map((d) => stringify(d)).join("---\n"),
  };
}

const bootstrap = (fleetUrl: string, identity: string) =>
  JSON.stringify({
    apiVersion: "v1",
    kind: "List",
    items: [
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "sops-age", namespace: "flux-system" },
        stringData: { "age.agekey": identity },
      },
      {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "GitRepository",
        metadata: { name: "fleet", namespace: "flux-system" },
        spec: { url: fleetUrl, interval: "10s", ref: { branch: "main" } },
      },
      {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: { name: "fleet", namespace: "flux-system" },
        spec: {
          interval: "10s",
          path: "./clusters/local-a",
          prune: true,
          sourceRef: { kind: "GitRepository", name: "fleet" },
          decryption: { provider: "sops", secretRef: { name: "sops-age" } },
        },
      },
    ],
  });

const helm = () => ({ binary: platform.toolchain.path("helm"), kubeVersion: kubernetesVersion });
const sops = () => createSopsCli(platform.toolchain.path("sops"));

const verify = (): Promise<VerifyResult> =>
  verifyDesiredState({
    kube,
    checkout: (dir) => createFleetGit(platform.stateDir).checkout(url, commit, dir),
    commit,
    path: "clusters/local-a",
    kubectl: platform.toolchain.path("kubectl"),
    helm: helm(),
    decrypt: (file) => sops().decrypt(file, key.identity),
  });

const preflight = (ref: string, onRendered?: (state: DesiredState) => void) =>
  runPreflight({
    stack: "local-a",
    url,
    ref,
    path: "clusters/local-a",
    resolveRef: (u, r) => createFleetGit(platform.stateDir).resolveRef(u, r),
    checkout: (u, c, dir) => createFleetGit(platform.stateDir).checkout(u, c, dir),
    kubectl: platform.toolchain.path("kubectl"),
    helm: helm(),
    decrypt: (file, id) => sops().decrypt(file, id),
    ageIdentity: key.identity,
    keySources: "SOPS_AGE_KEY",
    ...(onRendered ? { onRendered } : {}),
  });

beforeAll(async () => {
  platform = await createTestPlatform("verify-helm");
  const started = Date.now();
  region = await platform.up("local-a");
  console.info(`region up in ${Date.now() - started} ms`);
  kube = createKube(region.kubeconfigPath);
  k = kubectl(platform.toolchain, region);
  git = await platform.git();
  url = await git.createRepo("fleet");
  repo = await cloneWorkingRepo(url);
  const { host } = await platform.sampleSources();
  const registry = await ensureRegistry({
    stateDir: platform.stateDir,
    registryBinary: platform.toolchain.path("registry"),
  });
  for (const version of ["0.1.0", "0.2.0"]) {
    const chartPath = await writeVersionedChart(version);
    const request = { chartPath, repository: "charts" };
    await pushChartToRegistry({
      stateDir: platform.stateDir,
      helm: platform.toolchain.path("helm"),
      registry,
      request,
    });
    await publishChartToHttpRepo({
      stateDir: platform.stateDir,
      helm: platform.toolchain.path("helm"),
      gitServer: git,
      request,
    });
  }
  key = await generateAgeKeyPair();
  await materializeFleet({
    targetDir: repo.dir,
    ageRecipient: key.recipient,
    sops: sops(),
    registryHost: host,
  });
  const clusters = join(repo.dir, "clusters/local-a/kustomization.yaml");
  await writeFile(
    clusters,
    (await readFile(clusters, "utf8")).replace(
      "  - apps.yaml\n",
      "  - apps.yaml\n  - extras.yaml\n",
    ),
  );
  commit = await repo.commitAndPush(
    extras(host, git.chartRepoUrl("charts")),
    "sample fleet and extras",
  );
  const applied = Date.now();
  await k(["apply", "-f", "-"], bootstrap(url, key.identity));
  // Every Kustomization and HelmRelease Ready at the pushed commit (watched, not polled).
  await watchUntil(
    kube,
    {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      namespace: "flux-system",
    },
    // `dashboards` follows its OCI artifact, not the commit.
    (objs) =>
      objs.length === 6 &&
      objs.every(
        (o) =>
          evaluateHealth(o, o.metadata.name === "dashboards" ? {} : { revision: commit }).healthy,
      ),
    { timeoutMs: 300_000 },
  );
  await watchUntil(
    kube,
    { apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease" },
    (objs) => objs.length === 4 && objs.every((o) => evaluateHealth(o).healthy),
    { timeoutMs: 120_000 },
  );
  console.info(`fleet converged in ${Date.now() - applied} ms`);
}, 900_000);
afterAll(async () => platform?.cleanup());

describe("preflight of HelmReleases", () => {
  it("passes the fleet, rendering every chart from Git, the OCI registry and the HTTP repository", async () => {
    let state: DesiredState | undefined;
    const started = Date.now();
    const result = await preflight("main", (s) => (state = s));
    console.info(`preflight with 4 charts in ${Date.now() - started} ms`);
    const failures = result.checks.flatMap((c) => c.failures);
    expect(failures).toEqual([]);
    expect(result.checks.find((c) => c.name === "helm-releases")?.summary).toBe(
      "4 HelmRelease(s) checked, 4 of 4 chart(s) render",
    );
    expect(result.checks.find((c) => c.name === "crd-order")).toMatchObject({ ok: true });
    expect(result.ok).toBe(true);
    const versions = Object.fromEntries(
      (state?.helmReleases ?? []).map((r) => [r.spec.key, r.version]),
    );
    expect(versions["extras/from-http"]).toBe("0.2.0");
    expect(versions["extras/from-oci"]).toMatch(/^0\.2\.0\+[0-9a-f]{12}$/);
    expect(versions["shop/storefront"]).toBe("1.0.0");
  });

  it("fails, naming the HelmRelease, its file, the chart and the fix: a template error, a version that does not exist, a valuesFrom ConfigMap that does not exist", async () => {
    await repo.git.checkout(["-b", "broken"]);
    const template = join(repo.dir, "charts/storefront/templates/settings.yaml");
    await writeFile(
      template,
      `${await readFile(template, "utf8")}  BROKEN: {{ .Values.nothing.here }}\n`,
    );
    const operator = join(repo.dir, "platform/gadget-operator.yaml");
    await writeFile(
      operator,
      (await readFile(operator, "utf8")).replace("version: 0.1.0", "version: 9.9.9"),
    );
    const release = join(repo.dir, "extras/release.yaml");
    // The ConfigMap is renamed; the HelmRelease still reads `http-values`.
    await writeFile(
      release,
      (await readFile(release, "utf8")).replace(
        "metadata:\n  name: http-values\n",
        "metadata:\n  name: other-values\n",
      ),
    );
    await repo.git.add(".");
    await repo.git.commit("break three charts");
    await repo.git.push("origin", "broken");
    await repo.git.checkout(["main"]);

    const result = await preflight("broken");
    const check = result.checks.find((c) => c.name === "helm-releases");
    expect(result.ok).toBe(false);
    expect(check?.summary).toBe("4 HelmRelease(s) checked, 1 of 4 chart(s) render");
    const byRelease = (name: string) =>
      check?.failures.find((f) => f.message.startsWith(`HelmRelease ${name} `));
    expect(byRelease("shop/storefront")?.message).toMatch(
      /^HelmRelease shop\/storefront \(apps\/helm\/storefront\.yaml\): helm template of chart "\.\/charts\/storefront" from GitRepository flux-system\/fleet failed: .*storefront\/templates\/settings\.yaml.*nil pointer evaluating interface \{\}\.here/,
    );
    expect(byRelease("shop/storefront")?.fix).toBe(
      'fix the chart\'s templates in "./charts/storefront" or the values of HelmRelease shop/storefront (apps/helm/storefront.yaml) so `helm template` renders them',
    );
    expect(byRelease("platform/gadget-operator")?.message).toMatch(
      /^HelmRelease platform\/gadget-operator \(platform\/gadget-operator\.yaml\) installs chart "gadget-operator" version "9\.9\.9" from HelmRepository flux-system\/drkit-charts \(oci:\/\/127\.0\.0\.1:\d+\/charts\): chart oci:\/\/127\.0\.0\.1:\d+\/charts\/gadget-operator version "9\.9\.9" could not be pulled: .*not found/,
    );
    expect(byRelease("platform/gadget-operator")?.fix).toMatch(
      /^push gadget-operator 9\.9\.9 to oci:\/\/127\.0\.0\.1:\d+\/charts, or set spec\.chart\.spec\.version to a version it holds$/,
    );
    expect(byRelease("extras/from-http")).toEqual({
      message:
        "HelmRelease extras/from-http (extras/release.yaml): could not resolve ConfigMap chart values reference 'extras/http-values' with key 'values.yaml': resource not found",
      fix: "render ConfigMap extras/http-values in the region's fleet (in namespace extras), or mark its spec.valuesFrom entry `optional: true` in HelmRelease extras/from-http (extras/release.yaml)",
    });
  });
});

describe("verify of HelmReleases helm-controller installed", () => {
  it("finds no drift: every chart's objects are what helm-controller applied", async () => {
    const started = Date.now();
    const result = await verify();
    console.info(`verify in ${Date.now() - started} ms: ${result.counts.desired} desired objects`);
    expect(result.renderFailures).toEqual([]);
    expect(result.drifted).toEqual([]);
    expect(result.missing).toEqual([]);
    expect(result.extraManaged).toEqual([]);
    expect(result.unhealthy).toEqual([]);
    // The dashboards Kustomization's OCI artifact is rendered too: nothing is left unverified.
    expect(result.warnings).toEqual([]);
    expect(
      result.owners.find((o) => o.owner === "Kustomization/flux-system/dashboards"),
    ).toMatchObject({
      desired: 2,
      applied: 2,
    });
    expect(result.owners.map((o) => o.owner)).toEqual(
      expect.arrayContaining([
        "HelmRelease/shop/storefront",
        "HelmRelease/platform/gadget-operator",
        "HelmRelease/extras/from-oci",
        "HelmRelease/extras/from-http",
      ]),
    );
    expect(result.owners.find((o) => o.owner === "HelmRelease/shop/storefront")).toMatchObject({
      desired: 4,
      applied: 4,
    });
    expect(result.ok).toBe(true);
  });

  it("`drkit verify` exits 1 after a chart's ConfigMap is edited by hand, naming the HelmRelease, and shows no Secret value", async () => {
    await k([
      "patch",
      "configmap",
      "storefront-settings",
      "-n",
      "shop",
      "--type",
      "merge",
      "-p",
      '{"data":{"GREETING":"edited by hand"}}',
    ]);
    const cli = await promisify(execFile)(
      process.execPath,
      [
        "bin/drkit.js",
        "--json",
        "--state-dir",
        platform.stateDir,
        "verify",
        "--stack",
        "local-a",
        "--fleet-url",
        url,
        "--no-coverage",
      ],
      { env: { ...process.env, ...platform.toolchain.env() } },
    ).then(
      () => ({ code: 0, stdout: "", stderr: "" }),
      (err: { code: number; stdout: string; stderr: string }) => err,
    );
    expect(cli.code, cli.stderr).toBe(1);
    const json = JSON.parse(cli.stdout) as VerifyResult;
    expect(json.drifted).toEqual([
      {
        ref: "ConfigMap/shop/storefront-settings",
        apiVersion: "v1",
        owner: "shop/storefront",
        ownerKind: "HelmRelease",
        file: "charts/storefront/templates/settings.yaml",
        diffs: [
          { path: "data.GREETING", git: "welcome to the drkit shop", live: "edited by hand" },
        ],
      },
    ]);
    expect(json.owners.find((o) => o.owner === "HelmRelease/shop/storefront")).toMatchObject({
      drifted: 1,
    });
    expect(json.renderFailures).toEqual([]);
    expect(cli.stdout).not.toContain("sample-payment-key");
    expect(cli.stdout).not.toContain(
      Buffer.from("sample-payment-key-replaced-by-encryption").toString("base64"),
    );
  });
});
