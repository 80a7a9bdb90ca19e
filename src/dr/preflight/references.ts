/**
 * The `references` check: what kustomize-controller reads besides the source, before it builds,
 * applies or declares a Kustomization Ready, must exist.
 *
 * - `spec.serviceAccountName`: the ServiceAccount it impersonates, in the Kustomization's namespace.
 * - `spec.decryption.secretRef`: the Secret with the keys (bootstrap creates one, e.g. `sops-age`).
 * - `spec.postBuild.substituteFrom`: each ConfigMap/Secret not marked `optional: true`.
 * - `spec.healthChecks`: each object must be rendered by some Kustomization.
 * - `spec.kubeConfig`: the remote cluster's Secret/ConfigMap (a warning: often made outside Git).
 * - SOPS-encrypted objects need `spec.decryption`.
 *
 * What the Kustomization needs before it builds must come from another Kustomization it depends
 * on: rendering it itself means Flux needs it before it can exist.
 */
import { formatRef, type ObjectRef } from "../../kube/index.ts";
import {
  appliedBefore,
  dependsOnEntry,
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

export interface ReferenceOptions {
  /** The decryption Secret bootstrap creates before the first sync. */
  readonly decryptionSecret: { readonly namespace: string; readonly name: string };
}

/** An object a Kustomization needs before it builds or applies. */
interface Need {
  readonly ref: ObjectRef;
  /** Reads after the Kustomization: `impersonates ServiceAccount apps/deployer (spec.serviceAccountName)`. */
  readonly what: string;
  /** The other way out, after "render it in a Kustomization this one depends on". */
  readonly orElse: string;
}

const ref = (kind: string, namespace: string, name: string): ObjectRef => ({
  apiVersion: "v1",
  kind,
  namespace,
  name,
});

/** Every reference of every Kustomization to something it needs. */
export function assertReferences(fleet: Fleet, options: ReferenceOptions): DeadEndCheck {
  const out = findings();
  let count = 0;
  for (const k of fleet.kustomizations) {
    if (k === fleet.root) continue;
    const needs = needsOf(k, options);
    for (const need of needs) checkNeed(fleet, out, k, need);
    for (const h of k.spec.healthCheckRefs ?? []) checkHealthCheck(fleet, out, k, h);
    checkKubeConfig(fleet, out, k);
    count +=
      needs.length +
      (k.spec.healthCheckRefs?.length ?? 0) +
      (isBootstrapSecret(k, options) ? 1 : 0);
  }
  checkEncrypted(fleet, out, options);
  return findingsCheck(
    "references",
    `${count} reference(s) to ServiceAccounts, Secrets, ConfigMaps and health-checked objects`,
    out,
  );
}

function isBootstrapSecret(k: FleetKustomization, options: ReferenceOptions): boolean {
  const { namespace, name } = options.decryptionSecret;
  return k.spec.decryptionSecretName === name && k.spec.namespace === namespace;
}

function needsOf(k: FleetKustomization, options: ReferenceOptions): Need[] {
  const ns = k.spec.namespace;
  const needs: Need[] = [];
  const sa = k.spec.serviceAccountName;
  // With kubeConfig, Flux impersonates the ServiceAccount on the remote cluster.
  if (sa !== undefined && k.spec.kubeConfig === undefined) {
    needs.push({
      ref: ref("ServiceAccount", ns, sa),
      what: `impersonates ServiceAccount ${ns}/${sa} (spec.serviceAccountName)`,
      orElse: `remove spec.serviceAccountName from ${kustomizationRef(k)}`,
    });
  }
  const secret = k.spec.decryptionSecretName;
  const bootstrap = options.decryptionSecret;
  if (secret !== undefined && !isBootstrapSecret(k, options)) {
    needs.push({
      ref: ref("Secret", ns, secret),
      what: `decrypts with Secret ${ns}/${secret} (spec.decryption.secretRef)`,
      orElse:
        bootstrap.namespace === ns
          ? `set spec.decryption.secretRef.name to ${bootstrap.name} (the Secret bootstrap creates) in ${kustomizationRef(k)}`
          : `move ${kustomizationRef(k)} to namespace ${bootstrap.namespace} and decrypt with Secret ${bootstrap.name}, which bootstrap creates there`,
    });
  }
  for (const s of k.spec.substituteFromRefs ?? []) {
    if (s.optional) continue;
    needs.push({
      ref: ref(s.kind, ns, s.name),
      what: `substitutes variables from ${s.kind} ${ns}/${s.name} (spec.postBuild.substituteFrom)`,
      orElse: `mark that substituteFrom entry \`optional: true\` in ${kustomizationRef(k)}`,
    });
  }
  return needs;
}

function checkNeed(fleet: Fleet, out: Findings, k: FleetKustomization, need: Need): void {
  const name = `${need.ref.kind} ${need.ref.namespace}/${need.ref.name}`;
  const provider = findRendered(fleet, need.ref);
  if (!provider) {
    reportMissing(
      fleet,
      out,
      {
        message: `${kustomizationRef(k)} ${need.what}, which neither the fleet renders nor bootstrap creates: it will never become Ready`,
        fix: `render ${name} in a Kustomization that ${k.key} depends on, or ${need.orElse}`,
      },
      { key: k.key, why: `needs ${name}, which nothing creates`, appliesNothing: true },
    );
  } else if (provider.owner === k.key) {
    out.failures.push({
      message: `${kustomizationRef(k)} ${need.what}, which only ${k.key} itself renders: Flux needs it before it applies ${k.key}, so it will never become Ready`,
      fix: `move ${name}${provider.file ? ` (${provider.file})` : ""} into a Kustomization that ${k.key} depends on, or ${need.orElse}`,
    });
    out.dead.push({
      key: k.key,
      why: `needs ${name}, which only it renders`,
      appliesNothing: true,
    });
  } else if (!appliedBefore(fleet, k, provider.owner)) {
    out.warnings.push(
      `${kustomizationRef(k)} ${need.what}, which Kustomization ${provider.owner} renders, but ${k.key} does not depend on it: its first attempts fail until ${provider.owner} is applied; add \`${dependsOnEntry(k, provider.owner)}\` to its spec.dependsOn`,
    );
  }
}

function checkHealthCheck(fleet: Fleet, out: Findings, k: FleetKustomization, h: ObjectRef): void {
  if (findRendered(fleet, h)) return;
  reportMissing(
    fleet,
    out,
    {
      message: `${kustomizationRef(k)} health-checks ${formatRef(h)} (spec.healthChecks), which no Kustomization of the fleet renders: the check can never pass, so it will never become Ready`,
      fix: `remove the healthChecks entry for ${formatRef(h)} from ${kustomizationRef(k)}, or correct its apiVersion, kind, namespace and name to an object the fleet renders`,
    },
    {
      key: k.key,
      why: `health-checks ${formatRef(h)}, which nothing renders`,
      appliesNothing: false,
    },
  );
}

function checkKubeConfig(fleet: Fleet, out: Findings, k: FleetKustomization): void {
  const kc = k.spec.kubeConfig;
  if (kc === undefined) return;
  const ns = k.spec.namespace;
  const refs = [
    ...(kc.secretName ? [ref("Secret", ns, kc.secretName)] : []),
    ...(kc.configMapName ? [ref("ConfigMap", ns, kc.configMapName)] : []),
  ];
  for (const r of refs) {
    if (findRendered(fleet, r)) continue;
    out.warnings.push(
      `${kustomizationRef(k)} applies to a remote cluster through ${r.kind} ${ns}/${r.name} (spec.kubeConfig), which the fleet does not render: unless it is created outside Git, ${k.key} will never become Ready`,
    );
  }
}

function checkEncrypted(fleet: Fleet, out: Findings, options: ReferenceOptions): void {
  const byOwner = new Map<string, string[]>();
  for (const d of fleet.state.objects) {
    if (d.object.sops === undefined || fleet.byKey.get(d.owner)?.spec.decryption !== false)
      continue;
    const refs = byOwner.get(d.owner) ?? [];
    refs.push(`${formatRef(d.object)}${d.file ? ` (${d.file})` : ""}`);
    byOwner.set(d.owner, refs);
  }
  for (const [owner, refs] of byOwner) {
    const k = fleet.byKey.get(owner)!;
    const secret = options.decryptionSecret;
    const decryption =
      secret.namespace === k.spec.namespace
        ? `{provider: sops, secretRef: {name: ${secret.name}}}`
        : "{provider: sops}";
    out.failures.push({
      message: `${refs.join(", ")} ${refs.length === 1 ? "is" : "are"} SOPS-encrypted, but ${kustomizationRef(k)} has no spec.decryption: Flux would apply the ciphertext or fail, so it will never become Ready`,
      fix: `add \`decryption: ${decryption}\` to the spec of ${kustomizationRef(k)}`,
    });
    out.dead.push({
      key: owner,
      why: "applies SOPS-encrypted objects without decryption",
      appliesNothing: true,
    });
  }
}
