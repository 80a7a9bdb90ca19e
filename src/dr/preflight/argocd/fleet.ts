/**
 * The rendered Argo CD fleet as the Argo CD checks read it: every Application (the root the
 * stack's program creates, then each one found, rendered or not), the object that declares each
 * child, and where each desired object stands in the order Argo CD syncs them.
 */
import { objectKey } from "../../../kube/index.ts";
import {
  applicationKey,
  isArgoApplication,
  syncWaveOf,
  type ArgoApplicationSpec,
} from "../../verify/argocd/application.ts";
import type { OwnerKey } from "../../verify/flux-kustomization.ts";
import type { DesiredObject, DesiredState } from "../../verify/render.ts";

export interface FleetApplication {
  readonly key: OwnerKey;
  readonly spec: ArgoApplicationSpec;
  /** The file that declares it; `undefined` for the root. */
  readonly file?: string;
  /** The Application that applies it; `undefined` for the root. */
  readonly parent?: OwnerKey;
  /** False when its objects were not (all) rendered, or did not generate: what it holds is not known. */
  readonly rendered: boolean;
}

export interface ArgoFleet {
  readonly state: DesiredState;
  /** The root first, then in render order. */
  readonly applications: readonly FleetApplication[];
  readonly byKey: ReadonlyMap<OwnerKey, FleetApplication>;
  readonly root: FleetApplication | undefined;
  /** The desired Application object of each child Application, by its key. */
  readonly declarations: ReadonlyMap<OwnerKey, DesiredObject>;
  /** Every desired object by `objectKey`. */
  readonly objects: ReadonlyMap<string, DesiredObject>;
}

/** Indexes a rendered Argo CD desired state. */
export function readArgoFleet(state: DesiredState): ArgoFleet {
  const failed = new Set(state.failures.map((f) => f.owner));
  const applications: FleetApplication[] = (state.applications ?? []).map((a) => ({
    key: applicationKey(a.spec),
    spec: a.spec,
    ...(a.file ? { file: a.file } : {}),
    ...(a.parent ? { parent: a.parent } : {}),
    rendered: a.notRendered === undefined && !failed.has(applicationKey(a.spec)),
  }));
  const declarations = new Map<OwnerKey, DesiredObject>();
  for (const d of state.objects) {
    if (!isArgoApplication(d.object)) continue;
    declarations.set(`${d.object.metadata.namespace ?? ""}/${d.object.metadata.name}`, d);
  }
  return {
    state,
    applications,
    byKey: new Map(applications.map((a) => [a.key, a])),
    root: applications.find((a) => a.parent === undefined),
    declarations,
    objects: new Map(state.objects.map((d) => [objectKey(d.object), d])),
  };
}

/** `Application argocd/apps (clusters/local-a/apps.yaml)`, for messages. */
export function applicationRef(app: Pick<FleetApplication, "key" | "file">): string {
  return `Application ${app.key}${app.file ? ` (${app.file})` : ""}`;
}

/** The Applications from the root down to `key`, both included. */
export function chainOf(fleet: ArgoFleet, key: OwnerKey): OwnerKey[] {
  const chain: OwnerKey[] = [];
  const seen = new Set<OwnerKey>();
  for (let at: OwnerKey | undefined = key; at !== undefined && !seen.has(at);) {
    seen.add(at);
    chain.unshift(at);
    at = fleet.byKey.get(at)?.parent;
  }
  return chain;
}

/** Every Application `key` holds, directly or through others. */
export function descendantsOf(fleet: ArgoFleet, key: OwnerKey): FleetApplication[] {
  const out: FleetApplication[] = [];
  const stack = [key];
  const seen = new Set<OwnerKey>([key]);
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    for (const a of fleet.applications) {
      if (a.parent !== next || seen.has(a.key)) continue;
      seen.add(a.key);
      out.push(a);
      stack.push(a.key);
    }
  }
  return out;
}

/**
 * Where an object stands when Argo CD syncs the Application `within`: in the wave of the object
 * itself when `within` applies it, or in the wave of the child Application (of `within`) through
 * which it comes.
 */
export interface Standing {
  readonly wave: number;
  /** The object itself, or the child Application of `within` that leads to it. */
  readonly via: DesiredObject | undefined;
  /** True when `via` is the object itself. */
  readonly direct: boolean;
}

/** The deepest Application both objects come through (their owners' common ancestor). */
export function commonApplication(fleet: ArgoFleet, a: OwnerKey, b: OwnerKey): OwnerKey {
  const ca = chainOf(fleet, a);
  const cb = chainOf(fleet, b);
  let common = ca[0]!;
  for (let i = 0; i < Math.min(ca.length, cb.length) && ca[i] === cb[i]; i++) common = ca[i]!;
  return common;
}

/** How `d` stands in the sync of Application `within` (one of its owner's ancestors, or its owner). */
export function standingIn(fleet: ArgoFleet, within: OwnerKey, d: DesiredObject): Standing {
  if (d.owner === within) return { wave: syncWaveOf(d.object), via: d, direct: true };
  const chain = chainOf(fleet, d.owner);
  const child = chain[chain.indexOf(within) + 1];
  const declaration = child === undefined ? undefined : fleet.declarations.get(child);
  return {
    wave: declaration ? syncWaveOf(declaration.object) : 0,
    via: declaration,
    direct: false,
  };
}
