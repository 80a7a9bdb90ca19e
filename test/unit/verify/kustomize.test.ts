import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { ProcessError, type Exec } from "../../../src/core/exec.ts";
import type { FluxKustomizationSpec } from "../../../src/dr/verify/flux-kustomization.ts";
import { buildKustomization, RenderError } from "../../../src/dr/verify/kustomize.ts";

const spec: FluxKustomizationSpec = {
  name: "apps",
  namespace: "flux-system",
  path: "apps/web",
  sourceRef: { kind: "GitRepository", name: "fleet", namespace: "flux-system" },
  dependsOn: [],
  wait: false,
  healthChecks: [],
  substituteFrom: false,
  decryption: false,
};

function fleet(): string {
  const repoDir = mkdtempSync(join(tmpdir(), "drkit-kustomize-"));
  mkdirSync(join(repoDir, "apps", "web"), { recursive: true });
  writeFileSync(join(repoDir, "apps", "web", "kustomization.yaml"), "resources: [web.yaml]\n");
  return repoDir;
}

describe("buildKustomization with a fake kubectl", () => {
  it("runs kubectl kustomize on the generated overlay and maps each object to its file", async () => {
    const repoDir = fleet();
    const calls: (readonly string[])[] = [];
    const exec: Exec = async (command, args) => {
      calls.push([command, ...args]);
      const overlay = readFileSync(join(args[3]!, "kustomization.yaml"), "utf8");
      expect(overlay).toContain("../../apps/web");
      return {
        stdout: [
          "apiVersion: v1",
          "kind: ConfigMap",
          "metadata:",
          "  name: web",
          "  annotations:",
          "    config.kubernetes.io/origin: |",
          "      path: ../../apps/web/web.yaml",
        ].join("\n"),
        stderr: "",
      };
    };
    const objects = await buildKustomization({ repoDir, spec, kubectl: "/tools/kubectl", exec });
    expect(calls).toEqual([
      [
        "/tools/kubectl",
        "kustomize",
        "--load-restrictor",
        "LoadRestrictionsNone",
        join(repoDir, ".drkit-render", "flux-system-apps"),
      ],
    ]);
    expect(objects).toEqual([
      {
        object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "web" } },
        file: "apps/web/web.yaml",
      },
    ]);
  });

  it("fails naming the Kustomization and kustomize's first lines, without the checkout's path", async () => {
    const repoDir = fleet();
    const exec: Exec = async (command, args) => {
      throw new ProcessError({
        command,
        args,
        exitCode: 1,
        stderr: `Error: accumulating resources: open ${repoDir}/apps/web/web.yaml: no such file or directory\n`,
      });
    };
    const err = await buildKustomization({ repoDir, spec, kubectl: "kubectl", exec }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RenderError);
    expect((err as RenderError).message).toBe(
      'render: Kustomization flux-system/apps: kustomize build of "./apps/web" failed: Error: accumulating resources: open apps/web/web.yaml: no such file or directory',
    );
  });
});
