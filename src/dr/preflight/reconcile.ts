/**
 * The `reconcile` check: will Flux reconcile each Kustomization at all?
 *
 * Not when it is suspended (a restored cluster never sees it applied at the restore's revision),
 * when its sourceRef is a kind Kustomizations cannot read, or when it reads a source that neither
 * the fleet renders nor bootstrap creates, or one that is suspended itself.
 */
import type { FluxKustomizationSpec } from "../verify/flux-kustomization.ts";
import {
  kustomizationRef,
  findingsCheck,
  findings,
  findRendered,
  reportMissing,
  type DeadEndCheck,
  type Fleet,
  type FleetKustomization,
  type Findings,
} from "./fleet.ts";

/** The source kinds kustomize-controller reads for a Kustomization. */
export const kustomizationSourceKinds = ["GitRepository", "OCIRepository", "Bucket"] as const;

const sourceGroup = "source.toolkit.fluxcd.io";

/** Suspended Kustomizations and sources nothing provides. */
export function assertReconcilable(fleet: Fleet): DeadEndCheck {
  const out = findings();
  const checked = fleet.kustomizations.filter((k) => k !== fleet.root);
  for (const k of checked) {
    if (k.spec.suspend) {
      out.failures.push({
        message: `${kustomizationRef(k)} has \`spec.suspend: true\`: Flux will never apply it at the restore's revision`,
        fix: `remove \`suspend: true\` from ${kustomizationRef(k)}, or take the Kustomization out of the region's path`,
      });
      out.dead.push({ key: k.key, why: "is suspended", appliesNothing: true });
    }
    checkSource(fleet, out, k);
  }
  return findingsCheck(
    "reconcile",
    `${checked.length} Kustomization(s) checked for suspension and their source`,
    out,
  );
}

function sourceName(ref: FluxKustomizationSpec["sourceRef"]): string {
  return `${ref.kind || "(no kind)"} ${ref.namespace}/${ref.name}`;
}

function isBootstrapSource(fleet: Fleet, ref: FluxKustomizationSpec["sourceRef"]): boolean {
  const root = fleet.root?.spec.sourceRef;
  return (
    root !== undefined &&
    root.kind === ref.kind &&
    root.namespace === ref.namespace &&
    root.name === ref.name
  );
}

function checkSource(fleet: Fleet, out: Findings, k: FleetKustomization): void {
  const ref = k.spec.sourceRef;
  const supported: readonly string[] = kustomizationSourceKinds;
  const kinds = "GitRepository, OCIRepository or Bucket";
  if (!supported.includes(ref.kind)) {
    out.failures.push({
      message: `${kustomizationRef(k)} reads sourceRef kind "${ref.kind}" (${ref.namespace}/${ref.name}): a Kustomization can only read ${kinds}, so it will never become Ready`,
      fix: `set spec.sourceRef of ${kustomizationRef(k)} to a ${kinds}${ref.kind === "HelmRepository" || ref.kind === "HelmChart" ? ` (a ${ref.kind} is read by HelmReleases)` : ""}`,
    });
    out.dead.push({
      key: k.key,
      why: `reads a ${ref.kind || "source without kind"}`,
      appliesNothing: true,
    });
    return;
  }
  if (isBootstrapSource(fleet, ref)) return;
  const source = findRendered(fleet, {
    apiVersion: `${sourceGroup}/v1`,
    kind: ref.kind,
    namespace: ref.namespace,
    name: ref.name,
  });
  const bootstrap = fleet.root ? sourceName(fleet.root.spec.sourceRef) : undefined;
  if (!source) {
    reportMissing(
      fleet,
      out,
      {
        message: `${kustomizationRef(k)} reads ${sourceName(ref)}, which neither the fleet renders nor bootstrap creates: it will never become Ready`,
        fix: `add ${sourceName(ref)} to a Kustomization of the region${bootstrap ? `, or point spec.sourceRef of ${kustomizationRef(k)} at ${bootstrap}` : ""}`,
      },
      { key: k.key, why: `reads ${sourceName(ref)}, which nothing creates`, appliesNothing: true },
    );
    return;
  }
  const spec = source.object.spec as { suspend?: unknown } | undefined;
  if (spec?.suspend === true) {
    out.failures.push({
      message: `${kustomizationRef(k)} reads ${sourceName(ref)}${source.file ? ` (${source.file})` : ""}, which has \`spec.suspend: true\`: source-controller never fetches it, so ${k.key} will never become Ready`,
      fix: `remove \`suspend: true\` from ${sourceName(ref)}${source.file ? ` (${source.file})` : ""}`,
    });
    out.dead.push({
      key: k.key,
      why: `reads ${sourceName(ref)}, which is suspended`,
      appliesNothing: true,
    });
  }
}
