/**
 * drkit's ksops on the real tools a local Argo CD repo server renders with: Argo CD's kustomize
 * (`--enable-alpha-plugins --enable-exec`, as argocd-cm's kustomize.buildOptions say) runs it as
 * an exec KRM function found on PATH and as a legacy exec plugin under KUSTOMIZE_PLUGIN_HOME, on a
 * Secret encrypted by the real sops with an age key. Without the key, the build fails naming the
 * generator and the file, and never shows the value.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

import { beforeAll, describe, expect, it } from "vitest";

import { generateAgeKeyPair, renderAgeKeyFile } from "../../src/dr/fleet/index.ts";
import { loadToolchain, type Toolchain } from "../../src/toolchain/index.ts";
import {
  optionalToolchainTimeout,
  waitForOptionalToolchain,
} from "./support/optional-toolchain.ts";

const run = promisify(execFile);
const value = "hunter2-through-ksops";
let tools: Toolchain;
let dir: string;
let keyFile: string;

/** A kustomization whose generator is a ksops of one encrypted Secret; `krm` adds the exec annotation. */
function writeApp(name: string, krm: boolean): string {
  const app = join(dir, name);
  mkdirSync(app);
  writeFileSync(
    join(app, "generator.yaml"),
    [
      "apiVersion: viaduct.ai/v1",
      "kind: ksops",
      "metadata:",
      "  name: db-secrets",
      ...(krm
        ? [
            "  annotations:",
            "    config.kubernetes.io/function: |",
            "      exec:",
            "        path: ksops",
          ]
        : []),
      "files:",
      "  - ../secret.enc.yaml",
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(app, "kustomization.yaml"),
    "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\ngenerators:\n  - generator.yaml\n",
  );
  return app;
}

async function build(app: string, env: NodeJS.ProcessEnv) {
  return run(tools.path("kustomize"), ["build", "--enable-alpha-plugins", "--enable-exec", app], {
    cwd: dir,
    env: tools.env({ PATH: process.env.PATH, HOME: dir, ...env }),
  });
}

beforeAll(waitForOptionalToolchain, optionalToolchainTimeout);

beforeAll(async () => {
  tools = await loadToolchain({ with: ["argocd"] });
  dir = mkdtempSync(join(tmpdir(), "drkit-ksops-"));
  const pair = await generateAgeKeyPair();
  keyFile = join(dir, "keys.txt");
  writeFileSync(keyFile, renderAgeKeyFile(pair));
  const secret = join(dir, "secret.enc.yaml");
  writeFileSync(
    secret,
    `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: shop\nstringData:\n  password: ${value}\n`,
  );
  await run(tools.path("sops"), [
    "--encrypt",
    "--age",
    pair.recipient,
    "--encrypted-regex",
    "^(data|stringData)$",
    "--in-place",
    secret,
  ]);
});

describe("drkit's ksops under Argo CD's kustomize", () => {
  it("decrypts as an exec KRM function found on PATH", async () => {
    const { stdout } = await build(writeApp("krm", true), { SOPS_AGE_KEY_FILE: keyFile });
    expect(stdout).toContain("kind: Secret");
    expect(stdout).toContain(`password: ${value}`);
    expect(stdout).not.toContain("sops:");
  });

  it("decrypts as a legacy exec plugin under KUSTOMIZE_PLUGIN_HOME", async () => {
    const home = join(dir, "plugins");
    const link = join(home, "viaduct.ai", "v1", "ksops", "ksops");
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(tools.path("ksops"), link);
    const { stdout } = await build(writeApp("legacy", false), {
      SOPS_AGE_KEY_FILE: keyFile,
      KUSTOMIZE_PLUGIN_HOME: home,
    });
    expect(stdout).toContain(`password: ${value}`);
  });

  it("fails without the key, naming the generator and the file, never the value", async () => {
    const err = (await build(writeApp("no-key", true), {}).catch((e: unknown) => e)) as {
      stderr: string;
    };
    expect(err.stderr).toContain('ksops: generator "db-secrets": decrypting ../secret.enc.yaml');
    expect(err.stderr).not.toContain(value);
  });
});
