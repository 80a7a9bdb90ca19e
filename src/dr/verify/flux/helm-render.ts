/**
 * Renders one HelmRelease the way helm-controller installs it: its values composed from the
 * fleet's ConfigMaps and Secrets, its chart fetched (`helm-chart-source.ts`), `helm template`
 * run with the real helm, the kustomize post-renderers run with the real kubectl, and the
 * labels and annotations helm-controller and Helm add (`helm-manifests.ts`).
 *
 * Never throws for a broken release: a failure names the release, its file, the chart and the
 * fix; what drkit cannot reproduce is "not rendered", with the reason.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { join, posix } from "node:path";
import { stringify } from "yaml";

import type { Exec } from "../../../core/exec.ts";
import { formatRef, type KubeObject } from "../../../kube/index.ts";
import { kustomizeErrorDetail, readBuildOutput } from "../kustomize.ts";
import { crdScopes, isNamespaced } from "../../preflight/scope.ts";
import type { DesiredObject } from "../render.ts";
import { planChart, type ChartLocation, type ChartPlanContext } from "./helm-chart-plan.ts";
import { ChartError, helmErrorDetail, type ChartSource } from "./helm-chart-source.ts";
import { labelCrds, labelTemplates, readHelmOutput, type ChartObject } from "./helm-manifests.ts";
import {
  helmReleaseOwnerKind,
  helmReleaseRef,
  type HelmReleaseSpec,
  type HelmTools,
  type RenderedHelmRelease,
} from "./helm-release.ts";
import { mergeHelmValues, ValuesError } from "./helm-values.ts";
import { readValuesSources, type FleetDecryptor } from "./helm-values-sources.ts";

export interface HelmRenderContext extends ChartPlanContext {
  readonly tools: HelmTools;
  readonly kubectl: string;
  readonly exec: Exec;
  readonly charts: ChartSource;
  readonly repoDir: string;
  /** Scratch dir of this render (values files, post-render builds). */
  readonly workDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** `--api-versions`: the CRDs the fleet installs. */
  readonly apiVersions: readonly string[];
  /** The CRDs the fleet renders, for which kinds are namespaced. */
  readonly crds: readonly KubeObject[];
  readonly decrypt?: FleetDecryptor;
}

/** Renders `release` (declared by `declared`) into desired objects owned by it. */
export async function renderHelmRelease(
  release: HelmReleaseSpec,
  declared: DesiredObject,
  ctx: HelmRenderContext,
): Promise<{ result: RenderedHelmRelease; objects: DesiredObject[] }> {
  const base = {
    spec: release,
    ...(declared.file ? { file: declared.file } : {}),
    parent: declared.owner,
  };
  const it = helmReleaseRef({
    key: release.key,
    ...(declared.file ? { file: declared.file } : {}),
  });
  const none = (more: Partial<RenderedHelmRelease>) => ({
    result: { ...base, objects: 0, ...more },
    objects: [],
  });
  if (release.remote) {
    return none({
      notRendered: `${it} installs into another cluster (spec.kubeConfig); its objects are not verified`,
    });
  }
  if (release.invalidCrdPolicy !== undefined) {
    return none({
      failure: {
        message: `${it} has spec.install.crds "${release.invalidCrdPolicy}", which helm-controller refuses`,
        fix: `set spec.install.crds of ${it} to Skip, Create or CreateReplace`,
      },
    });
  }
  const plan = planChart(release, declared.file, ctx);
  if ("notVerified" in plan) return none({ notRendered: plan.notVerified });
  const chartNamed = { chart: plan.describe };

  const sources = await readValuesSources(release, ctx.objects, {
    repoDir: ctx.repoDir,
    ...(ctx.decrypt ? { decrypt: ctx.decrypt } : {}),
  });
  let values: Record<string, unknown>;
  try {
    values = mergeHelmValues(
      release.values,
      release.valuesFrom,
      release.namespace,
      (kind, name) => sources.get(`${kind}/${name}`) ?? { found: false },
    );
  } catch (err) {
    if (!(err instanceof ValuesError)) throw err;
    if (err.reason === "unavailable") {
      return none({ ...chartNamed, notRendered: `${it} is not rendered: ${err.message}` });
    }
    return none({ ...chartNamed, failure: valuesFailure(it, release, err) });
  }

  let chart;
  try {
    chart = await ctx.charts.fetch(plan.location);
  } catch (err) {
    const fix =
      err instanceof ChartError
        ? err.fix
        : `check that ${plan.describe} can be fetched with \`helm pull\``;
    return none({
      ...chartNamed,
      failure: {
        message: `${it} installs ${plan.describe}: ${err instanceof Error ? err.message : String(err)}`,
        fix,
      },
    });
  }

  const dir = await mkdtemp(join(ctx.workDir, "release-"));
  const valuesFile = join(dir, "values.yaml");
  await writeFile(valuesFile, stringify(values), { mode: 0o600 });
  let output: string;
  try {
    output = (
      await ctx.exec(
        ctx.tools.binary,
        [
          "template",
          release.releaseName,
          chart.dir,
          "--namespace",
          release.releaseNamespace,
          "--values",
          valuesFile,
          "--include-crds",
          "--kube-version",
          ctx.tools.kubeVersion,
          ...ctx.apiVersions.flatMap((v) => ["--api-versions", v]),
          ...(release.skipSchemaValidation ? ["--skip-schema-validation"] : []),
        ],
        { env: ctx.env, step: "helm template", timeoutMs: 300_000 },
      )
    ).stdout;
  } catch (err) {
    return none({
      ...chartNamed,
      version: chart.version,
      failure: {
        message: `${it}: helm template of ${plan.describe} failed: ${helmErrorDetail(err, chart.dir, ctx.repoDir, ctx.workDir)}`,
        fix: templateFix(it, plan.location),
      },
    });
  }
  const manifests = readHelmOutput(output);
  let templates: readonly ChartObject[] = manifests.templates;
  if (release.postRenderers.length > 0) {
    try {
      templates = await postRender(templates, release, dir, ctx);
    } catch (err) {
      return none({
        ...chartNamed,
        version: chart.version,
        failure: {
          message: `${it}: its spec.postRenderers do not build: ${kustomizeErrorDetail(err, dir)}`,
          fix: `fix the kustomize patches in spec.postRenderers of ${it}`,
        },
      });
    }
  }
  const objects: DesiredObject[] = [];
  const scopes = crdScopes([...ctx.crds, ...manifests.crds.map((c) => c.object)]);
  const owned = (object: KubeObject, source: string | undefined): DesiredObject => {
    const file = fileOf(plan.location, source) ?? declared.file;
    // Helm puts namespaced objects that name no namespace in the release's.
    const placed =
      !object.metadata.namespace && isNamespaced(object, scopes) === true
        ? { ...object, metadata: { ...object.metadata, namespace: release.releaseNamespace } }
        : object;
    return {
      object: placed,
      owner: release.key,
      ownerKind: helmReleaseOwnerKind,
      defaultNamespace: release.releaseNamespace,
      ...(file ? { file } : {}),
    };
  };
  if (release.installCrds !== "Skip") {
    const crds = labelCrds(
      manifests.crds.map((c) => c.object),
      release,
    );
    crds.forEach((o, i) => objects.push(owned(o, manifests.crds[i]?.source)));
  }
  const labelled = labelTemplates(
    templates.map((t) => t.object),
    release,
  );
  labelled.forEach((o, i) => objects.push(owned(o, templates[i]?.source)));
  const hooks = manifests.hooks.map((h) => formatRef(h.object));
  return {
    result: {
      ...base,
      ...chartNamed,
      version: chart.version,
      objects: objects.length,
      ...(hooks.length > 0 ? { hooks } : {}),
    },
    objects,
  };
}

function valuesFailure(
  it: string,
  release: HelmReleaseSpec,
  err: ValuesError,
): { message: string; fix: string } {
  const ref = err.reference;
  const name = `${ref.kind} ${release.namespace}/${ref.name}`;
  const message = `${it}: ${err.message}`;
  switch (err.reason) {
    case "not-found":
      return {
        message,
        fix: `render ${name} in the region's fleet (in namespace ${release.namespace}), or mark its spec.valuesFrom entry \`optional: true\` in ${it}`,
      };
    case "key-not-found":
      return {
        message,
        fix: `add the key "${ref.valuesKey ?? "values.yaml"}" to ${name}, or set valuesKey of its spec.valuesFrom entry in ${it} to a key it has`,
      };
    default:
      return {
        message,
        fix: `correct the spec.valuesFrom entry for ${name} in ${it}, or the data it reads`,
      };
  }
}

function templateFix(it: string, location: ChartLocation): string {
  return location.type === "fleet"
    ? `fix the chart's templates in "./${location.path}" or the values of ${it} so \`helm template\` renders them`
    : `fix the values of ${it} so the chart renders, or pin spec.chart.spec.version to a version that renders with them`;
}

/** The file in the fleet a chart object comes from: a template of a chart in the repository. */
function fileOf(location: ChartLocation, source: string | undefined): string | undefined {
  if (location.type !== "fleet" || !source) return undefined;
  const inChart = source.split("/").slice(1).join("/");
  return posix.join(location.path, inChart);
}

/** helm-controller's kustomize post-renderers, in order, with the real kubectl. */
async function postRender(
  templates: readonly ChartObject[],
  release: HelmReleaseSpec,
  dir: string,
  ctx: HelmRenderContext,
): Promise<ChartObject[]> {
  const sources = new Map(templates.map((t) => [formatRef(t.object), t.source]));
  let objects = templates.map((t) => t.object);
  for (const [i, renderer] of release.postRenderers.entries()) {
    const build = await mkdtemp(join(dir, `post-render-${i}-`));
    await writeFile(
      join(build, "helm-output.yaml"),
      objects.map((o) => `---\n${stringify(o)}`).join(""),
    );
    const kustomization: Record<string, unknown> = {
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: ["helm-output.yaml"],
    };
    if (renderer.patches.length > 0) kustomization.patches = renderer.patches;
    if (renderer.images.length > 0) kustomization.images = renderer.images;
    await writeFile(join(build, "kustomization.yaml"), stringify(kustomization));
    const output = (
      await ctx.exec(
        ctx.kubectl,
        ["kustomize", "--load-restrictor", "LoadRestrictionsNone", build],
        {
          step: "kubectl kustomize",
        },
      )
    ).stdout;
    objects = readBuildOutput(output, build, build).map((r) => r.object);
  }
  return objects.map((object) => {
    const source = sources.get(formatRef(object));
    return source ? { object, source } : { object };
  });
}
