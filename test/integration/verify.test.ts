/**
 * verify and preflight against a real local region whose real Flux controllers reconciled the
 * sample fleet (materialized with a fresh age key) from the real local Git server.
 */
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { runPreflight } from "../../src/dr/preflight/index.ts";
import {
  createSopsCli,
  generateAgeKeyPair,
  materializeFleet,
  renderAgeKeyFile,
  type AgeKeyPair,
} from "../../src/dr/fleet/index.ts";
import { createFleetGit } from "../../src/dr/fleet-git.ts";
import {
  renderVerifyText,
  verifyDesiredState,
  type VerifyResult,
} from "../../src/dr/verify/index.ts";
import { renderAtCommit } from "../../src/dr/verify/verify.ts";
import { createKube, evaluateHealth, watchUntil, type Kube } from "../../src/kube/index.ts";
import type { LocalRegion } from "../../src/local/types.ts";
import { cloneWorkingRepo, type WorkingRepo } from "./support/fleet-repo.ts";
import { kubectl } from "./support/kube.ts";
import { createTestPlatform, type TestPlatform } from "./support/platform.ts";
import { helmTools } from "../../src/dr/fleet-preflight.ts";

let platform: TestPlatform;
let region: LocalRegion;
let repo: WorkingRepo;
let kube: Kube;
let key: AgeKeyPair;
let url: string;
let commit: string;
let registryHost: string;
let k: ReturnType<typeof kubectl>;

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

const verifyInput = () => ({
  kube,
  checkout: (dir: string) => createFleetGit(platform.stateDir).checkout(url, commit, dir),
  commit,
  path: "clusters/local-a",
  kubectl: platform.toolchain.path("kubectl"),
  helm: helmTools(platform.toolchain),
  decrypt: (file: string) =>
    createSopsCli(platform.toolchain.path("sops")).decrypt(file, key.identity),
});
const verify = (): Promise<VerifyResult> => verifyDesiredState(verifyInput());

beforeAll(async () => {
  platform = await createTestPlatform("verify");
  region = await platform.up("local-a");
  kube = createKube(region.kubeconfigPath);
  k = kubectl(platform.toolchain, region);
  const git = await platform.git();
  url = await git.createRepo("fleet");
  repo = await cloneWorkingRepo(url);
  key = await generateAgeKeyPair();
  const sops = createSopsCli(platform.toolchain.path("sops"));
  registryHost = (await platform.sampleSources()).host;
  await materializeFleet({ targetDir: repo.dir, ageRecipient: key.recipient, sops, registryHost });
  commit = await repo.commitAndPush({}, "sample fleet");
  await k(["apply", "-f", "-"], bootstrap(url, key.identity));
  // The whole fleet converged: every Kustomization Ready at the pushed commit (watched, not polled).
  await watchUntil(
    kube,
    {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      namespace: "flux-system",
    },
    (objs) =>
      objs.length === 5 && objs.every((o) => evaluateHealth(o, { revision: commit }).healthy),
    { timeoutMs: 240_000 },
  );
});
afterAll(async () => platform?.cleanup());

describe("verify on a region Flux reconciled", () => {
  it("finds no drift and every object healthy, including the decrypted Secret", async () => {
    const result = await verify();
    expect(result.renderFailures).toEqual([]);
    expect(result.unhealthy).toEqual([]);
    expect(result.counts).toEqual({
      desired: 34,
      applied: 34,
      missing: 0,
      extraManaged: 0,
      drifted: 0,
      unhealthy: 0,
    });
    expect(result.ok).toBe(true);
    // The dashboards Kustomization reads the OCI artifact: its objects are verified too.
    expect(result.owners.find((o) => o.owner === "Kustomization/flux-system/dashboards")).toEqual({
      owner: "Kustomization/flux-system/dashboards",
      desired: 2,
      applied: 2,
      missing: 0,
      extraManaged: 0,
      drifted: 0,
      unhealthy: 0,
    });
    expect(result.warnings.filter((w) => w.includes("dashboards"))).toEqual([]);
    const password = await k([
      "get",
      "secret",
      "app-credentials",
      "-n",
      "shop",
      "-o",
      "jsonpath={.data.password}",
    ]);
    expect(Buffer.from(password, "base64").toString()).toBe(
      "sample-password-replaced-by-encryption",
    );
  });

  it("lists what Git would lose: objects made by hand, and none of the cluster's own", async () => {
    const before = await verifyDesiredState({ ...verifyInput(), coverage: true });
    // The test connected Flux with a client-side `kubectl apply`, not through the stack's program.
    const bootstrapRefs = [
      "GitRepository/flux-system/fleet",
      "Kustomization/flux-system/fleet",
      "Secret/flux-system/sops-age",
    ];
    expect(before.coverage?.unowned.map((o) => [o.ref, o.manager])).toEqual(
      bootstrapRefs.map((ref) => [ref, "kubectl-client-side-apply"]),
    );
    expect(before.coverage?.git).toBeGreaterThanOrEqual(13);

    await k(["create", "configmap", "hotfix", "-n", "shop", "--from-literal=flag=on"]);
    await k([
      "create",
      "secret",
      "generic",
      "by-hand",
      "-n",
      "shop",
      "--from-literal=token=s3cr3t-by-hand",
    ]);
    await k([
      "create",
      "cronjob",
      "cleanup",
      "-n",
      "shop",
      "--image=busybox",
      "--schedule=*/5 * * * *",
    ]);
    const after = await verifyDesiredState({ ...verifyInput(), coverage: true });
    expect(after.ok).toBe(true);
    const byHand = after.coverage!.unowned.filter((o) => !bootstrapRefs.includes(o.ref));
    expect(byHand.map((o) => [o.ref, o.manager, o.operation])).toEqual([
      ["ConfigMap/shop/hotfix", "kubectl-create", "Update"],
      ["CronJob/shop/cleanup", "kubectl-create", "Update"],
      ["Secret/shop/by-hand", "kubectl-create", "Update"],
    ]);
    expect(byHand.every((o) => o.time !== undefined)).toBe(true);
    expect(JSON.stringify(after)).not.toContain("s3cr3t-by-hand");
    expect(renderVerifyText(after, "local-a")).toContain(
      "⚠ only in the cluster: Secret/shop/by-hand, made by kubectl-create at ",
    );
    await k(["delete", "configmap/hotfix", "secret/by-hand", "cronjob/cleanup", "-n", "shop"]);
  });

  it("reports a hand edit of an object of the OCI artifact as drift owned by the Kustomization reading it", async () => {
    // Rendered first, so the edit is compared at once (kustomize-controller puts it back within its 1m interval).
    const started = Date.now();
    const desired = renderAtCommit(verifyInput());
    await desired;
    console.info(`render with the OCI artifact in ${Date.now() - started} ms`);
    const panels = (value: string) => [
      "patch",
      "configmap",
      "shop-dashboard",
      "-n",
      "platform",
      "--type",
      "merge",
      "-p",
      JSON.stringify({ data: { panels: value } }),
    ];
    await k(panels("edited by hand"));
    const result = await verifyDesiredState({ ...verifyInput(), desired });
    await k(panels("orders,latency,errors"));
    expect(result.ok).toBe(false);
    expect(result.drifted).toEqual([
      {
        ref: "ConfigMap/platform/shop-dashboard",
        apiVersion: "v1",
        owner: "flux-system/dashboards",
        file: `oci://${registryHost}/manifests/dashboards:latest//dashboards.yaml`,
        diffs: [{ path: "data.panels", git: "orders,latency,errors", live: "edited by hand" }],
      },
    ]);
    expect(
      result.owners.find((o) => o.owner === "Kustomization/flux-system/dashboards"),
    ).toMatchObject({
      desired: 2,
      drifted: 1,
    });
    expect(renderVerifyText(result, "local-a")).toContain(
      `✗ drifted ConfigMap/platform/shop-dashboard (oci://${registryHost}/manifests/dashboards:latest//dashboards.yaml) [Kustomization flux-system/dashboards]`,
    );
  });

  it("reports a hand-made change, a deleted object and a leftover managed object; the CLI exits 1", async () => {
    await k(["scale", "deployment", "web", "-n", "shop", "--replicas=5"]);
    await k(["delete", "configmap", "shop-config", "-n", "shop"]);
    await k(["create", "configmap", "leftover", "-n", "shop"]);
    await k([
      "label",
      "configmap",
      "leftover",
      "-n",
      "shop",
      "kustomize.toolkit.fluxcd.io/name=apps",
      "kustomize.toolkit.fluxcd.io/namespace=flux-system",
    ]);
    const result = await verify();
    expect(result.ok).toBe(false);
    expect(
      result.drifted.map((d) => [
        d.ref,
        d.diffs.map((x) => `${x.path}: git=${String(x.git)} live=${String(x.live)}`),
      ]),
    ).toEqual([["Deployment/shop/web", ["spec.replicas: git=3 live=5"]]]);
    expect(result.missing.map((m) => [m.ref, m.file])).toEqual([
      ["ConfigMap/shop/shop-config", "apps/base/config.yaml"],
    ]);
    expect(result.extraManaged.map((m) => [m.ref, m.owner])).toEqual([
      ["ConfigMap/shop/leftover", "flux-system/apps"],
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
      ],
      { env: { ...process.env, ...platform.toolchain.env() } },
    ).then(
      () => ({ code: 0, stdout: "" }),
      (err: { code: number; stdout: string }) => err,
    );
    expect(cli.code).toBe(1);
    const json = JSON.parse(cli.stdout) as VerifyResult;
    expect(
      json.counts.missing + json.counts.drifted + json.counts.extraManaged,
    ).toBeGreaterThanOrEqual(2);
  });
});

describe("preflight on the same fleet", () => {
  const run = (identity: string | undefined, ref = "main") =>
    runPreflight({
      stack: "local-a",
      url,
      ref,
      path: "clusters/local-a",
      resolveRef: (u, r) => createFleetGit(platform.stateDir).resolveRef(u, r),
      checkout: (u, c, dir) => createFleetGit(platform.stateDir).checkout(u, c, dir),
      kubectl: platform.toolchain.path("kubectl"),
      helm: helmTools(platform.toolchain),
      decrypt: (file, id) => createSopsCli(platform.toolchain.path("sops")).decrypt(file, id),
      ageIdentity: identity,
      keySources: "SOPS_AGE_KEY",
    });

  it("passes every check with the escrowed key", async () => {
    const result = await run(key.identity);
    expect(result.checks.map((c) => [c.name, c.ok, c.summary])).toEqual([
      ["git-ref", true, `"main" is ${commit.slice(0, 12)}`],
      [
        "render",
        true,
        "5 Kustomization(s) render 27 object(s); the charts of 2 HelmRelease(s) render 7 more",
      ],
      ["decryption", true, "2 of 2 encrypted file(s) decrypt with the escrowed key"],
      ["sealed-secrets", true, "no SealedSecret in the region's fleet"],
      ["crd-order", true, "2 custom resource(s) checked against 2 CRD(s)"],
      ["health-checks", true, "4 of 5 Kustomization(s) wait for health"],
      [
        "webhook-order",
        true,
        "0 fail-closed admission webhook(s) checked against the restore order",
      ],
      ["policies", true, "6 object(s) checked against 1 admission policy binding(s)"],
      ["kyverno", true, "no Kyverno policy in the region's fleet"],
      [
        "controllers",
        true,
        "8 reconciler object(s) checked against the 7 kind(s) region local-a serves",
      ],
      ["helm-releases", true, "2 HelmRelease(s) checked, 2 of 2 chart(s) render"],
      ["dependencies", true, "4 dependsOn edge(s) between 5 Kustomization(s)"],
      ["reconcile", true, "4 Kustomization(s) checked for suspension and their source"],
      [
        "references",
        true,
        "1 reference(s) to ServiceAccounts, Secrets, ConfigMaps and health-checked objects",
      ],
      ["namespaces", true, "21 namespaced object(s) in 3 namespace(s)"],
      ["blocked", true, "no Kustomization is a dead end"],
    ]);
    expect(result.ok).toBe(true);
  });

  it("fails decryption with another key, and the ref check for a ref that does not exist", async () => {
    const other = await generateAgeKeyPair();
    const wrongKey = await run(other.identity);
    const failures = wrongKey.checks.find((c) => c.name === "decryption")?.failures ?? [];
    expect(failures.map((f) => f.message.split(":")[0])).toEqual([
      "apps/helm/storefront-secret-values.enc.yaml does not decrypt with the escrowed key",
      "apps/secrets/app-credentials.enc.yaml does not decrypt with the escrowed key",
    ]);
    const missingRef = await run(key.identity, "release-404");
    expect(missingRef.checks[0]).toMatchObject({ name: "git-ref", ok: false });
  });

  it("fails the render check naming the Kustomization, the OCIRepository, its URL and tag and the fix when the artifact does not exist or its registry does not answer", async () => {
    const deadPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const source = join(repo.dir, "platform/dashboards-source.yaml");
    const original = await readFile(source, "utf8");
    const branch = async (name: string, content: string) => {
      await repo.git.checkout(["-b", name, "main"]);
      await writeFile(source, content);
      await repo.git.add(".");
      await repo.git.commit(`dashboards: ${name}`);
      await repo.git.push("origin", name);
      await repo.git.checkout(["main"]);
    };
    await branch("oci-missing-tag", original.replace("tag: latest", "tag: v404"));
    await branch("oci-registry-down", original.replace(registryHost, `127.0.0.1:${deadPort}`));

    const started = Date.now();
    const missing = await run(key.identity, "oci-missing-tag");
    console.info(`preflight of a missing artifact in ${Date.now() - started} ms`);
    const render = missing.checks.find((c) => c.name === "render");
    expect(missing.ok).toBe(false);
    expect(render?.ok).toBe(false);
    expect(render?.failures).toEqual([
      {
        message: expect.stringMatching(
          new RegExp(
            `^Kustomization flux-system/dashboards reads OCIRepository flux-system/dashboards \\(oci://${registryHost}/manifests/dashboards, tag "v404"\\): GET http://${registryHost}/v2/manifests/dashboards/manifests/v404 answered 404 \\(MANIFEST_UNKNOWN: .*\\): no such tag$`,
          ),
        ),
        fix: `push the artifact to oci://${registryHost}/manifests/dashboards:v404 (\`flux push artifact\`), or correct spec.ref.tag of OCIRepository flux-system/dashboards`,
      },
    ]);

    const started2 = Date.now();
    const down = await run(key.identity, "oci-registry-down");
    console.info(`preflight of an artifact whose registry is down in ${Date.now() - started2} ms`);
    const downRender = down.checks.find((c) => c.name === "render");
    expect(downRender?.ok).toBe(false);
    expect(downRender?.failures).toEqual([
      {
        message: `Kustomization flux-system/dashboards reads OCIRepository flux-system/dashboards (oci://127.0.0.1:${deadPort}/manifests/dashboards, tag "latest"): GET https://127.0.0.1:${deadPort}/v2/manifests/dashboards/manifests/latest failed: connect ECONNREFUSED 127.0.0.1:${deadPort}; GET http://127.0.0.1:${deadPort}/v2/manifests/dashboards/manifests/latest failed: connect ECONNREFUSED 127.0.0.1:${deadPort}`,
        fix: `start the registry that serves oci://127.0.0.1:${deadPort}/manifests/dashboards (or make 127.0.0.1:${deadPort} reachable from here), or correct spec.url of OCIRepository flux-system/dashboards`,
      },
    ]);
    // Every other check still ran.
    expect(down.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(["render"]);
  });

  it("fails the CLI with exit 3 and the CRD-ordering failures when apps no longer depends on infrastructure and platform", async () => {
    const apps = join(repo.dir, "clusters/local-a/apps.yaml");
    await writeFile(
      apps,
      (await readFile(apps, "utf8")).replace(/ {2}dependsOn:\n( {4}- name: \S+\n)+/, ""),
    );
    await repo.commitAndPush({}, "break ordering");
    const keyFile = join(platform.stateDir, "escrow.agekey");
    await writeFile(keyFile, renderAgeKeyFile(key), { mode: 0o600 });
    const cli = await promisify(execFile)(
      process.execPath,
      [
        "bin/drkit.js",
        "--json",
        "--state-dir",
        platform.stateDir,
        "preflight",
        "--stack",
        "local-a",
        "--fleet-url",
        url,
        "--age-key-file",
        keyFile,
      ],
      { env: { ...process.env, ...platform.toolchain.env() } },
    ).then(
      () => ({ code: 0, stdout: "" }),
      (err: { code: number; stdout: string }) => err,
    );
    expect(cli.code).toBe(3);
    const json = JSON.parse(cli.stdout) as {
      checks: { name: string; failures: { message: string }[] }[];
    };
    const messages = (json.checks.find((c) => c.name === "crd-order")?.failures ?? []).map(
      (f) => f.message,
    );
    expect(messages).toEqual([
      expect.stringContaining(
        "Gadget/shop/checkout-scanner (apps/helm/gadget.yaml) in Kustomization flux-system/apps needs CRD gadgets.example.drkit.dev, which the chart of HelmRelease platform/gadget-operator (platform/gadget-operator.yaml) installs",
      ),
      expect.stringContaining(
        "Widget/shop/storefront (apps/base/widget.yaml) in Kustomization flux-system/apps needs CRD widgets.example.drkit.dev",
      ),
    ]);
  });
});
