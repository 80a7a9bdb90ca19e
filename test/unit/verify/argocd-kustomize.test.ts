/**
 * Argo CD kustomize sources built by the toolchain's real kubectl (skipped when the toolchain is
 * not installed: `drkit toolchain install`).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { formatRef } from "../../../src/kube/index.ts";
import { renderDesiredState } from "../../../src/dr/verify/render.ts";
import { toolchainStatus } from "../../../src/toolchain/index.ts";
import { application, commit, configMap, fleetUrl, writeFleet } from "./argocd-fleet.ts";

const kubectl =
  (await toolchainStatus()).tools.find((t) => t.name === "kubectl")?.path ?? undefined;

describe.skipIf(!kubectl)("Argo CD kustomize sources with the toolchain's kubectl", () => {
  const render = (repoDir: string) =>
    renderDesiredState({
      repoDir,
      path: "clusters/r1",
      kubectl: kubectl!,
      reconciler: "argocd",
      url: fleetUrl,
      commit,
    });

  it("builds with the Application's kustomize options, each object naming its file", async () => {
    const kustomization = "resources: [../../base]\n";
    const repoDir = writeFleet({
      "clusters/r1/kustomization.yaml": "resources: [apps.yaml]\n",
      "clusters/r1/apps.yaml": [
        application("apps", {
          path: "apps/overlays/r1",
          destinationNamespace: "shop",
          source: {
            kustomize: {
              namePrefix: "r1-",
              commonLabels: { region: "$ARGOCD_APP_NAME" },
              images: ["nginx=registry.local/nginx:1.27"],
            },
          },
        }),
      ],
      "apps/base/kustomization.yaml": "resources: [web.yaml]\n",
      "apps/base/web.yaml": [
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "web" },
          spec: {
            selector: { matchLabels: { app: "web" } },
            template: {
              metadata: { labels: { app: "web" } },
              spec: { containers: [{ name: "web", image: "nginx" }] },
            },
          },
        },
        configMap("settings"),
      ],
      "apps/overlays/r1/kustomization.yaml": kustomization,
    });
    const state = await render(repoDir);
    expect(state.failures).toEqual([]);
    expect(state.objects.map((d) => `${d.owner} ${formatRef(d.object)} ${d.file}`)).toEqual([
      "argocd/fleet Application/argocd/apps clusters/r1/apps.yaml",
      "argocd/apps ConfigMap/shop/r1-settings apps/base/web.yaml",
      "argocd/apps Deployment/shop/r1-web apps/base/web.yaml",
    ]);
    const web = state.objects.find((d) => d.object.kind === "Deployment")!.object as unknown as {
      metadata: { labels?: Record<string, string> };
      spec: { template: { spec: { containers: { image: string }[] } } };
    };
    expect(web.metadata.labels).toEqual({ region: "apps" });
    expect(web.spec.template.spec.containers[0]?.image).toBe("registry.local/nginx:1.27");
    expect(readFileSync(join(repoDir, "apps/overlays/r1/kustomization.yaml"), "utf8")).toBe(
      kustomization,
    );
  });

  it("renders a KSOPS generator's files as the encrypted objects they are in Git", async () => {
    const repoDir = writeFleet({
      "clusters/r1/apps.yaml": [application("apps", { destinationNamespace: "shop" })],
      "apps/kustomization.yaml": "generators: [secret-generator.yaml]\n",
      "apps/secret-generator.yaml": [
        {
          apiVersion: "viaduct.ai/v1",
          kind: "ksops",
          metadata: {
            name: "secrets",
            annotations: { "config.kubernetes.io/function": "exec:\n  path: ksops\n" },
          },
          files: ["./creds.enc.yaml"],
        },
      ],
      "apps/creds.enc.yaml": [
        {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: "creds" },
          stringData: { password: "ENC[AES256_GCM,data:abc,type:str]" },
          sops: { mac: "ENC[xyz]", version: "3.9.0" },
        },
      ],
    });
    const state = await render(repoDir);
    expect(state.failures).toEqual([]);
    const secret = state.objects.find((d) => d.object.kind === "Secret");
    expect([secret?.file, formatRef(secret!.object), secret?.object.sops !== undefined]).toEqual([
      "apps/creds.enc.yaml",
      "Secret/shop/creds",
      true,
    ]);
  });

  it("fails, as Argo CD's build does, for a file outside the kustomization's folder", async () => {
    const repoDir = writeFleet({
      "clusters/r1/apps.yaml": [application("apps", { path: "apps/r1" })],
      "apps/r1/kustomization.yaml": "resources: [../shared/cm.yaml]\n",
      "apps/shared/cm.yaml": [configMap("shared")],
    });
    const state = await render(repoDir);
    expect(state.failures.map((f) => f.owner)).toEqual(["argocd/apps"]);
    expect(state.failures[0]?.message).toMatch(
      /^Application argocd\/apps \(clusters\/r1\/apps\.yaml\): kustomize build of "\.\/apps\/r1" failed: .*is not in or below/,
    );
  });
});
