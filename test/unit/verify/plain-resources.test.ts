import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";

import { buildKustomization } from "../../../src/dr/verify/kustomize.ts";
import { parseFluxKustomization } from "../../../src/dr/verify/flux-kustomization.ts";
import { readPlainResources } from "../../../src/dr/verify/plain-resources.ts";

function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "drkit-plain-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const cm = (name: string, ns = "shop") =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${ns}\ndata:\n  k: v\n`;
const resources = (...r: string[]) =>
  `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${r.map((x) => `  - ${x}\n`).join("")}`;

describe("readPlainResources", () => {
  it("reads a tree of resources-only kustomizations in kustomize's legacy order, each object with its file", async () => {
    const dir = repo({
      "app/kustomization.yaml": resources("deploy.yaml", "config", "ns.yaml"),
      "app/deploy.yaml":
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n",
      "app/ns.yaml": "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\n",
      "app/config/kustomization.yaml": resources("b.yaml", "a.yaml"),
      "app/config/b.yaml": cm("b"),
      "app/config/a.yaml": `${cm("a")}---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: shop\n`,
    });
    const objects = await readPlainResources([join(dir, "app")], dir);
    expect(objects?.map((o) => `${o.object.kind}/${o.object.metadata.name} ${o.file}`)).toEqual([
      "Namespace/shop app/ns.yaml",
      "ConfigMap/a app/config/a.yaml",
      "ConfigMap/b app/config/b.yaml",
      "Deployment/web app/deploy.yaml",
      "Widget/w app/config/a.yaml",
    ]);
  });

  it.each([
    [
      "a kustomization that transforms",
      { "k/kustomization.yaml": `${resources("a.yaml")}namespace: other\n`, "k/a.yaml": cm("a") },
    ],
    [
      "the same object twice",
      {
        "k/kustomization.yaml": resources("a.yaml", "b.yaml"),
        "k/a.yaml": cm("a"),
        "k/b.yaml": cm("a"),
      },
    ],
    [
      "a List",
      {
        "k/kustomization.yaml": resources("a.yaml"),
        "k/a.yaml": "apiVersion: v1\nkind: List\nitems: []\nmetadata:\n  name: l\n",
      },
    ],
    [
      "a remote resource",
      { "k/kustomization.yaml": resources("https://github.com/acme/fleet//base") },
    ],
    ["a resource outside the repository", { "k/kustomization.yaml": resources("../../etc") }],
    ["a missing resource", { "k/kustomization.yaml": resources("gone.yaml") }],
    ["bad YAML", { "k/kustomization.yaml": resources("a.yaml"), "k/a.yaml": "kind: [unclosed\n" }],
    [
      "an object without a name",
      {
        "k/kustomization.yaml": resources("a.yaml"),
        "k/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n",
      },
    ],
  ])("leaves %s to kustomize", async (_name, files) => {
    const dir = repo(files);
    expect(await readPlainResources([join(dir, "k")], dir)).toBeUndefined();
  });
});

describe("buildKustomization's fast path", () => {
  const spec = (extra: object) =>
    parseFluxKustomization({
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "apps", namespace: "flux-system" },
      spec: { path: "./k", sourceRef: { kind: "GitRepository", name: "fleet" }, ...extra },
    });
  const files = { "k/kustomization.yaml": resources("a.yaml"), "k/a.yaml": cm("a") };

  it("reads a plain path without kustomize, substituting variables as Flux does", async () => {
    const dir = repo({ ...files, "k/a.yaml": cm("${NAME}") });
    const calls: string[] = [];
    const objects = await buildKustomization({
      repoDir: dir,
      spec: spec({ postBuild: { substitute: { NAME: "settings" } } }),
      kubectl: "kubectl",
      exec: async (cmd) => {
        calls.push(cmd);
        throw new Error("kustomize must not run");
      },
    });
    expect(calls).toEqual([]);
    expect(objects.map((o) => o.object.metadata.name)).toEqual(["settings"]);
  });

  it("runs kustomize when the Flux Kustomization transforms its path", async () => {
    const dir = repo(files);
    const calls: string[][] = [];
    await buildKustomization({
      repoDir: dir,
      spec: spec({ targetNamespace: "other" }),
      kubectl: "kubectl",
      exec: async (cmd, args) => {
        calls.push([cmd, ...args]);
        return { stdout: "", stderr: "", code: 0 };
      },
    });
    expect(calls[0]?.slice(0, 2)).toEqual(["kubectl", "kustomize"]);
  });
});
