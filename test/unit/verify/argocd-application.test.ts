import { describe, expect, it } from "vitest";

import {
  isHook,
  parseArgoApplication,
  sameRepository,
  syncWaveOf,
} from "../../../src/dr/verify/argocd/application.ts";
import { globMatch } from "../../../src/dr/verify/argocd/glob.ts";
import { application, fleetUrl } from "./argocd-fleet.ts";
import type { KubeObject } from "../../../src/kube/index.ts";

describe("parseArgoApplication", () => {
  it("reads what drkit acts on, the namespace defaulting to the parent's destination", () => {
    const spec = parseArgoApplication(
      application("apps", {
        path: "./apps/overlays/r1/",
        destinationNamespace: "shop",
        wave: 2,
        retry: true,
        syncOptions: ["CreateNamespace=true"],
        source: { kustomize: { namePrefix: "r1-" } },
      }) as KubeObject,
      "argocd",
    );
    expect(spec).toMatchObject({
      name: "apps",
      namespace: "argocd",
      project: "default",
      multiSource: false,
      destination: { server: "https://kubernetes.default.svc", namespace: "shop" },
      automated: true,
      retry: true,
      syncOptions: ["CreateNamespace=true"],
      syncWave: 2,
    });
    expect(spec.sources).toMatchObject([
      {
        repoURL: fleetUrl,
        path: "apps/overlays/r1",
        targetRevision: "main",
        kustomize: { namePrefix: "r1-" },
      },
    ]);
  });

  it.each([
    [{}, false],
    [{ automated: {} }, true],
    [{ automated: { enabled: false } }, false],
    [{ automated: null }, false],
  ])("reads syncPolicy %j as automated: %s", (syncPolicy, automated) => {
    const obj = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      metadata: { name: "a" },
      spec: { syncPolicy },
    };
    expect(parseArgoApplication(obj, "argocd").automated).toBe(automated);
  });
});

describe("syncWaveOf and isHook", () => {
  const obj = (annotations: Record<string, string>): KubeObject => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "x", annotations },
  });
  it.each([
    [{}, 0],
    [{ "argocd.argoproj.io/sync-wave": "-3" }, -3],
    [{ "argocd.argoproj.io/sync-wave": "five" }, 0],
  ])("reads %j as wave %i", (annotations, wave) => {
    expect(syncWaveOf(obj(annotations))).toBe(wave);
  });
  it("knows Argo CD's and Helm's hooks", () => {
    expect(isHook(obj({ "argocd.argoproj.io/hook": "PreSync" }))).toBe(true);
    expect(isHook(obj({ "helm.sh/hook": "post-install" }))).toBe(true);
    expect(isHook(obj({}))).toBe(false);
  });
});

describe("sameRepository", () => {
  it.each([
    ["https://github.com/acme/fleet.git", "https://GitHub.com/acme/fleet", true],
    ["https://github.com/acme/fleet/", "https://github.com/acme/fleet.git", true],
    ["git@github.com:acme/fleet.git", "ssh://git@github.com/acme/fleet", true],
    ["https://github.com/acme/fleet", "https://github.com/acme/other", false],
    ["", "", false],
  ])("%s and %s: %s", (a, b, same) => {
    expect(sameRepository(a, b)).toBe(same);
  });
});

describe("globMatch", () => {
  it.each([
    ["*.yaml", "a.yaml", "", true],
    ["*.yaml", "sub/a.yaml", "", true],
    ["*.yaml", "sub/a.yaml", "/", false],
    ["**.yaml", "sub/a.yaml", "/", true],
    ["{a,b}.yaml", "b.yaml", "", true],
    ["[!a]*", "abc", "", false],
    ["https://github.com/acme/*", "https://github.com/acme/fleet", "/", true],
    ["https://github.com/acme/*", "https://github.com/acme/x/y", "/", false],
    ["[unclosed", "[unclosed", "", false],
  ])("%s against %s (separators %j): %s", (pattern, text, separators, matches) => {
    expect(globMatch(pattern, text, separators)).toBe(matches);
  });
});
