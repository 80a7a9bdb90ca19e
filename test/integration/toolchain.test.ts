// Runs once the optional components are installed (`waitForOptionalToolchain`): the real CLI must
// report every pinned tool as present, with its version and where it came from.
import { execFile } from "node:child_process";
import { access, constants, readdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";

import { toolNames, type ToolchainStatus } from "../../src/toolchain/index.ts";
import { optionalRecipeNames, recipeSpecs } from "../../src/toolchain/recipes.ts";
import {
  optionalToolchainTimeout,
  waitForOptionalToolchain,
} from "./support/optional-toolchain.ts";

const run = promisify(execFile);

// Needs the optional toolchain, which builds in the background while other files run.
beforeAll(waitForOptionalToolchain, optionalToolchainTimeout);

describe("drkit toolchain status --json", () => {
  it("reports every tool with its version and source, and a bin dir that holds them all", async () => {
    const { stdout } = await run(
      process.execPath,
      ["bin/drkit.js", "toolchain", "status", "--with", optionalRecipeNames.join(","), "--json"],
      {
        env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
      },
    );
    const status = JSON.parse(stdout) as ToolchainStatus;
    expect(status.tools.map((t) => t.name)).toEqual([...toolNames]);
    for (const tool of status.tools) {
      expect(tool, tool.name).toMatchObject({ version: expect.stringMatching(/^v\d+\.\d+\.\d+$/) });
      expect(["path", "cache", "release", "source"], tool.name).toContain(tool.source);
      await access(tool.path!, constants.X_OK);
    }
    expect(status.ok).toBe(true);
    expect((await readdir(status.binDir!)).sort()).toEqual([...toolNames].sort());
    const crds = await readdir(status.fluxCrdsDir!);
    expect(crds).toContain("source.toolkit.fluxcd.io_gitrepositories.yaml");
    expect(crds).toContain("kustomize.toolkit.fluxcd.io_kustomizations.yaml");
    expect((await readdir(status.argocdCrdsDir!)).sort()).toEqual([
      "application-crd.yaml",
      "applicationset-crd.yaml",
      "appproject-crd.yaml",
    ]);
    expect(await readdir(status.sealedSecretsCrdsDir!)).toEqual(["bitnami.com_sealedsecrets.yaml"]);
  });

  it("leaves optional components out unless asked for", async () => {
    const { stdout } = await run(process.execPath, [
      "bin/drkit.js",
      "toolchain",
      "status",
      "--json",
    ]);
    const status = JSON.parse(stdout) as ToolchainStatus;
    // The optional recipes' tools, whichever recipes are optional now.
    const optional = recipeSpecs.filter((r) => r.optional).flatMap((r) => r.tools);
    expect(optional).toEqual(expect.arrayContaining(["argocd", "kubeseal", "temporal-server"]));
    expect(status.tools.map((t) => t.name)).toEqual(toolNames.filter((t) => !optional.includes(t)));
    expect(status.argocdCrdsDir).toBeNull();
    expect(status.sealedSecretsCrdsDir).toBeNull();
  });

  it("runs the pinned binaries through the bin dir", async () => {
    const { stdout } = await run(process.execPath, [
      "bin/drkit.js",
      "toolchain",
      "status",
      "--json",
    ]);
    const { binDir } = JSON.parse(stdout) as ToolchainStatus;
    const kubectl = await run(join(binDir!, "kubectl"), ["version", "--client"]);
    expect(kubectl.stdout).toContain("Client Version: v1.36.3");
    const apiserver = await run(join(binDir!, "kube-apiserver"), ["--version"]);
    expect(apiserver.stdout.trim()).toBe("Kubernetes v1.36.3");
  });
});
