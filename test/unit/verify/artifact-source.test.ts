/**
 * Fetching the artifact an OCIRepository names from a registry in memory: references resolved
 * as source-controller resolves them, the layer unpacked as Flux unpacks it, one fetch per
 * artifact, and failures that name the URL and the fix.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

import { describe, expect, it } from "vitest";

import {
  ArtifactError,
  createArtifactSource,
} from "../../../src/dr/verify/flux/artifact-source.ts";
import {
  planOciArtifact,
  type OciArtifactLocation,
} from "../../../src/dr/verify/flux/kustomization-source.ts";
import { renderTar } from "../../../src/local/oci-tarball.ts";
import { createRegistryReader } from "../../../src/oci/index.ts";
import { fakeRegistry, type FakeRegistry } from "../oci/fake-registry.ts";

const source = { kind: "OCIRepository", name: "dashboards", namespace: "flux-system" };

function locate(registry: FakeRegistry, spec: Record<string, unknown> = {}): OciArtifactLocation {
  const plan = planOciArtifact("flux-system/dashboards", source, {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "OCIRepository",
    metadata: { name: "dashboards", namespace: "flux-system" },
    spec: { url: registry.url("manifests/dashboards"), insecure: true, ...spec },
  });
  if (!("location" in plan)) throw new Error(JSON.stringify(plan));
  return plan.location;
}

const artifacts = (registry: FakeRegistry) =>
  createArtifactSource({
    reader: createRegistryReader({ fetch: registry.fetch }),
    workDir: mkdtempSync(join(tmpdir(), "drkit-artifacts-")),
  });

const files = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();

describe("createArtifactSource", () => {
  it("fetches the tag's artifact and unpacks it without what source-controller leaves out", async () => {
    const registry = fakeRegistry();
    const digest = registry.push("manifests/dashboards", "latest", {
      "dashboards.yaml": "kind: ConfigMap\n",
      "nested/more.yaml": "kind: Secret\n",
      ".github/workflows/ci.yaml": "on: push\n",
      "logo.png": "png",
    });
    const fetched = await artifacts(registry).fetch(locate(registry));
    expect(fetched).toMatchObject({
      revision: `latest@${digest}`,
      reference: "oci://127.0.0.1:5000/manifests/dashboards:latest",
      pinned: `oci://127.0.0.1:5000/manifests/dashboards:latest@${digest}`,
      warnings: [],
    });
    expect(files(fetched.dir)).toEqual(["dashboards.yaml", "nested/more.yaml"]);
    expect(readFileSync(join(fetched.dir, "dashboards.yaml"), "utf8")).toBe("kind: ConfigMap\n");
  });

  it("resolves a semver range to the highest matching tag, and a digest to itself", async () => {
    const registry = fakeRegistry();
    registry.push("manifests/dashboards", "1.0.0", { "v.yaml": "1.0.0" });
    const picked = registry.push("manifests/dashboards", "1.2.0", { "v.yaml": "1.2.0" });
    registry.push("manifests/dashboards", "2.0.0", { "v.yaml": "2.0.0" });
    const source = artifacts(registry);
    const semver = await source.fetch(locate(registry, { ref: { semver: "1.x" } }));
    expect(semver.revision).toBe(`1.2.0@${picked}`);
    expect(readFileSync(join(semver.dir, "v.yaml"), "utf8")).toBe("1.2.0");
    const byDigest = await source.fetch(locate(registry, { ref: { digest: picked } }));
    expect(byDigest).toMatchObject({
      revision: picked,
      reference: `oci://127.0.0.1:5000/manifests/dashboards@${picked}`,
      // The same artifact is unpacked once.
      dir: semver.dir,
    });
  });

  it("fetches each artifact once per render, however many Kustomizations read it", async () => {
    const registry = fakeRegistry();
    registry.push("manifests/dashboards", "latest", { "a.yaml": "a" });
    const source = artifacts(registry);
    const [a, b] = await Promise.all([
      source.fetch(locate(registry)),
      source.fetch(locate(registry)),
    ]);
    expect(a).toBe(b);
    expect(registry.calls.filter((c) => c.includes("/blobs/"))).toHaveLength(1);
  });

  it("takes the layer spec.layerSelector names, and copies one without leaving anything out", async () => {
    const registry = fakeRegistry();
    const layer = (entries: Record<string, string>) =>
      gzipSync(
        renderTar(Object.entries(entries).map(([path, c]) => ({ path, content: Buffer.from(c) }))),
      );
    registry.pushLayers("manifests/dashboards", "latest", [
      { mediaType: "application/vnd.acme.docs.v1.tar+gzip", bytes: layer({ "README.md": "docs" }) },
      {
        mediaType: "application/vnd.acme.manifests.v1.tar+gzip",
        bytes: layer({ "app.yaml": "kind: A\n", "cloudbuild.yaml": "steps: []\n" }),
      },
    ]);
    const source = artifacts(registry);
    const first = await source.fetch(locate(registry));
    expect(files(first.dir)).toEqual(["README.md"]);
    const selected = await source.fetch(
      locate(registry, {
        layerSelector: { mediaType: "application/vnd.acme.manifests.v1.tar+gzip" },
      }),
    );
    expect(files(selected.dir)).toEqual(["app.yaml"]);
    const copied = await source.fetch(
      locate(registry, {
        layerSelector: {
          mediaType: "application/vnd.acme.manifests.v1.tar+gzip",
          operation: "copy",
        },
      }),
    );
    expect(files(copied.dir)).toEqual(["app.yaml", "cloudbuild.yaml"]);
    await expect(
      source.fetch(locate(registry, { layerSelector: { mediaType: "application/x-none" } })),
    ).rejects.toThrow(/has no layer with media type "application\/x-none"$/);
  });

  it("warns that ignore rules of the artifact's own are not applied", async () => {
    const registry = fakeRegistry();
    registry.push("manifests/dashboards", "latest", {
      ".sourceignore": "drafts/\n",
      "drafts/wip.yaml": "kind: A\n",
      "logo.png": "png",
    });
    const fetched = await artifacts(registry).fetch(locate(registry));
    expect(fetched.warnings).toEqual([
      "OCIRepository flux-system/dashboards has ignore rules of its own (.sourceignore), which drkit does not apply: files they leave out of the artifact are rendered",
    ]);
    expect(files(fetched.dir)).toEqual([".sourceignore", "drafts/wip.yaml", "logo.png"]);
  });

  it("fails naming the URL, the tag and the fix when the tag does not exist", async () => {
    const registry = fakeRegistry();
    registry.push("manifests/dashboards", "v1", { "a.yaml": "a" });
    const err = await artifacts(registry)
      .fetch(locate(registry))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtifactError);
    expect(err).toMatchObject({
      message:
        "GET http://127.0.0.1:5000/v2/manifests/dashboards/manifests/latest answered 404 (MANIFEST_UNKNOWN: manifest_unknown): no such tag",
      fix: "push the artifact to oci://127.0.0.1:5000/manifests/dashboards:latest (`flux push artifact`), or correct spec.ref.tag of OCIRepository flux-system/dashboards",
    });
  });

  it("fails naming the tags there are when none matches the semver range", async () => {
    const registry = fakeRegistry();
    registry.push("manifests/dashboards", "1.0.0", { "a.yaml": "a" });
    await expect(
      artifacts(registry).fetch(locate(registry, { ref: { semver: ">=2.0.0" } })),
    ).rejects.toMatchObject({
      message:
        'no tag of oci://127.0.0.1:5000/manifests/dashboards matches semver ">=2.0.0" (it has 1.0.0)',
      fix: 'push an artifact with a tag matching ">=2.0.0" to oci://127.0.0.1:5000/manifests/dashboards, or correct spec.ref of OCIRepository flux-system/dashboards',
    });
  });

  it("fails naming the registry's URL and the fix when the registry does not answer", async () => {
    const registry = fakeRegistry();
    registry.stop();
    await expect(artifacts(registry).fetch(locate(registry))).rejects.toMatchObject({
      message: expect.stringContaining(
        "GET http://127.0.0.1:5000/v2/manifests/dashboards/manifests/latest failed: connect ECONNREFUSED 127.0.0.1:5000",
      ),
      fix: "start the registry that serves oci://127.0.0.1:5000/manifests/dashboards (or make 127.0.0.1:5000 reachable from here), or correct spec.url of OCIRepository flux-system/dashboards",
    });
  });

  it("fails for a layer with a member that climbs out of the artifact, writing nothing", async () => {
    const registry = fakeRegistry();
    registry.pushLayers("manifests/dashboards", "latest", [
      {
        mediaType: "application/vnd.cncf.flux.content.v1.tar+gzip",
        bytes: gzipSync(
          renderTar([
            { path: "ok.yaml", content: Buffer.from("a") },
            { path: "../../etc/cron.d/evil", content: Buffer.from("b") },
          ]),
        ),
      },
    ]);
    const workDir = mkdtempSync(join(tmpdir(), "drkit-artifacts-"));
    const source = createArtifactSource({
      reader: createRegistryReader({ fetch: registry.fetch }),
      workDir,
    });
    await expect(source.fetch(locate(registry))).rejects.toMatchObject({
      message: expect.stringMatching(
        /^layer sha256:[0-9a-f]{64} of oci:\/\/127\.0\.0\.1:5000\/manifests\/dashboards@sha256:[0-9a-f]{64} could not be unpacked: the archive holds a member with an invalid name "\.\.\/\.\.\/etc\/cron\.d\/evil"$/,
      ),
    });
    expect(readdirSync(workDir)).toEqual([]);
  });
});

describe("an artifact's kustomizations", () => {
  it("fail when they name a file outside the artifact, which kustomize-controller refuses to read", async () => {
    const registry = fakeRegistry();
    registry.push("manifests/dashboards", "latest", {
      "app/kustomization.yaml": [
        "resources: [cm.yaml, ../shared]",
        "configMapGenerator:",
        "  - name: leak",
        "    files: [hostname=../../../etc/hostname]",
        "patches:",
        "  - path: /etc/patch.yaml",
      ].join("\n"),
      "app/cm.yaml": "kind: ConfigMap\n",
      "shared/kustomization.yaml": "resources: []\n",
    });
    await expect(artifacts(registry).fetch(locate(registry))).rejects.toMatchObject({
      message: expect.stringMatching(
        /^app\/kustomization\.yaml names "\/etc\/patch\.yaml", app\/kustomization\.yaml names "\.\.\/\.\.\/\.\.\/etc\/hostname", outside the artifact oci:\/\/127\.0\.0\.1:5000\/manifests\/dashboards@sha256:[0-9a-f]{64}: kustomize-controller reads no file outside its source, and drkit does not either$/,
      ),
      fix: "keep every file the artifact's kustomizations name inside the artifact, and push it again",
    });
  });

  it.each([
    [
      {
        resources: [
          "a.yaml",
          "../b",
          "https://example.com/x.yaml",
          "github.com/acme/repo//dir?ref=v1",
        ],
      },
      ["a.yaml", "../b", "github.com/acme/repo//dir?ref=v1"],
    ],
    [
      { patches: [{ path: "p.yaml" }, { patch: "- op: replace\n  path: /spec/replicas\n" }] },
      ["p.yaml"],
    ],
    [
      {
        secretGenerator: [
          { name: "s", files: ["k=f.txt", "g.txt"], envs: ["e.env"], env: "old.env" },
        ],
      },
      ["f.txt", "g.txt", "e.env", "old.env"],
    ],
    [{ patchesStrategicMerge: ["sm.yaml", "apiVersion: v1\nkind: ConfigMap\n"] }, ["sm.yaml"]],
    [
      {
        openapi: { path: "schema.json" },
        helmCharts: [{ valuesFile: "v.yaml" }],
        helmGlobals: { chartHome: "charts" },
      },
      ["schema.json", "v.yaml", "charts"],
    ],
  ])("name the local paths of %j", async (doc, want) => {
    const { fileReferences } = await import("../../../src/dr/verify/flux/artifact-confinement.ts");
    expect(fileReferences(doc)).toEqual(want);
  });
});
