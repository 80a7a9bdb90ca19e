import { describe, expect, it } from "vitest";

import {
  applyKustomizeOptions,
  editsKustomization,
  envsubst,
  KustomizeEditError,
  unappliedOptions,
} from "../../../src/dr/verify/argocd/kustomize-edit.ts";

const env = { ARGOCD_APP_NAME: "apps", ARGOCD_APP_REVISION: "0123456789" };

describe("envsubst", () => {
  it.each([
    ["$ARGOCD_APP_NAME", "apps"],
    ["${ARGOCD_APP_REVISION}-x", "0123456789-x"],
    ["$$ARGOCD_APP_NAME", "$ARGOCD_APP_NAME"],
    ["${UNKNOWN}end", "end"],
    ["no vars", "no vars"],
  ])("%s becomes %s", (text, want) => {
    expect(envsubst(text, env)).toBe(want);
  });
});

describe("applyKustomizeOptions", () => {
  it.each([
    [
      "nginx=registry.local/nginx:1.27",
      [{ name: "nginx", newName: "registry.local/nginx", newTag: "1.27" }],
    ],
    ["nginx:1.27", [{ name: "nginx", newTag: "1.27" }]],
    ["nginx@sha256:abc", [{ name: "nginx", digest: "sha256:abc" }]],
    ["localhost:5000/web:2", [{ name: "localhost:5000/web", newTag: "2" }]],
    ["web=*:3", [{ name: "web", newName: "old/web", newTag: "3" }]],
  ])("sets image %s as `kustomize edit set image` does", (arg, images) => {
    const kustomization = { images: [{ name: "web", newName: "old/web", newTag: "1" }] };
    const edited = applyKustomizeOptions(kustomization, { images: [arg] }, env);
    const byName = new Map((edited.images as { name: string }[]).map((i) => [i.name, i]));
    for (const image of images) expect(byName.get(image.name)).toEqual(image);
  });

  it("fails for an image without a tag, digest or new name, as kustomize does", () => {
    expect(() => applyKustomizeOptions({}, { images: ["nginx"] }, env)).toThrow(KustomizeEditError);
  });

  it("sets prefix, suffix, namespace, replicas, labels, annotations, patches and components", () => {
    const edited = applyKustomizeOptions(
      {
        resources: ["web.yaml"],
        namePrefix: "old-",
        replicas: [
          { name: "web", count: 1 },
          { name: "cache", count: 2 },
        ],
        patches: [{ path: "a.yaml" }],
      },
      {
        namePrefix: "new-",
        nameSuffix: "-x",
        namespace: "shop",
        replicas: [{ name: "web", count: "3" }],
        commonLabels: { app: "$ARGOCD_APP_NAME" },
        commonAnnotations: { rev: "$ARGOCD_APP_REVISION" },
        patches: [{ path: "b.yaml" }],
        components: ["../c"],
      },
      env,
    );
    expect(edited).toEqual({
      resources: ["web.yaml"],
      namePrefix: "new-",
      nameSuffix: "-x",
      namespace: "shop",
      replicas: [
        { name: "cache", count: 2 },
        { name: "web", count: 3 },
      ],
      commonLabels: { app: "apps" },
      // Annotations are substituted only with commonAnnotationsEnvsubst.
      commonAnnotations: { rev: "$ARGOCD_APP_REVISION" },
      patches: [{ path: "a.yaml" }, { path: "b.yaml" }],
      components: ["../c"],
    });
  });

  it("fails for a label the file already has, unless forced", () => {
    const kustomization = { commonLabels: { app: "web" } };
    expect(() => applyKustomizeOptions(kustomization, { commonLabels: { app: "x" } }, env)).toThrow(
      "label app already in kustomization file. Use --force to override.",
    );
    expect(
      applyKustomizeOptions(
        kustomization,
        { commonLabels: { app: "x" }, forceCommonLabels: true },
        env,
      ).commonLabels,
    ).toEqual({ app: "x" });
  });

  it("adds labels without selectors to `labels`, with templates when asked", () => {
    const edited = applyKustomizeOptions(
      {},
      { commonLabels: { team: "a" }, labelWithoutSelector: true, labelIncludeTemplates: true },
      env,
    );
    expect(edited).toEqual({ labels: [{ pairs: { team: "a" }, includeTemplates: true }] });
  });

  it("leaves out missing components with ignoreMissingComponents", () => {
    const edited = applyKustomizeOptions(
      {},
      { components: ["../here", "../gone"], ignoreMissingComponents: true },
      env,
      (c) => c === "../here",
    );
    expect(edited.components).toEqual(["../here"]);
  });

  it("tells which options change the file and which it does not apply", () => {
    expect(editsKustomization({})).toBe(false);
    expect(editsKustomization({ version: "v5" })).toBe(false);
    expect(editsKustomization({ namePrefix: "x-" })).toBe(true);
    expect(unappliedOptions({ namePrefix: "x", version: "v5", forceFoo: true })).toEqual([
      "forceFoo",
    ]);
  });
});
