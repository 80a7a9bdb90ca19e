import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";

import type { Exec } from "../../../src/core/exec.ts";
import { formatRef } from "../../../src/kube/index.ts";
import { argocdRenderer } from "../../../src/dr/verify/argocd/renderer.ts";
import { renderDesiredState, type DesiredState } from "../../../src/dr/verify/render.ts";
import { desiredStateRenderer } from "../../../src/dr/verify/renderer.ts";
import { fluxRenderer } from "../../../src/dr/verify/flux/renderer.ts";
import {
  application,
  commit,
  configMap,
  fleetUrl,
  noKubectl,
  widget,
  widgetCrd,
  writeFleet,
} from "./argocd-fleet.ts";

const render = (repoDir: string, exec: Exec = noKubectl, path = "clusters/r1") =>
  renderDesiredState({
    repoDir,
    path,
    kubectl: "/tools/kubectl",
    reconciler: "argocd",
    url: fleetUrl,
    commit,
    exec,
  });

const summary = (state: DesiredState) =>
  state.objects.map((d) => `${d.owner} ${formatRef(d.object)} ${d.file ?? "-"}`);

const apps = (state: DesiredState) =>
  (state.applications ?? []).map((a) => [
    `${a.spec.namespace}/${a.spec.name}`,
    a.parent ?? null,
    a.file ?? null,
    a.objects,
    a.notRendered ?? null,
  ]);

describe("desiredStateRenderer", () => {
  it("picks the renderer of each reconciler", () => {
    expect(desiredStateRenderer("flux")).toBe(fluxRenderer);
    expect(desiredStateRenderer("argocd")).toBe(argocdRenderer);
  });

  it("fails for a reconciler it does not know", () => {
    expect(() => desiredStateRenderer("rancher" as never)).toThrow("unknown reconciler rancher");
  });
});

describe("renderDesiredState for Argo CD", () => {
  it("renders the root's path, then each child Application from the fleet at the same checkout", async () => {
    const repoDir = writeFleet({
      "clusters/r1/infrastructure.yaml": [application("infrastructure", { wave: -1 })],
      "clusters/r1/apps.yaml": [
        application("apps", { path: "./apps/r1/", destinationNamespace: "shop" }),
      ],
      "clusters/r1/README.md": "not a manifest",
      "infrastructure/crd.yaml": [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } },
        widgetCrd,
      ],
      "apps/r1/web.yaml": [configMap("web"), configMap("pinned", "other"), widget("storefront")],
      "apps/r1/role.yaml": [
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "ClusterRole",
          metadata: { name: "reader", namespace: "shop" },
          rules: [],
        },
      ],
      // Not recursed into without `directory.recurse`.
      "apps/r1/extra/more.yaml": [configMap("nested")],
    });
    const state = await render(repoDir);
    expect(state.failures).toEqual([]);
    expect(state.warnings).toEqual([]);
    expect(state.reconciler).toBe("argocd");
    expect(state.kustomizations).toEqual([]);
    expect(summary(state)).toEqual([
      "argocd/fleet Application/argocd/apps clusters/r1/apps.yaml",
      "argocd/fleet Application/argocd/infrastructure clusters/r1/infrastructure.yaml",
      // Cluster-scoped objects lose a namespace; namespaced ones without get the destination's.
      "argocd/apps ClusterRole/reader apps/r1/role.yaml",
      "argocd/apps ConfigMap/shop/web apps/r1/web.yaml",
      "argocd/apps ConfigMap/other/pinned apps/r1/web.yaml",
      "argocd/apps Widget/shop/storefront apps/r1/web.yaml",
      "argocd/infrastructure Namespace/shop infrastructure/crd.yaml",
      "argocd/infrastructure CustomResourceDefinition/widgets.example.drkit.dev infrastructure/crd.yaml",
    ]);
    expect(apps(state)).toEqual([
      ["argocd/fleet", null, null, 2, null],
      ["argocd/apps", "argocd/fleet", "clusters/r1/apps.yaml", 4, null],
      ["argocd/infrastructure", "argocd/fleet", "clusters/r1/infrastructure.yaml", 2, null],
    ]);
    expect(state.applications?.[2]?.spec).toMatchObject({
      project: "default",
      syncWave: -1,
      automated: true,
      sources: [{ repoURL: fleetUrl, path: "infrastructure", targetRevision: "main" }],
    });
  });

  it("follows Applications that hold Applications, and leaves out hooks", async () => {
    const repoDir = writeFleet({
      "clusters/r1/platform.yaml": [
        application("platform", { path: "platform", destinationNamespace: "argocd" }),
      ],
      "platform/team.yaml": [application("team", { path: "team", destinationNamespace: "team" })],
      "team/objects.yaml": [
        configMap("settings"),
        {
          apiVersion: "batch/v1",
          kind: "Job",
          metadata: { name: "migrate", annotations: { "argocd.argoproj.io/hook": "PreSync" } },
          spec: {},
        },
      ],
      "team/list.json": JSON.stringify({
        apiVersion: "v1",
        kind: "List",
        items: [configMap("from-list")],
      }),
    });
    const state = await render(repoDir);
    expect(summary(state)).toEqual([
      "argocd/fleet Application/argocd/platform clusters/r1/platform.yaml",
      "argocd/platform Application/argocd/team platform/team.yaml",
      "argocd/team ConfigMap/team/from-list team/list.json",
      "argocd/team ConfigMap/team/settings team/objects.yaml",
    ]);
    expect(apps(state).map((a) => [a[0], a[1]])).toEqual([
      ["argocd/fleet", null],
      ["argocd/platform", "argocd/fleet"],
      ["argocd/team", "argocd/platform"],
    ]);
  });

  it("warns about Applications it does not render and names each, without failing", async () => {
    const repoDir = writeFleet({
      "clusters/r1/apps.yaml": [
        application("other-repo", { repoURL: "https://github.com/acme/other.git" }),
        application("chart", {
          source: { repoURL: "https://charts.example.com", chart: "redis", path: undefined },
        }),
        application("local-chart", { path: "charts/web" }),
        application("remote", { server: "https://10.0.0.1:6443" }),
        application("elsewhere", { namespace: "team-a" }),
        application("same-repo", { repoURL: "HTTP://127.0.0.1:8470/fleet/" }),
      ],
      "charts/web/Chart.yaml": "name: web\nversion: 1.0.0\n",
      "same-repo/cm.yaml": [configMap("kept", "shop")],
    });
    const state = await render(repoDir);
    expect(state.failures).toEqual([]);
    expect(state.warnings).toEqual([
      'Application argocd/remote (clusters/r1/apps.yaml) deploys to cluster "https://10.0.0.1:6443", not the region\'s own (https://kubernetes.default.svc); its objects are not verified',
      'Application team-a/elsewhere (clusters/r1/apps.yaml) is in namespace "team-a": Argo CD only reconciles Applications in "argocd"; its objects are not verified',
      "Application argocd/other-repo (clusters/r1/apps.yaml) reads https://github.com/acme/other.git (spec.source.repoURL), not the fleet repository; its objects are not verified",
      'Application argocd/chart (clusters/r1/apps.yaml) installs Helm chart "redis" (spec.source.chart); Helm sources are not rendered yet, its objects are not verified',
      'Application argocd/local-chart (clusters/r1/apps.yaml) renders "charts/web" with Helm; Helm sources are not rendered yet, its objects are not verified',
    ]);
    expect(summary(state).filter((s) => !s.startsWith("argocd/fleet"))).toEqual([
      "argocd/same-repo ConfigMap/shop/kept same-repo/cm.yaml",
    ]);
    const notRendered = Object.fromEntries(
      (state.applications ?? []).map((a) => [a.spec.name, a.notRendered !== undefined]),
    );
    expect(notRendered).toEqual({
      fleet: false,
      remote: true,
      elsewhere: true,
      chart: true,
      "local-chart": true,
      "other-repo": true,
      "same-repo": false,
    });
    // What an unrendered Application applied is not known: it is nobody's extra.
    expect([...argocdRenderer.owners(state)].sort()).toEqual(["argocd/fleet", "argocd/same-repo"]);
  });

  it("fails an Application whose path does not exist, naming its file, the path and the fix", async () => {
    const repoDir = writeFleet({
      "clusters/r1/apps.yaml": [application("apps", { path: "apps/overlays/r9" })],
    });
    const state = await render(repoDir);
    expect(state.failures).toEqual([
      {
        owner: "argocd/apps",
        message:
          'Application argocd/apps (clusters/r1/apps.yaml): spec.source.path "apps/overlays/r9" does not exist in the fleet repository: Argo CD cannot generate its manifests',
        fix: 'set spec.source.path of Application argocd/apps (clusters/r1/apps.yaml) to an existing folder, or add the folder "apps/overlays/r9" to the fleet repository',
      },
    ]);
    expect(argocdRenderer.owners(state)).toEqual(new Set(["argocd/fleet"]));
  });

  it("fails when the region's path itself does not exist", async () => {
    const state = await render(writeFleet({ "README.md": "empty" }), noKubectl, "clusters/r9");
    expect(state.failures).toEqual([
      {
        owner: "argocd/fleet",
        message:
          'the region\'s path "clusters/r9" (synced by Application argocd/fleet) does not exist in the fleet repository',
        fix: "add the folder \"clusters/r9\" to the fleet repository, or set the stack's drkit:fleet.path to the region's folder",
      },
    ]);
  });

  it("fails an Application whose manifests do not load, and one with two source types", async () => {
    const repoDir = writeFleet({
      "clusters/r1/apps.yaml": [
        application("broken"),
        application("both", { source: { kustomize: {}, directory: { recurse: true } } }),
      ],
      "broken/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n",
      "both/cm.yaml": [configMap("x")],
    });
    const state = await render(repoDir);
    expect(
      state.failures.map((f) => [f.owner, f.message.split(":").slice(0, 3).join(":")]),
    ).toEqual([
      [
        "argocd/broken",
        'Application argocd/broken (clusters/r1/apps.yaml): the manifests under "broken" do not load: failed to unmarshal "cm.yaml"',
      ],
      [
        "argocd/both",
        "Application argocd/both (clusters/r1/apps.yaml): spec.source defines multiple source types: Kustomize,Directory",
      ],
    ]);
  });

  it("reads multiple sources, skipping `ref`-only ones", async () => {
    const repoDir = writeFleet({
      "clusters/r1/apps.yaml": [
        application("multi", {
          destinationNamespace: "shop",
          sources: [
            { repoURL: fleetUrl, path: "one", targetRevision: "main" },
            { repoURL: fleetUrl, targetRevision: "main", ref: "values" },
            {
              repoURL: fleetUrl,
              path: "two",
              targetRevision: "main",
              directory: { recurse: true },
            },
          ],
        }),
      ],
      "one/a.yaml": [configMap("a")],
      "two/deep/b.yaml": [configMap("b")],
    });
    const state = await render(repoDir);
    expect(summary(state).slice(1)).toEqual([
      "argocd/multi ConfigMap/shop/a one/a.yaml",
      "argocd/multi ConfigMap/shop/b two/deep/b.yaml",
    ]);
  });

  it("builds kustomize sources with kubectl, the Application's kustomize options edited into the file, then put back", async () => {
    const kustomization = "resources: [web.yaml]\nimages:\n  - name: nginx\n    newTag: '1.0'\n";
    const repoDir = writeFleet({
      "clusters/r1/kustomization.yaml": "resources: [apps.yaml]\n",
      "clusters/r1/apps.yaml": [
        application("apps", {
          path: "apps/r1",
          destinationNamespace: "shop",
          source: {
            kustomize: {
              namePrefix: "r1-",
              images: ["nginx=registry.local/nginx:${ARGOCD_APP_REVISION_SHORT}"],
              commonLabels: { app: "$ARGOCD_APP_NAME" },
              namespace: "shop",
            },
          },
        }),
      ],
      "apps/r1/kustomization.yaml": kustomization,
      "apps/r1/web.yaml": [configMap("web")],
    });
    const builds: Array<{ args: readonly string[]; wrapper: unknown; edited?: unknown }> = [];
    const exec: Exec = async (command, args) => {
      expect(command).toBe("/tools/kubectl");
      const wrapperDir = args[1]!;
      const wrapper = parse(readFileSync(join(wrapperDir, "kustomization.yaml"), "utf8")) as {
        resources: string[];
      };
      const target = join(wrapperDir, wrapper.resources[0]!);
      const isApps = target.endsWith("apps/r1");
      builds.push({
        args,
        wrapper,
        ...(isApps
          ? { edited: parse(readFileSync(join(target, "kustomization.yaml"), "utf8")) }
          : {}),
      });
      const stdout = isApps
        ? "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r1-web\n  namespace: shop\n  annotations:\n    config.kubernetes.io/origin: |\n      path: ../../apps/r1/web.yaml\n"
        : readFileSync(join(repoDir, "clusters/r1/apps.yaml"), "utf8").replace(
            "metadata:\n",
            "metadata:\n  annotations:\n    config.kubernetes.io/origin: |\n      path: ../../clusters/r1/apps.yaml\n",
          );
      return { stdout, stderr: "" };
    };
    const state = await render(repoDir, exec);
    expect(state.failures).toEqual([]);
    expect(summary(state)).toEqual([
      "argocd/fleet Application/argocd/apps clusters/r1/apps.yaml",
      "argocd/apps ConfigMap/shop/r1-web apps/r1/web.yaml",
    ]);
    // kustomize's default load restrictions, as Argo CD builds; only origin annotations added.
    expect(builds.map((b) => b.args.slice(0, 1))).toEqual([["kustomize"], ["kustomize"]]);
    expect(builds.map((b) => b.args.length)).toEqual([2, 2]);
    expect(builds[1]?.wrapper).toEqual({
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: ["../../apps/r1"],
      buildMetadata: ["originAnnotations"],
    });
    expect(builds[1]?.edited).toEqual({
      resources: ["web.yaml"],
      images: [{ name: "nginx", newName: "registry.local/nginx", newTag: commit.slice(0, 7) }],
      namePrefix: "r1-",
      commonLabels: { app: "apps" },
      namespace: "shop",
    });
    expect(readFileSync(join(repoDir, "apps/r1/kustomization.yaml"), "utf8")).toBe(kustomization);
  });

  it("fails with kustomize's words when a kustomize source does not build", async () => {
    const repoDir = writeFleet({
      "clusters/r1/apps.yaml": [
        application("apps", { source: { kustomize: { commonLabels: { app: "x" } } } }),
      ],
      "apps/kustomization.yaml": "commonLabels: {app: web}\nresources: []\n",
    });
    const state = await render(repoDir, async () => {
      throw new Error("must not build");
    });
    expect(state.failures).toEqual([
      {
        owner: "argocd/apps",
        message:
          'Application argocd/apps (clusters/r1/apps.yaml): kustomize edit of "./apps/kustomization.yaml" failed: label app already in kustomization file. Use --force to override.',
        fix: 'fix the manifests under "apps" so `kustomize build` builds them with spec.source.kustomize applied',
      },
    ]);
  });

  it("renders KSOPS generators as the encrypted files they decrypt", async () => {
    const repoDir = writeFleet({
      "clusters/r1/apps.yaml": [application("apps", { destinationNamespace: "shop" })],
      "apps/kustomization.yaml": "resources: [config.yaml]\ngenerators: [secrets.yaml]\n",
      "apps/config.yaml": [configMap("config")],
      "apps/secrets.yaml": [
        {
          apiVersion: "viaduct.ai/v1",
          kind: "ksops",
          metadata: { name: "s" },
          files: ["./creds.enc.yaml"],
        },
      ],
      "apps/creds.enc.yaml":
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nsops:\n  mac: x\n",
    });
    let seen: unknown;
    const exec: Exec = async () => {
      seen = parse(readFileSync(join(repoDir, "apps/kustomization.yaml"), "utf8"));
      return { stdout: "", stderr: "" };
    };
    const state = await render(repoDir, exec);
    expect(state.failures).toEqual([]);
    expect(seen).toEqual({ resources: ["config.yaml", "./creds.enc.yaml"] });
  });
});

describe("argocdRenderer", () => {
  it("puts namespaced objects without a namespace in `default` and drops the namespace of cluster-scoped ones, as the cluster serves them", () => {
    const placed = argocdRenderer.placeNamespaces(
      [
        {
          owner: "argocd/a",
          object: {
            apiVersion: "x.dev/v1",
            kind: "Thing",
            metadata: { name: "t", namespace: "shop" },
          },
        },
        {
          owner: "argocd/a",
          object: { apiVersion: "y.dev/v1", kind: "Other", metadata: { name: "o" } },
        },
        {
          owner: "argocd/a",
          object: {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "c", namespace: "shop" },
          },
        },
      ],
      new Map([
        ["x.dev/Thing", false],
        ["y.dev/Other", true],
        ["/ConfigMap", true],
      ]),
    );
    expect(placed.map((d) => formatRef(d.object))).toEqual([
      "Thing/t",
      "Other/default/o",
      "ConfigMap/shop/c",
    ]);
  });

  it("reads a live Application's inventory from status.resources", () => {
    expect(
      argocdRenderer.inventoryOf({
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Application",
        metadata: { name: "apps", namespace: "argocd" },
        status: {
          resources: [
            { group: "apps", version: "v1", kind: "Deployment", namespace: "shop", name: "web" },
            { version: "v1", kind: "Namespace", name: "shop" },
          ],
        },
      }),
    ).toEqual([
      { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web" },
      { apiVersion: "v1", kind: "Namespace", name: "shop" },
    ]);
    expect(
      argocdRenderer.inventoryOf({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } }),
    ).toEqual([]);
  });

  it("leaves nothing of its own in the checkout but the wrappers under .drkit-render", async () => {
    const repoDir = writeFleet({
      "clusters/r1/kustomization.yaml": "resources: []\n",
    });
    await render(repoDir, async () => ({ stdout: "", stderr: "" }));
    expect(
      existsSync(join(repoDir, ".drkit-render", "argocd-argocd-fleet-0", "kustomization.yaml")),
    ).toBe(true);
  });
});
