import { describe, expect, it } from "vitest";

import { parseFluxKustomization } from "../../../src/dr/verify/flux-kustomization.ts";
import {
  kustomizationSourceKind,
  pickSemverTag,
  planOciArtifact,
} from "../../../src/dr/verify/flux/kustomization-source.ts";
import { excludedFromArtifact } from "../../../src/dr/verify/flux/source-ignore.ts";
import type { KubeObject } from "../../../src/kube/index.ts";

const fleet = { kind: "GitRepository", name: "fleet", namespace: "flux-system" };
const kustomization = (sourceRef: Record<string, string>) =>
  parseFluxKustomization({
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: "dashboards", namespace: "flux-system" },
    spec: { path: "./", sourceRef },
  });
const source = { kind: "OCIRepository", name: "dashboards", namespace: "flux-system" };
const ociRepository = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: "source.toolkit.fluxcd.io/v1",
  kind: "OCIRepository",
  metadata: { name: "dashboards", namespace: "flux-system" },
  spec: { url: "oci://127.0.0.1:8471/manifests/dashboards", interval: "10m", ...spec },
});

describe("kustomizationSourceKind", () => {
  it.each([
    [{ kind: "GitRepository", name: "fleet" }, { type: "fleet" }],
    [
      { kind: "OCIRepository", name: "dashboards" },
      {
        type: "oci",
        source: { kind: "OCIRepository", name: "dashboards", namespace: "flux-system" },
      },
    ],
    [
      { kind: "GitRepository", name: "other" },
      {
        type: "not-verified",
        reason:
          "Kustomization flux-system/dashboards reads GitRepository flux-system/other, not the fleet repository; its objects are not verified",
      },
    ],
    [
      { kind: "Bucket", name: "manifests", namespace: "storage" },
      {
        type: "not-verified",
        reason:
          "Kustomization flux-system/dashboards reads Bucket storage/manifests, which drkit does not fetch; its objects are not verified",
      },
    ],
  ])("reads sourceRef %j as %j", (sourceRef, want) => {
    expect(kustomizationSourceKind(kustomization(sourceRef), fleet)).toEqual(want);
  });
});

describe("planOciArtifact", () => {
  const plan = (spec: Record<string, unknown>) =>
    planOciArtifact("flux-system/dashboards", source, ociRepository(spec));

  it("reads the URL, a tag (latest by default), the default layer and insecure", () => {
    expect(plan({ insecure: true })).toEqual({
      location: {
        source: "OCIRepository flux-system/dashboards",
        url: "oci://127.0.0.1:8471/manifests/dashboards",
        repo: { host: "127.0.0.1:8471", repository: "manifests/dashboards" },
        ref: { type: "tag", tag: "latest" },
        layer: { operation: "extract" },
        insecure: true,
        ignoreRules: false,
      },
    });
  });

  it.each([
    [
      { tag: "v1", semver: "1.x", digest: "sha256:abc" },
      { type: "digest", digest: "sha256:abc" },
    ],
    [
      { tag: "v1", semver: "1.x", semverFilter: "-rc" },
      { type: "semver", semver: "1.x", filter: "-rc" },
    ],
    [{ tag: "v1" }, { type: "tag", tag: "v1" }],
  ])("takes spec.ref %j as source-controller does: digest, then semver, then tag", (ref, want) => {
    expect(plan({ ref })).toMatchObject({ location: { ref: want } });
  });

  it("reads spec.layerSelector and spec.ignore", () => {
    expect(
      plan({
        layerSelector: {
          mediaType: "application/vnd.acme.manifests.v1.tar+gzip",
          operation: "copy",
        },
        ignore: "*.md",
      }),
    ).toMatchObject({
      location: {
        layer: { mediaType: "application/vnd.acme.manifests.v1.tar+gzip", operation: "copy" },
        ignoreRules: true,
      },
    });
  });

  it.each([
    [
      { secretRef: { name: "creds" } },
      "which needs registry credentials (spec.secretRef) drkit does not read yet",
    ],
    [
      { certSecretRef: { name: "ca" } },
      "which needs a client certificate or CA (spec.certSecretRef) drkit does not read yet",
    ],
    [
      { proxySecretRef: { name: "proxy" } },
      "which reaches its registry through a proxy (spec.proxySecretRef) drkit does not use",
    ],
    [
      { provider: "aws" },
      "which authenticates with cloud identity (spec.provider aws) drkit does not use",
    ],
    [
      { serviceAccountName: "puller" },
      "which pulls with the secrets of ServiceAccount puller (spec.serviceAccountName) drkit does not read",
    ],
    [
      { verify: { provider: "cosign" } },
      "whose signature Flux verifies (spec.verify, cosign), which drkit does not",
    ],
  ])("does not verify an OCIRepository with %j, saying why", (spec, why) => {
    expect(plan(spec)).toEqual({
      notVerified: `Kustomization flux-system/dashboards reads OCIRepository flux-system/dashboards, ${why}; its objects are not verified`,
    });
  });

  it("does not count provider generic as cloud identity", () => {
    expect(plan({ provider: "generic" })).toHaveProperty("location");
  });

  it("fails for a URL with a tag and for an unknown layer operation, with the fix", () => {
    expect(plan({ url: "oci://127.0.0.1:8471/manifests/dashboards:latest" })).toEqual({
      invalid: {
        message:
          'Kustomization flux-system/dashboards reads OCIRepository flux-system/dashboards, whose spec.url "oci://127.0.0.1:8471/manifests/dashboards:latest" must not contain a tag or digest; remove ":latest" and set spec.ref instead: source-controller never fetches it',
        fix: "set spec.url of OCIRepository flux-system/dashboards to oci://<host>/<repository>",
      },
    });
    expect(plan({ layerSelector: { operation: "unpack" } })).toEqual({
      invalid: {
        message:
          'Kustomization flux-system/dashboards reads OCIRepository flux-system/dashboards, whose spec.layerSelector.operation "unpack" is neither "extract" nor "copy": source-controller never fetches it',
        fix: 'set spec.layerSelector.operation of OCIRepository flux-system/dashboards to "extract" or "copy"',
      },
    });
  });
});

describe("pickSemverTag", () => {
  const tags = ["latest", "1.0.0", "1.2.0", "v1.3.0", "1.4.0-rc.1", "2.0.0", "1.5", "1.2.1_build"];

  it.each([
    ["1.x", undefined, undefined, "v1.3.0"],
    [">=1.0.0 <1.3.0", undefined, undefined, "1.2.0"],
    ["1.4.0-rc.0 - 1.4.0", undefined, undefined, "1.4.0-rc.1"],
    ["*", undefined, undefined, "2.0.0"],
    ["1.x", "^1\\.[0-2]", undefined, "1.2.0"],
    ["3.x", undefined, undefined, undefined],
    // `_` is `+` only for a Helm chart layer (source-controller's convertOCIToSemVerTag).
    ["~1.2.1", undefined, undefined, undefined],
    ["~1.2.1", undefined, "application/vnd.cncf.helm.chart.content.v1.tar+gzip", "1.2.1_build"],
  ])("picks for semver %s (filter %s, layer %s) the tag %s", (semver, filter, mediaType, want) => {
    expect(pickSemverTag(tags, semver, filter, mediaType)).toBe(want);
  });

  it("fails for a range or a filter that does not parse", () => {
    expect(() => pickSemverTag(tags, "one", undefined, undefined)).toThrow(
      /^semver "one" is not a semver range: /,
    );
    expect(() => pickSemverTag(tags, "1.x", "(", undefined)).toThrow(
      /^semverFilter "\(" is not a regular expression: /,
    );
  });
});

describe("excludedFromArtifact", () => {
  it.each([
    ["dashboards.yaml", false, false, false],
    [".git/config", false, false, true],
    [".github", true, false, true],
    [".github/workflows/ci.yaml", false, false, true],
    ["apps/.github/deploy.yaml", false, false, true],
    ["docs/logo.png", false, false, true],
    ["charts/app.tar.gz", false, false, true],
    ["cloudbuild.yaml", false, false, true],
    ["apps/.sops.yaml", false, false, true],
    [".github", false, false, false],
    // With ignore rules of its own, only the VCS patterns are built in.
    ["docs/logo.png", false, true, false],
    [".gitignore", false, true, true],
  ])("%s (dir %s, own rules %s) is left out: %s", (path, isDir, ownRules, want) => {
    expect(excludedFromArtifact(path, isDir, ownRules)).toBe(want);
  });
});
