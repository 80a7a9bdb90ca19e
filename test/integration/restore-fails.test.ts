/**
 * Failures a restore must report clearly on a real local region (issue 4): a missing decryption
 * key, the git server down, a ref that does not exist, an invalid manifest and a custom resource
 * that would arrive before its CRD (caught by preflight, before the cluster is touched). Each report says `ok: false`, stops at the phase that failed (no
 * partial success) and names what to fix; converge failures come within the fail-fast window,
 * not after the converge timeout.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { stopGitServer } from "../../src/local/git-server.ts";
import {
  createRestoreFixture,
  elapsedMs,
  phasesOf,
  regionName,
  renderConnection,
  type RestoreFixture,
} from "./support/restore-fixture.ts";

let fx: RestoreFixture;

beforeAll(async () => {
  fx = await createRestoreFixture("restore-fails");
});
afterAll(async () => fx?.cleanup());

const convergeTimeoutMs = 180_000;

describe("restore reports failures clearly", () => {
  it("fails in preflight when the fleet has encrypted files and the stack has no decryption key", async () => {
    const report = await fx.restore({}, { hasDecryptionKey: false });
    expect(report.ok).toBe(false);
    expect(phasesOf(report)).toEqual([["preflight", false]]);
    expect(report.failures).toEqual([
      {
        phase: "preflight",
        message: `the fleet path "clusters/${regionName}" has SOPS-encrypted files but stack "${regionName}" has no decryption key: set it with \`pulumi config set --secret drkit:sopsAgeKey <AGE-SECRET-KEY-...> --stack ${regionName}\` (from your key escrow), or for files encrypted with Vault transit \`pulumi config set --secret drkit:sopsVaultToken <token> --stack ${regionName}\``,
      },
    ]);
    expect(report.commit).toBe(fx.sampleCommit);
    expect(elapsedMs(report)).toBeLessThan(10_000);
  });

  it("fails in bootstrap when the stack has a key but the cluster lacks the sops-age Secret", async () => {
    await fx.kubectl(["delete", "secret", "sops-age", "-n", "flux-system"]);
    try {
      const report = await fx.restore({ convergeTimeoutMs });
      expect(report.ok).toBe(false);
      expect(phasesOf(report)).toEqual([
        ["preflight", true],
        ["provision", true],
        ["bootstrap", false],
      ]);
      expect(report.failures).toEqual([
        {
          phase: "bootstrap",
          message: `the reconciler of stack "${regionName}" is not connected: the decryption key Secret "flux-system/sops-age" is missing: run \`drkit pulumi-env -- pulumi up --stack ${regionName}\` so the stack's program creates them, then restore again`,
        },
      ]);
      expect(elapsedMs(report)).toBeLessThan(10_000);
    } finally {
      const secret = renderConnection(fx.url, fx.key.identity)[0];
      await fx.kubectl(["apply", "-f", "-"], JSON.stringify(secret));
    }
  });

  it("fails in preflight naming the URL when the git server is down, and reports no success", async () => {
    await stopGitServer(fx.platform.stateDir);
    try {
      const report = await fx.restore({ convergeTimeoutMs });
      expect(report.ok).toBe(false);
      expect(report.commit).toBe("");
      expect(phasesOf(report)).toEqual([["preflight", false]]);
      expect(report.failures).toHaveLength(1);
      expect(report.failures[0]!.phase).toBe("preflight");
      expect(report.failures[0]!.message.split("\n")[0]).toMatch(
        new RegExp(
          `^cannot fetch the fleet repository "${escape(fx.url)}": .*Failed to connect.*; check that the Git server is up and the URL and credentials in drkit:fleet are right$`,
        ),
      );
      expect(report.objects.desired).toBe(0);
      expect(elapsedMs(report)).toBeLessThan(10_000);
    } finally {
      await fx.platform.git(fx.git.port);
    }
  });

  it("fails in preflight when the ref does not exist", async () => {
    const report = await fx.restore({ ref: "release-9" });
    expect(report.ok).toBe(false);
    expect(phasesOf(report)).toEqual([["preflight", false]]);
    expect(report.failures).toEqual([
      {
        phase: "preflight",
        message: `ref "release-9" does not exist in "${fx.url}": give a branch, a tag or a commit sha that the repository has (\`git ls-remote ${fx.url}\` lists them)`,
      },
    ]);
  });

  it("fails in converge naming the fleet source when the git server goes down after preflight", async () => {
    // A commit only on "hotfix": Flux cannot have fetched it before the restore points it there.
    const overlay = `apps/overlays/${regionName}/kustomization.yaml`;
    const hotfix = await pushBranch("hotfix", {
      [overlay]: (await fx.sampleFile(overlay)).replace(`value: ${regionName}`, "value: hotfix"),
    });
    const server = await fx.platform.git(fx.git.port);
    fx.when(/is reachable: already up$/, () => process.kill(server.pid, "SIGKILL"));
    try {
      const report = await fx.restore({ ref: "hotfix", convergeTimeoutMs });
      expect(report.ok).toBe(false);
      expect(report.commit).toBe(hotfix);
      expect(phasesOf(report)).toEqual([
        ["preflight", true],
        ["provision", true],
        ["bootstrap", true],
        ["converge", false],
      ]);
      expect(report.failures).toHaveLength(1);
      expect(report.failures[0]).toMatchObject({
        phase: "converge",
        object: "GitRepository/flux-system/fleet",
      });
      expect(report.failures[0]!.message).toMatch(
        new RegExp(`^not Ready: GitOperationFailed: .*${escape(fx.url)}`),
      );
      expect(elapsedMs(report)).toBeLessThan(convergeTimeoutMs / 2);
    } finally {
      await stopGitServer(fx.platform.stateDir);
      await fx.platform.git(fx.git.port);
    }
  });

  it("restores the stack's branch again after a restore pinned another ref", async () => {
    const report = await fx.restore({ convergeTimeoutMs });
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.commit).toBe(fx.sampleCommit);
    const ref = await fx.kubectl([
      "get",
      "gitrepository",
      "fleet",
      "-n",
      "flux-system",
      "-o",
      "jsonpath={.spec.ref}",
    ]);
    expect(JSON.parse(ref)).toEqual({ branch: "main" });
  });

  it("fails in converge within the fail-fast window, naming the object and its Kustomization, when a manifest is invalid", async () => {
    const web = await fx.sampleFile("apps/base/web.yaml");
    const commit = await fx.repo.commitAndPush(
      { "apps/base/web.yaml": web.replace("replicas: 3", "replicas: -1") },
      "invalid replicas",
    );
    const report = await fx.restore({ convergeTimeoutMs });
    expect(report.ok).toBe(false);
    expect(report.commit).toBe(commit);
    expect(phasesOf(report)).toEqual([
      ["preflight", true],
      ["provision", true],
      ["bootstrap", true],
      ["converge", false],
    ]);
    expect(report.failures).toEqual([
      {
        phase: "converge",
        object: "Deployment/shop/web",
        owner: "Kustomization/flux-system/apps",
        message:
          'not Ready: ReconciliationFailed: Deployment/shop/web dry-run failed (Invalid): Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      },
    ]);
    expect(elapsedMs(report)).toBeLessThan(convergeTimeoutMs / 2);
  });

  it("fails in preflight, before touching the cluster, when a custom resource would arrive before its CRD", async () => {
    const files = await crBeforeCrd();
    const commit = await fx.repo.commitAndPush(files, "Gadget before its CRD");
    const report = await fx.restore({ convergeTimeoutMs });
    expect(report.ok).toBe(false);
    expect(report.failureKind).toBe("preflight");
    expect(report.commit).toBe(commit);
    expect(phasesOf(report)).toEqual([["preflight", false]]);
    // `addons` (the CRD) only waits for `apps`: apps can never get its Gadget applied.
    expect(report.failures[0]).toEqual({
      phase: "preflight",
      message: `Gadget/shop/checkout (apps/base/gadget.yaml) in Kustomization flux-system/apps needs CRD gadgets.example.drkit.dev from Kustomization flux-system/addons, but flux-system/apps does not depend on it: the custom resource can sync before its CRD exists; fix: add \`dependsOn: [{name: addons}]\` to Kustomization flux-system/apps (clusters/${regionName}/apps.yaml)`,
    });
    expect(elapsedMs(report)).toBeLessThan(10_000);
  });
});

/**
 * A Gadget added to `apps` whose CRD comes from a new Kustomization `addons` that depends on
 * `apps`: the custom resource always reaches the cluster before its CRD. The invalid manifest of
 * the test before is fixed in the same commit.
 */
async function crBeforeCrd(): Promise<Record<string, string>> {
  const base = await fx.sampleFile("apps/base/kustomization.yaml");
  const cluster = await fx.sampleFile(`clusters/${regionName}/kustomization.yaml`);
  const infrastructure = await fx.sampleFile(`clusters/${regionName}/infrastructure.yaml`);
  const crd = await fx.sampleFile("infrastructure/widgets-crd.yaml");
  return {
    "apps/base/web.yaml": await fx.sampleFile("apps/base/web.yaml"),
    "apps/base/gadget.yaml": [
      "apiVersion: example.drkit.dev/v1",
      "kind: Gadget",
      "metadata:",
      "  name: checkout",
      "spec:",
      "  size: 1",
      "",
    ].join("\n"),
    "apps/base/kustomization.yaml": base.replace(
      "  - widget.yaml",
      "  - widget.yaml\n  - gadget.yaml",
    ),
    "addons/gadgets-crd.yaml": crd.replaceAll("widget", "gadget").replaceAll("Widget", "Gadget"),
    "addons/kustomization.yaml": "resources:\n  - gadgets-crd.yaml\n",
    [`clusters/${regionName}/addons.yaml`]: infrastructure
      .replace(/^#.*\n/, "")
      .replace("name: infrastructure", "name: addons")
      .replace("path: ./infrastructure", "path: ./addons")
      .replace("spec:\n", "spec:\n  dependsOn:\n    - name: apps\n"),
    [`clusters/${regionName}/kustomization.yaml`]: cluster.replace(
      "  - apps.yaml",
      "  - apps.yaml\n  - addons.yaml",
    ),
  };
}

/** Commits `files` on a new branch of the fleet (main stays as it is); returns the commit. */
async function pushBranch(branch: string, files: Record<string, string>): Promise<string> {
  const { git, dir } = fx.repo;
  await git.checkoutLocalBranch(branch);
  for (const [path, content] of Object.entries(files)) await writeFile(join(dir, path), content);
  await git.add(".");
  await git.commit(`${branch}: ${Object.keys(files).join(", ")}`);
  await git.push("origin", branch);
  const commit = (await git.revparse(["HEAD"])).trim();
  await git.checkout("main");
  return commit;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
