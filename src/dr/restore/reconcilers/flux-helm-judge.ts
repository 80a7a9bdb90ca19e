/**
 * Pure judgement of Flux HelmReleases during a restore: helm-controller reconciles them on its
 * own, apart from the fleet's revision, so a HelmRelease is done when it is Ready for the spec
 * it declares (its latest generation observed, the chart version it names installed), and
 * failing when helm-controller says an install, upgrade or chart fetch went wrong.
 */
import { evaluateHealth, findCondition, type KubeObject } from "../../../kube/index.ts";
import { compareSemVer, parseChartVersion } from "../../verify/flux/semver.ts";
import { reconcilerKey } from "../dead-ends.ts";
import { awaitsRequest } from "./flux-judge.ts";
import type { JudgeOptions, ReconcilerFailure, ReconcilerVerdict } from "./types.ts";

/** Ready=False reasons of helm-controller v1.6 after which the same spec fails again. */
const failureReasons = new Set([
  "InstallFailed",
  "UpgradeFailed",
  "TestFailed",
  "RollbackFailed",
  "UninstallFailed",
  "ArtifactFailed",
  "InitFailed",
]);

interface HelmReleaseSpec {
  readonly suspend?: boolean;
  readonly chart?: {
    readonly spec?: {
      readonly chart?: string;
      readonly version?: string;
      readonly sourceRef?: {
        readonly kind?: string;
        readonly name?: string;
        readonly namespace?: string;
      };
    };
  };
  readonly chartRef?: {
    readonly kind?: string;
    readonly name?: string;
    readonly namespace?: string;
  };
}

interface HelmReleaseStatus {
  readonly history?: readonly { readonly chartName?: string; readonly chartVersion?: string }[];
  readonly lastAttemptedRevision?: string;
}

/** Judges every HelmRelease: done, pending with why, failing, or a dead end (stalled, suspended). */
export function judgeHelmReleases(
  objects: readonly KubeObject[],
  options: JudgeOptions = {},
): ReconcilerVerdict {
  const pending: { key: string; reason: string }[] = [];
  const failing: ReconcilerFailure[] = [];
  const deadEnds: ReconcilerFailure[] = [];
  for (const obj of objects) {
    const key = reconcilerKey(obj);
    const spec = (obj.spec ?? {}) as HelmReleaseSpec;
    if (spec.suspend === true) {
      deadEnds.push({
        key,
        reason: "suspended (`spec.suspend: true`): helm-controller will not install it",
      });
      continue;
    }
    const stalled = findCondition(obj, "Stalled");
    if (stalled?.status === "True") {
      deadEnds.push({
        key,
        reason: `stalled: ${describe(stalled.reason, stalled.message)}${chartOf(obj)}`,
      });
      continue;
    }
    const ready = findCondition(obj, "Ready");
    if (ready?.status === "False" && failureReasons.has(ready.reason ?? "")) {
      failing.push({
        key,
        reason: `not Ready: ${describe(ready.reason, ready.message)}${chartOf(obj)}`,
      });
      continue;
    }
    const health = evaluateHealth(obj, {});
    if (!health.healthy) {
      (health.failed ? failing : pending).push({ key, reason: health.reason });
      continue;
    }
    if (awaitsRequest(obj, options.requestedAt)) {
      pending.push({ key, reason: "requested reconcile not handled yet" });
      continue;
    }
    // An exact version must be the one installed; a range (`1.x`, `>=1`, `*`) is not one.
    const declared = parseChartVersion(spec.chart?.spec?.version?.trim() ?? "");
    const installed = ((obj.status ?? {}) as HelmReleaseStatus).history?.[0]?.chartVersion;
    const installedVersion = installed === undefined ? undefined : parseChartVersion(installed);
    if (
      declared !== undefined &&
      installedVersion !== undefined &&
      compareSemVer(declared, installedVersion) !== 0
    ) {
      pending.push({
        key,
        reason: `chart version ${installed} installed, ${declared.original.replace(/^v/, "")} declared`,
      });
    }
  }
  return {
    done: pending.length === 0 && failing.length === 0 && deadEnds.length === 0,
    pending,
    failing,
    deadEnds,
  };
}

/** `; chart "web" 1.2.3 from HelmRepository flux-system/charts`, naming where helm-controller looks. */
export function chartOf(obj: KubeObject): string {
  const spec = (obj.spec ?? {}) as HelmReleaseSpec;
  const ns = obj.metadata.namespace ?? "";
  const template = spec.chart?.spec;
  if (template?.chart !== undefined) {
    const source = template.sourceRef;
    const from = source?.kind
      ? ` from ${source.kind} ${source.namespace ?? ns}/${source.name ?? ""}`
      : "";
    const version = template.version ? ` version "${template.version}"` : "";
    return `; chart "${template.chart}"${version}${from}`;
  }
  const ref = spec.chartRef;
  return ref?.kind ? `; chart from ${ref.kind} ${ref.namespace ?? ns}/${ref.name ?? ""}` : "";
}

function describe(reason: string | undefined, message: string | undefined): string {
  return `${reason ?? "no reason"}${message ? `: ${message.trim()}` : ""}`;
}
