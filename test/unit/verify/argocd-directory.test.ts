import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { formatRef } from "../../../src/kube/index.ts";
import {
  ManifestError,
  parseManifests,
  readDirectoryManifests,
} from "../../../src/dr/verify/argocd/directory.ts";
import { configMap, writeFleet } from "./argocd-fleet.ts";

const refs = (objects: { object: Parameters<typeof formatRef>[0]; file: string | undefined }[]) =>
  objects.map((o) => `${formatRef(o.object)} ${o.file}`);

describe("readDirectoryManifests", () => {
  const fleet = () =>
    writeFleet({
      "app/a.yaml": [configMap("a")],
      "app/b.yml": [configMap("b1"), configMap("b2")],
      "app/c.json": JSON.stringify(configMap("c")),
      "app/notes.txt": "apiVersion: v1",
      "app/values.yaml": "replicas: 3\n",
      "app/skipped.yaml": `# +argocd:skip-file-rendering\n${JSON.stringify(configMap("skipped"))}`,
      "app/sub/d.yaml": [configMap("d")],
      "app/sub/deeper/e.yaml": [configMap("e")],
      "app/prog.jsonnet": "{}",
    });

  it("reads the folder's YAML and JSON files in name order, not its sub-folders", async () => {
    const repoDir = fleet();
    const read = await readDirectoryManifests(repoDir, "app", undefined);
    expect(refs(read.objects)).toEqual([
      "ConfigMap/a app/a.yaml",
      "ConfigMap/b1 app/b.yml",
      "ConfigMap/b2 app/b.yml",
      "ConfigMap/c app/c.json",
    ]);
    expect(read.jsonnet).toEqual(["app/prog.jsonnet"]);
  });

  it("recurses with directory.recurse, filtered by include and exclude globs", async () => {
    const repoDir = fleet();
    const all = await readDirectoryManifests(repoDir, "app", { recurse: true, jsonnet: false });
    expect(refs(all.objects).slice(-2)).toEqual([
      // filepath.Walk's order: "d.yaml" sorts before "deeper".
      "ConfigMap/d app/sub/d.yaml",
      "ConfigMap/e app/sub/deeper/e.yaml",
    ]);
    const some = await readDirectoryManifests(repoDir, "app", {
      recurse: true,
      include: "{a.yaml,sub/*}",
      exclude: "sub/deeper/*",
      jsonnet: false,
    });
    expect(refs(some.objects)).toEqual(["ConfigMap/a app/a.yaml", "ConfigMap/d app/sub/d.yaml"]);
  });

  it("never reads drkit's own folders in the checkout", async () => {
    const repoDir = writeFleet({
      "a.yaml": [configMap("a")],
      ".drkit-render/x/kustomization.yaml": [configMap("wrapper")],
    });
    const read = await readDirectoryManifests(repoDir, "", { recurse: true, jsonnet: false });
    expect(refs(read.objects)).toEqual(["ConfigMap/a a.yaml"]);
  });

  it("fails for a link that leaves the repository", async () => {
    const repoDir = writeFleet({ "app/a.yaml": [configMap("a")] });
    const outside = writeFleet({ "secret.yaml": [configMap("outside")] });
    symlinkSync(join(outside, "secret.yaml"), join(repoDir, "app", "link.yaml"));
    await expect(readDirectoryManifests(repoDir, "app", undefined)).rejects.toThrow(
      'illegal filepath in symlink at "link.yaml"',
    );
  });
});

describe("parseManifests", () => {
  it("expands Lists and drops empty ones", () => {
    const list = {
      apiVersion: "v1",
      kind: "ConfigMapList",
      items: [configMap("x"), configMap("y")],
    };
    expect(parseManifests("l.json", JSON.stringify(list)).map((o) => o.metadata.name)).toEqual([
      "x",
      "y",
    ]);
    expect(parseManifests("n.yaml", "apiVersion: v1\nkind: ConfigMapList\nitems: null\n")).toEqual(
      [],
    );
  });

  it("ignores YAML that is not a manifest, and fails for a broken one that looks like a manifest", () => {
    expect(parseManifests("values.yaml", "a: [1\n")).toEqual([]);
    expect(() =>
      parseManifests("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: [x\n"),
    ).toThrow(ManifestError);
    // A bad document after a good one fails, whatever it looks like.
    expect(() =>
      parseManifests(
        "two.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nfoo: bar\n",
      ),
    ).toThrow('failed to unmarshal "two.yaml"');
  });

  it("fails for an object without a name", () => {
    expect(() =>
      parseManifests("x.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n"),
    ).toThrow('"x.yaml": a ConfigMap has no metadata.name');
  });
});
