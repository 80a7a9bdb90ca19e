/**
 * Rendering HelmReleases with a fake helm, kubectl and HTTP: which commands run with which
 * arguments and values, and what becomes of their output.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";

import { describe, expect, it } from "vitest";

import { ProcessError, type Exec } from "../../../src/core/exec.ts";
import { redact } from "../../../src/core/redact.ts";
import { renderHelmReleases } from "../../../src/dr/verify/flux/helm-releases.ts";
import type { DesiredObject } from "../../../src/dr/verify/render.ts";
import type { KubeObject } from "../../../src/kube/types.ts";

const fleetSource = { kind: "GitRepository", name: "fleet", namespace: "flux-system" };
const tools = { binary: "/tools/helm", kubeVersion: "v1.36.3" };

const inApps = (object: KubeObject, file: string): DesiredObject => ({
  object,
  owner: "flux-system/apps",
  file,
});

const helmRepository = (url: string, more: Record<string, unknown> = {}) =>
  inApps(
    {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "HelmRepository",
      metadata: { name: "charts", namespace: "flux-system" },
      spec: { url, ...more },
    },
    "apps/charts.yaml",
  );

const helmRelease = (spec: Record<string, unknown>, name = "podinfo") =>
  inApps(
    {
      apiVersion: "helm.toolkit.fluxcd.io/v2",
      kind: "HelmRelease",
      metadata: { name, namespace: "apps" },
      spec: {
        chart: {
          spec: {
            chart: "podinfo",
            version: "1.x",
            sourceRef: { kind: "HelmRepository", name: "charts", namespace: "flux-system" },
          },
        },
        ...spec,
      },
    },
    `apps/${name}.yaml`,
  );

const configMap = (name: string, data: Record<string, string>) =>
  inApps(
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "apps" }, data },
    `apps/${name}.yaml`,
  );

const index = stringify({
  apiVersion: "v1",
  entries: {
    podinfo: ["1.0.0", "1.4.0", "2.0.0"].map((version) => ({
      version,
      urls: [`podinfo-${version}.tgz`],
    })),
  },
});

const rendered = [
  "---",
  "# Source: podinfo/crds/widgets.yaml",
  "apiVersion: apiextensions.k8s.io/v1",
  "kind: CustomResourceDefinition",
  "metadata:",
  "  name: widgets.example.com",
  "spec:",
  "  group: example.com",
  "  names: {kind: Widget}",
  "---",
  "# Source: podinfo/templates/configmap.yaml",
  "apiVersion: v1",
  "kind: ConfigMap",
  "metadata:",
  "  name: podinfo",
  "data:",
  "  greeting: hello",
  "---",
  "# Source: podinfo/templates/deployment.yaml",
  "apiVersion: apps/v1",
  "kind: Deployment",
  "metadata:",
  "  name: podinfo",
  "spec:",
  "  replicas: 2",
  "",
].join("\n");

interface Call {
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** The values file `helm template` was given, as it read it. */
  readonly values?: unknown;
  /** The chart's Chart.yaml `helm template` read. */
  readonly chart?: unknown;
}

/** A fake helm: `pull` writes a chart, `template` prints `output` (or fails with `templateError`). */
function fakeHelm(
  options: { output?: string; templateError?: string; pullError?: string; digest?: string } = {},
) {
  const calls: Call[] = [];
  const exec: Exec = async (command, args, execOptions) => {
    if (command === "/tools/kubectl") {
      calls.push({ args: ["kubectl", ...args] });
      const build = args.at(-1)!;
      const input = readFileSync(join(build, "helm-output.yaml"), "utf8");
      return { stdout: input.replace("replicas: 2", "replicas: 5"), stderr: "" };
    }
    const valuesAt = args.indexOf("--values");
    calls.push({
      args,
      ...(execOptions?.env ? { env: execOptions.env } : {}),
      ...(valuesAt >= 0 ? { values: parse(readFileSync(args[valuesAt + 1]!, "utf8")) } : {}),
      ...(args[0] === "template"
        ? { chart: parse(readFileSync(join(args[2]!, "Chart.yaml"), "utf8")) }
        : {}),
    });
    if (args[0] === "pull") {
      if (options.pullError) {
        throw new ProcessError({
          command,
          args,
          exitCode: 1,
          stderr: `Error: ${options.pullError}\n`,
        });
      }
      const untar = args[args.indexOf("--untardir") + 1]!;
      const version = args[args.indexOf("--version") + 1] ?? "1.0.0";
      mkdirSync(join(untar, "podinfo"), { recursive: true });
      writeFileSync(
        join(untar, "podinfo", "Chart.yaml"),
        `apiVersion: v2\nname: podinfo\nversion: ${version}\n`,
      );
      return {
        stdout: `Pulled: x\nDigest: ${options.digest ?? "sha256:0123456789abcdef0123"}\n`,
        stderr: "",
      };
    }
    if (options.templateError) {
      throw new ProcessError({
        command,
        args,
        exitCode: 1,
        stderr: `Error: ${options.templateError}\n`,
      });
    }
    return { stdout: options.output ?? rendered, stderr: "" };
  };
  return { exec, calls };
}

const fetchIndex: typeof fetch = async (url) => {
  expect(String(url)).toBe("http://charts.local/index.yaml");
  return new Response(index);
};

function checkout(): string {
  return mkdtempSync(join(tmpdir(), "drkit-helm-render-"));
}

describe("renderHelmReleases with a fake helm", () => {
  it("resolves the range, pulls that version and renders it as helm-controller installs it", async () => {
    const helm = fakeHelm();
    const result = await renderHelmReleases(
      [
        helmRepository("http://charts.local"),
        configMap("podinfo-values", { "values.yaml": "replicaCount: 3\ncolor: blue\n" }),
        helmRelease({
          targetNamespace: "web",
          valuesFrom: [{ kind: "ConfigMap", name: "podinfo-values" }],
          values: { color: "green" },
        }),
        inApps(
          {
            apiVersion: "apiextensions.k8s.io/v1",
            kind: "CustomResourceDefinition",
            metadata: { name: "gadgets.example.com" },
            spec: {
              group: "example.com",
              names: { kind: "Gadget" },
              versions: [{ name: "v1", served: true }],
            },
          },
          "apps/crd.yaml",
        ),
      ],
      {
        repoDir: checkout(),
        commit: "c0ffee",
        kubectl: "/tools/kubectl",
        fleetSource,
        helm: tools,
        exec: helm.exec,
        fetch: fetchIndex,
      },
    );
    const [pull, template] = helm.calls;
    expect(pull?.args.slice(0, 5)).toEqual([
      "pull",
      "podinfo",
      "--repo",
      "http://charts.local",
      "--version",
    ]);
    expect(pull?.args[5]).toBe("1.4.0");
    expect(template?.args.slice(0, 2)).toEqual(["template", "web-podinfo"]);
    expect(template?.args).toEqual(
      expect.arrayContaining(["--namespace", "web", "--include-crds", "--kube-version", "v1.36.3"]),
    );
    expect(template?.args.join(" ")).toContain(
      "--api-versions example.com/v1 --api-versions example.com/v1/Gadget",
    );
    // Hooks are rendered (the warm-up must know a chart has them) and kept out of the release.
    expect(template?.args).not.toContain("--no-hooks");
    expect(template?.values).toEqual({ replicaCount: 3, color: "green" });
    // helm runs with a home of its own, never the user's config.
    expect(template?.env?.HOME).not.toBe(homedir());
    expect(template?.env?.XDG_CONFIG_HOME).toMatch(/drkit-helm-/);
    expect(result.warnings).toEqual([]);
    expect(result.releases).toMatchObject([
      {
        spec: { key: "apps/podinfo", releaseName: "web-podinfo" },
        parent: "flux-system/apps",
        file: "apps/podinfo.yaml",
        version: "1.4.0",
        objects: 3,
        chart:
          'chart "podinfo" version "1.x" from HelmRepository flux-system/charts (http://charts.local)',
      },
    ]);
    expect(
      result.objects.map((d) => [d.object.kind, d.owner, d.ownerKind, d.defaultNamespace, d.file]),
    ).toEqual([
      ["CustomResourceDefinition", "apps/podinfo", "HelmRelease", "web", "apps/podinfo.yaml"],
      ["ConfigMap", "apps/podinfo", "HelmRelease", "web", "apps/podinfo.yaml"],
      ["Deployment", "apps/podinfo", "HelmRelease", "web", "apps/podinfo.yaml"],
    ]);
    expect(result.objects[1]?.object.metadata.labels).toEqual({
      "helm.toolkit.fluxcd.io/name": "podinfo",
      "helm.toolkit.fluxcd.io/namespace": "apps",
      "app.kubernetes.io/managed-by": "Helm",
    });
  });

  it("names the chart's hooks on the release and keeps them out of its objects", async () => {
    const hook = [
      "---",
      "# Source: podinfo/templates/migrate.yaml",
      "apiVersion: batch/v1",
      "kind: Job",
      "metadata:",
      "  name: migrate",
      "  namespace: web",
      "  annotations:",
      '    helm.sh/hook: "pre-install,pre-upgrade"',
      "",
    ].join("\n");
    const helm = fakeHelm({ output: rendered + hook });
    const result = await renderHelmReleases(
      [helmRepository("http://charts.local"), helmRelease({})],
      {
        repoDir: checkout(),
        commit: "",
        kubectl: "/tools/kubectl",
        fleetSource,
        helm: tools,
        exec: helm.exec,
        fetch: fetchIndex,
      },
    );
    expect(result.releases[0]?.hooks).toEqual(["Job/web/migrate"]);
    expect(result.releases[0]?.objects).toBe(3);
    expect(result.objects.map((d) => d.object.kind)).not.toContain("Job");
  });

  it("leaves out the chart's CRDs with spec.install.crds Skip, and runs kustomize post-renderers", async () => {
    const helm = fakeHelm();
    const result = await renderHelmReleases(
      [
        helmRepository("http://charts.local"),
        helmRelease({
          install: { crds: "Skip" },
          postRenderers: [
            { kustomize: { patches: [{ target: { kind: "Deployment" }, patch: "[]" }] } },
          ],
        }),
      ],
      {
        repoDir: checkout(),
        commit: "",
        kubectl: "/tools/kubectl",
        fleetSource,
        helm: tools,
        exec: helm.exec,
        fetch: fetchIndex,
      },
    );
    expect(helm.calls.map((c) => c.args[0])).toEqual(["pull", "template", "kubectl"]);
    expect(result.objects.map((d) => d.object.kind)).toEqual(["ConfigMap", "Deployment"]);
    expect(result.objects[1]?.object.spec).toEqual({ replicas: 5 });
  });

  it("pulls an OCIRepository's tag with plain HTTP and stamps the chart version with the digest", async () => {
    const helm = fakeHelm({ digest: "sha256:abcdef0123456789ffff" });
    const repoDir = checkout();
    const result = await renderHelmReleases(
      [
        inApps(
          {
            apiVersion: "source.toolkit.fluxcd.io/v1",
            kind: "OCIRepository",
            metadata: { name: "podinfo", namespace: "apps" },
            spec: {
              url: "oci://127.0.0.1:5000/charts/podinfo",
              ref: { tag: "1.4.0" },
              insecure: true,
            },
          },
          "apps/oci.yaml",
        ),
        helmRelease({ chart: undefined, chartRef: { kind: "OCIRepository", name: "podinfo" } }),
      ],
      { repoDir, commit: "", kubectl: "/tools/kubectl", fleetSource, helm: tools, exec: helm.exec },
    );
    expect(helm.calls[0]?.args.slice(0, 5)).toEqual([
      "pull",
      "oci://127.0.0.1:5000/charts/podinfo",
      "--version",
      "1.4.0",
      "--plain-http",
    ]);
    expect(result.releases[0]).toMatchObject({ version: "1.4.0+abcdef012345" });
    expect(helm.calls[1]?.chart).toMatchObject({ version: "1.4.0+abcdef012345" });
  });

  it("fetches each source, chart and version once per render", async () => {
    const helm = fakeHelm();
    await renderHelmReleases(
      [helmRepository("http://charts.local"), helmRelease({}, "one"), helmRelease({}, "two")],
      {
        repoDir: checkout(),
        commit: "",
        kubectl: "/tools/kubectl",
        fleetSource,
        helm: tools,
        exec: helm.exec,
        fetch: fetchIndex,
      },
    );
    expect(helm.calls.map((c) => c.args[0]).sort()).toEqual(["pull", "template", "template"]);
  });

  it("fails a version the repository does not have, naming what it has", async () => {
    const helm = fakeHelm();
    const result = await renderHelmReleases(
      [
        helmRepository("http://charts.local"),
        helmRelease({
          chart: {
            spec: {
              chart: "podinfo",
              version: "9.x",
              sourceRef: { kind: "HelmRepository", name: "charts", namespace: "flux-system" },
            },
          },
        }),
      ],
      {
        repoDir: checkout(),
        commit: "",
        kubectl: "/tools/kubectl",
        fleetSource,
        helm: tools,
        exec: helm.exec,
        fetch: fetchIndex,
      },
    );
    expect(helm.calls).toEqual([]);
    expect(result.releases[0]?.failure).toEqual({
      message:
        'HelmRelease apps/podinfo (apps/podinfo.yaml) installs chart "podinfo" version "9.x" from HelmRepository flux-system/charts (http://charts.local): no "podinfo" chart with version matching "9.x" found in http://charts.local (it has 1.0.0, 1.4.0, 2.0.0)',
      fix: 'set spec.chart.spec.version to a version http://charts.local holds, or publish "podinfo" 9.x there',
    });
    expect(result.objects).toEqual([]);
  });

  it("fails a valuesFrom ConfigMap the fleet does not render", async () => {
    const result = await renderHelmReleases(
      [
        helmRepository("http://charts.local"),
        helmRelease({ valuesFrom: [{ kind: "ConfigMap", name: "missing" }] }),
      ],
      {
        repoDir: checkout(),
        commit: "",
        kubectl: "/tools/kubectl",
        fleetSource,
        helm: tools,
        exec: fakeHelm().exec,
        fetch: fetchIndex,
      },
    );
    expect(result.releases[0]?.failure).toEqual({
      message:
        "HelmRelease apps/podinfo (apps/podinfo.yaml): could not resolve ConfigMap chart values reference 'apps/missing' with key 'values.yaml': resource not found",
      fix: "render ConfigMap apps/missing in the region's fleet (in namespace apps), or mark its spec.valuesFrom entry `optional: true` in HelmRelease apps/podinfo (apps/podinfo.yaml)",
    });
  });

  it("fails a chart that does not render, with helm's words", async () => {
    const result = await renderHelmReleases(
      [helmRepository("http://charts.local"), helmRelease({})],
      {
        repoDir: checkout(),
        commit: "",
        kubectl: "/tools/kubectl",
        fleetSource,
        helm: tools,
        exec: fakeHelm({
          templateError:
            'template: podinfo/templates/cm.yaml:4:11: executing "x" at <.Values.nope.x>: nil pointer evaluating interface {}.x',
        }).exec,
        fetch: fetchIndex,
      },
    );
    expect(result.releases[0]?.failure?.message).toMatch(
      /^HelmRelease apps\/podinfo \(apps\/podinfo\.yaml\): helm template of chart "podinfo" version "1\.x" from HelmRepository flux-system\/charts \(http:\/\/charts\.local\) failed: template: podinfo\/templates\/cm\.yaml:4:11: executing "x" at <\.Values\.nope\.x>: nil pointer/,
    );
    expect(result.releases[0]?.failure?.fix).toBe(
      "fix the values of HelmRelease apps/podinfo (apps/podinfo.yaml) so the chart renders, or pin spec.chart.spec.version to a version that renders with them",
    );
  });

  it("does not render values from an encrypted Secret without a key, and decrypts them with one (redacted)", async () => {
    const secret = inApps(
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "podinfo-secret", namespace: "apps" },
        data: { "values.yaml": "ENC[...]" },
        sops: { mac: "ENC[...]" },
      },
      "apps/podinfo-secret.enc.yaml",
    );
    const objects = [
      helmRepository("http://charts.local"),
      secret,
      helmRelease({ valuesFrom: [{ kind: "Secret", name: "podinfo-secret" }] }),
    ];
    const options = {
      repoDir: checkout(),
      commit: "",
      kubectl: "/tools/kubectl",
      fleetSource,
      helm: tools,
      fetch: fetchIndex,
    };
    const without = await renderHelmReleases(objects, { ...options, exec: fakeHelm().exec });
    expect(without.warnings).toEqual([
      "HelmRelease apps/podinfo (apps/podinfo.yaml) is not rendered: could not resolve Secret chart values reference 'apps/podinfo-secret' with key 'values.yaml': Secret apps/podinfo-secret (apps/podinfo-secret.enc.yaml) is SOPS-encrypted in Git and no decryption key was given",
    ]);
    expect(without.releases[0]?.failure).toBeUndefined();

    const helm = fakeHelm();
    const decrypted: string[] = [];
    const plain = stringify({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "podinfo-secret" },
      stringData: { "values.yaml": "password: hunter2-very-secret\n" },
    });
    const withKey = await renderHelmReleases(objects, {
      ...options,
      exec: helm.exec,
      decrypt: async (file) => {
        decrypted.push(file);
        return plain;
      },
    });
    expect(decrypted).toEqual([join(options.repoDir, "apps/podinfo-secret.enc.yaml")]);
    expect(helm.calls.find((c) => c.args[0] === "template")?.values).toEqual({
      password: "hunter2-very-secret",
    });
    expect(withKey.warnings).toEqual([]);
    expect(redact("the value was hunter2-very-secret")).toBe("the value was ***");
  });

  it("renders a chart of the fleet's repository in place, its objects filed under the chart's templates", async () => {
    const repoDir = checkout();
    mkdirSync(join(repoDir, "charts", "podinfo"), { recursive: true });
    writeFileSync(
      join(repoDir, "charts", "podinfo", "Chart.yaml"),
      "apiVersion: v2\nname: podinfo\nversion: 0.3.0\n",
    );
    const helm = fakeHelm();
    const result = await renderHelmReleases(
      [
        helmRelease({
          chart: {
            spec: {
              chart: "./charts/podinfo",
              sourceRef: { kind: "GitRepository", name: "fleet", namespace: "flux-system" },
              reconcileStrategy: "Revision",
            },
          },
        }),
      ],
      {
        repoDir,
        commit: "0123456789abcdef0123",
        kubectl: "/tools/kubectl",
        fleetSource,
        helm: tools,
        exec: helm.exec,
      },
    );
    expect(helm.calls.map((c) => c.args[0])).toEqual(["template"]);
    expect(result.releases[0]?.version).toBe("0.3.0+0123456789ab");
    expect(result.objects.map((d) => d.file)).toEqual([
      "charts/podinfo/crds/widgets.yaml",
      "charts/podinfo/templates/configmap.yaml",
      "charts/podinfo/templates/deployment.yaml",
    ]);
  });

  it("warns, and renders nothing, without helm", async () => {
    const result = await renderHelmReleases([helmRelease({})], {
      repoDir: checkout(),
      commit: "",
      kubectl: "/tools/kubectl",
      fleetSource,
    });
    expect(result.warnings).toEqual([
      "1 HelmRelease(s) not rendered (apps/podinfo): no helm was given, so the objects of their charts are not verified",
    ]);
    expect(result.releases[0]?.notRendered).toBe("no helm was given to render charts");
  });

  it("keeps the Kustomization's object when a chart renders the same one", async () => {
    const result = await renderHelmReleases(
      [helmRepository("http://charts.local"), configMap("podinfo", {}), helmRelease({})],
      {
        repoDir: checkout(),
        commit: "",
        kubectl: "/tools/kubectl",
        fleetSource,
        helm: tools,
        exec: fakeHelm().exec,
        fetch: fetchIndex,
      },
    );
    expect(result.warnings).toEqual([
      "ConfigMap/apps/podinfo is rendered by Kustomization flux-system/apps and by HelmRelease apps/podinfo; flux-system/apps wins",
    ]);
  });
});
