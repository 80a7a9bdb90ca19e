/**
 * A Flux region whose Kustomizations read OCIRepositories, rendered with the toolchain's real
 * kubectl against a registry in memory (skipped when the toolchain is not installed:
 * `drkit toolchain install`): the artifact's objects join the desired state under their
 * Kustomization, and what drkit cannot fetch as Flux would is named.
 */
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";

import { fluxRenderer } from "../../../src/dr/verify/flux/renderer.ts";
import { renderDesiredState } from "../../../src/dr/verify/render.ts";
import { encryptedFilesOf } from "../../../src/dr/preflight/decryption.ts";
import { formatRef } from "../../../src/kube/index.ts";
import { toolchainStatus } from "../../../src/toolchain/index.ts";
import { fakeRegistry, type FakeRegistry } from "../oci/fake-registry.ts";
import { writeFleet } from "./argocd-fleet.ts";

const kubectl =
  (await toolchainStatus()).tools.find((t) => t.name === "kubectl")?.path ?? undefined;

const kustomization = (name: string, sourceRef: object, path = "./", extra: object = {}) => ({
  apiVersion: "kustomize.toolkit.fluxcd.io/v1",
  kind: "Kustomization",
  metadata: { name, namespace: "flux-system" },
  spec: { interval: "1m", path, prune: true, sourceRef, ...extra },
});
const ociRepository = (name: string, url: string, spec: object = {}) => ({
  apiVersion: "source.toolkit.fluxcd.io/v1",
  kind: "OCIRepository",
  metadata: { name, namespace: "flux-system" },
  spec: { url, interval: "10m", insecure: true, ref: { tag: "latest" }, ...spec },
});
const configMap = (name: string, namespace = "platform") => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace },
  data: { panels: name },
});

/** The sample fleet's shape: the OCIRepository in the platform layer, its Kustomization at the root. */
function fleet(registry: FakeRegistry, extra: readonly object[] = []): string {
  const url = registry.url("manifests/dashboards");
  return writeFleet({
    "clusters/r1/kustomization.yaml": "resources: [platform.yaml, dashboards.yaml]\n",
    "clusters/r1/platform.yaml": [
      kustomization("platform", { kind: "GitRepository", name: "fleet" }, "./platform"),
    ],
    "clusters/r1/dashboards.yaml": [
      kustomization("dashboards", { kind: "OCIRepository", name: "dashboards" }, "./", {
        dependsOn: [{ name: "platform" }],
      }),
      ...extra,
    ],
    "platform/source.yaml": [ociRepository("dashboards", url)],
    "extra/config.yaml": [configMap("from-git")],
  });
}

function publish(registry: FakeRegistry): string {
  return registry.push("manifests/dashboards", "latest", {
    "dashboards.yaml": [configMap("shop-dashboard"), configMap("platform-dashboard")]
      .map((o) => stringify(o))
      .join("---\n"),
    "layers/kustomization.yaml": "resources: [git.yaml]\n",
    "layers/git.yaml": stringify(
      kustomization("from-artifact", { kind: "GitRepository", name: "fleet" }, "./extra"),
    ),
  });
}

describe.skipIf(!kubectl)("Flux Kustomizations reading OCIRepositories", () => {
  const render = (repoDir: string, registry: FakeRegistry) =>
    renderDesiredState({ repoDir, path: "clusters/r1", kubectl: kubectl!, fetch: registry.fetch });

  it("renders the artifact's objects under their Kustomization, each naming its file in the artifact", async () => {
    const registry = fakeRegistry();
    const digest = publish(registry);
    const state = await render(fleet(registry), registry);
    expect(state.failures).toEqual([]);
    expect(state.warnings).toEqual([]);
    const artifact = "oci://127.0.0.1:5000/manifests/dashboards:latest";
    expect(
      state.objects.map((d) => [formatRef(d.object), d.owner, d.file ?? null, d.artifact ?? null]),
    ).toEqual([
      [
        "Kustomization/flux-system/dashboards",
        "flux-system/fleet",
        "clusters/r1/dashboards.yaml",
        null,
      ],
      [
        "Kustomization/flux-system/platform",
        "flux-system/fleet",
        "clusters/r1/platform.yaml",
        null,
      ],
      [
        "OCIRepository/flux-system/dashboards",
        "flux-system/platform",
        "platform/source.yaml",
        null,
      ],
      [
        "ConfigMap/platform/platform-dashboard",
        "flux-system/dashboards",
        `${artifact}//dashboards.yaml`,
        artifact,
      ],
      [
        "ConfigMap/platform/shop-dashboard",
        "flux-system/dashboards",
        `${artifact}//dashboards.yaml`,
        artifact,
      ],
      [
        "Kustomization/flux-system/from-artifact",
        "flux-system/dashboards",
        `${artifact}//layers/git.yaml`,
        artifact,
      ],
      // A Kustomization of the artifact that reads the fleet is built from the fleet.
      ["ConfigMap/platform/from-git", "flux-system/from-artifact", "extra/config.yaml", null],
    ]);
    expect(state.kustomizations.map((k) => [k.spec.name, k.objects, k.artifact ?? null])).toEqual([
      ["fleet", 2, null],
      ["platform", 1, null],
      ["dashboards", 3, `${artifact}@${digest}`],
      ["from-artifact", 1, null],
    ]);
    expect([...fluxRenderer.owners(state)]).toContain("flux-system/dashboards");
  });

  it("keeps warnings for what it cannot fetch as Flux would: credentials, verify, a Bucket, another GitRepository, a source the fleet does not render", async () => {
    const registry = fakeRegistry();
    publish(registry);
    const url = registry.url("manifests/dashboards");
    const state = await render(
      fleet(registry, [
        kustomization("private", { kind: "OCIRepository", name: "private" }),
        ociRepository("private", url, { secretRef: { name: "registry-creds" } }),
        kustomization("signed", { kind: "OCIRepository", name: "signed" }),
        ociRepository("signed", url, { verify: { provider: "cosign" } }),
        kustomization("bucket", { kind: "Bucket", name: "manifests" }),
        kustomization("other-git", { kind: "GitRepository", name: "other" }),
        kustomization("orphan", { kind: "OCIRepository", name: "nowhere" }),
      ]),
      registry,
    );
    expect(state.failures).toEqual([]);
    expect(state.warnings).toEqual([
      "Kustomization flux-system/bucket reads Bucket flux-system/manifests, which drkit does not fetch; its objects are not verified",
      "Kustomization flux-system/other-git reads GitRepository flux-system/other, not the fleet repository; its objects are not verified",
      "Kustomization flux-system/private reads OCIRepository flux-system/private, which needs registry credentials (spec.secretRef) drkit does not read yet; its objects are not verified",
      "Kustomization flux-system/signed reads OCIRepository flux-system/signed, whose signature Flux verifies (spec.verify, cosign), which drkit does not; its objects are not verified",
      "Kustomization flux-system/orphan reads OCIRepository flux-system/nowhere, which the fleet does not render; its objects are not verified",
    ]);
    expect(state.kustomizations.map((k) => k.spec.name)).not.toContain("private");
  });

  it("fails naming the Kustomization, the OCIRepository, its URL and tag and the fix when the artifact is not there; its live objects are not judged extra", async () => {
    const registry = fakeRegistry();
    const state = await render(fleet(registry), registry);
    expect(state.failures).toEqual([
      {
        owner: "flux-system/dashboards",
        message:
          'Kustomization flux-system/dashboards reads OCIRepository flux-system/dashboards (oci://127.0.0.1:5000/manifests/dashboards, tag "latest"): GET http://127.0.0.1:5000/v2/manifests/dashboards/manifests/latest answered 404 (MANIFEST_UNKNOWN: manifest_unknown): no such tag',
        fix: "push the artifact to oci://127.0.0.1:5000/manifests/dashboards:latest (`flux push artifact`), or correct spec.ref.tag of OCIRepository flux-system/dashboards",
      },
    ]);
    expect(state.kustomizations.find((k) => k.spec.name === "dashboards")?.objects).toBe(0);
    expect([...fluxRenderer.owners(state)]).not.toContain("flux-system/dashboards");
  });

  it("fails naming the registry's URL when the registry does not answer", async () => {
    const registry = fakeRegistry();
    publish(registry);
    registry.stop();
    const state = await render(fleet(registry), registry);
    expect(state.failures.map((f) => f.message)).toEqual([
      'Kustomization flux-system/dashboards reads OCIRepository flux-system/dashboards (oci://127.0.0.1:5000/manifests/dashboards, tag "latest"): GET https://127.0.0.1:5000/v2/manifests/dashboards/manifests/latest failed: connect ECONNREFUSED 127.0.0.1:5000; GET http://127.0.0.1:5000/v2/manifests/dashboards/manifests/latest failed: connect ECONNREFUSED 127.0.0.1:5000',
    ]);
  });

  it("fails naming the artifact for a spec.path it does not hold", async () => {
    const registry = fakeRegistry();
    publish(registry);
    const repoDir = fleet(registry);
    const file = `${repoDir}/clusters/r1/dashboards.yaml`;
    const { readFile, writeFile } = await import("node:fs/promises");
    await writeFile(
      file,
      (await readFile(file, "utf8")).replace("path: ./\n", "path: ./nothing\n"),
    );
    const state = await render(repoDir, registry);
    expect(state.failures.map((f) => f.message)).toEqual([
      'Kustomization flux-system/dashboards: path "./nothing" does not exist in the artifact of OCIRepository flux-system/dashboards (oci://127.0.0.1:5000/manifests/dashboards:latest); fix spec.path or add the folder',
    ]);
  });

  it("warns of SOPS-encrypted objects in an artifact and leaves them out of the fleet's encrypted files", async () => {
    const registry = fakeRegistry();
    registry.push("manifests/dashboards", "latest", {
      "secret.yaml": stringify({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "token", namespace: "platform" },
        data: { token: "ENC[AES256_GCM,data:x,type:str]" },
        sops: { age: [{ recipient: "age1x" }], mac: "ENC[...]", version: "3.9.0" },
      }),
    });
    const state = await render(fleet(registry), registry);
    expect(state.warnings).toEqual([
      "Kustomization flux-system/dashboards applies 1 SOPS-encrypted object(s) of oci://127.0.0.1:5000/manifests/dashboards:latest: preflight does not try the escrowed key on them",
    ]);
    expect(encryptedFilesOf(state)).toEqual([]);
  });
});
