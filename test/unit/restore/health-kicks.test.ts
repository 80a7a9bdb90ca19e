import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";

import { createMemoryLogger } from "../../../src/core/logger.ts";
import {
  createHealthKicker,
  type HealthKickerInput,
} from "../../../src/dr/restore/health-kicks.ts";
import {
  fluxHealthWaitingOn,
  maxHealthKickObjects,
} from "../../../src/dr/restore/reconcilers/flux-health-kicks.ts";
import { fluxRestoreDriver } from "../../../src/dr/restore/reconcilers/flux.ts";
import { formatRef, type KubeObject, type ObjectRef } from "../../../src/kube/index.ts";

const revision = `main@sha1:${"c".repeat(40)}`;

/** A Kustomization as kustomize-controller leaves it while it polls health at `revision`. */
function checking(
  spec: Record<string, unknown> = { wait: true },
  entries = ["shop_web_apps_Deployment", "shop_cfg__ConfigMap"],
  message = `Running health checks for revision ${revision} with a timeout of 5m0s`,
): KubeObject {
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: "apps", namespace: "flux-system", generation: 1 },
    spec,
    status: {
      lastAttemptedRevision: revision,
      inventory: { entries: entries.map((id) => ({ id, v: "v1" })) },
      conditions: [
        { type: "Reconciling", status: "True", reason: "Progressing", message },
        {
          type: "Ready",
          status: "Unknown",
          reason: "Progressing",
          message: "Reconciliation in progress",
        },
      ],
    },
  };
}

describe("fluxHealthWaitingOn", () => {
  it("names a wait: true Kustomization's inventory while it polls health at the revision", () => {
    expect(fluxHealthWaitingOn(checking(), revision)?.map((r) => formatRef(r))).toEqual([
      "Deployment/shop/web",
      "ConfigMap/shop/cfg",
    ]);
  });

  it("names spec.healthChecks without wait, leaving itself out", () => {
    const obj = checking({
      healthChecks: [
        {
          apiVersion: "helm.toolkit.fluxcd.io/v2",
          kind: "HelmRelease",
          name: "front",
          namespace: "shop",
        },
        {
          apiVersion: "kustomize.toolkit.fluxcd.io/v1",
          kind: "Kustomization",
          name: "apps",
          namespace: "flux-system",
        },
      ],
    });
    expect(fluxHealthWaitingOn(obj, revision)?.map((r) => formatRef(r))).toEqual([
      "HelmRelease/shop/front",
    ]);
  });

  it.each([
    ["applying, not checking health", checking(undefined, undefined, "Reconciliation in progress")],
    [
      "checking an older revision",
      checking(
        undefined,
        undefined,
        "Running health checks for revision main@sha1:aaaa with a timeout of 5m0s",
      ),
    ],
    [
      "judged by CEL expressions of its own",
      checking({
        wait: true,
        healthCheckExprs: [{ apiVersion: "x/v1", kind: "X", current: "true" }],
      }),
    ],
    [
      "too large to be worth it",
      checking(
        { wait: true },
        Array.from({ length: maxHealthKickObjects + 1 }, (_, i) => `shop_c${i}__ConfigMap`),
      ),
    ],
    ["checking nothing", checking({}, [])],
  ])("names nothing for a Kustomization %s", (_what, obj) => {
    // "an older revision": lastAttemptedRevision is the target, the message names another.
    expect(fluxHealthWaitingOn(obj, revision)).toBeUndefined();
  });

  it("names nothing for a Kustomization that attempted another revision", () => {
    const obj = checking();
    (obj.status as { lastAttemptedRevision: string }).lastAttemptedRevision =
      `main@sha1:${"d".repeat(40)}`;
    expect(fluxHealthWaitingOn(obj, revision)).toBeUndefined();
  });
});

const deployment = (ready: boolean): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "shop", generation: 1 },
  spec: { replicas: 1 },
  status: {
    observedGeneration: 1,
    replicas: 1,
    updatedReplicas: 1,
    readyReplicas: ready ? 1 : 0,
    availableReplicas: ready ? 1 : 0,
    conditions: [{ type: "Available", status: ready ? "True" : "False" }],
  },
});

/** A fake API server: `objects` by ref, writes recorded. */
function fakeKube(objects: Map<string, KubeObject>) {
  const gets: string[] = [];
  const applies: KubeObject[] = [];
  return {
    gets,
    applies,
    kube: {
      async get(ref: ObjectRef) {
        gets.push(formatRef(ref));
        return objects.get(formatRef(ref));
      },
      async apply(obj: KubeObject) {
        applies.push(obj);
        return obj;
      },
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 5));

describe("createHealthKicker", () => {
  const cfg: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "cfg", namespace: "shop" },
  };

  function kicker(
    objects: Map<string, KubeObject>,
    now: { ms: number },
    options: {
      watched?: HealthKickerInput["watched"];
      kube?: (fake: HealthKickerInput["kube"]) => HealthKickerInput["kube"];
    } = {},
  ) {
    const fake = fakeKube(objects);
    const log = createMemoryLogger();
    const kick = createHealthKicker(
      {
        kube: options.kube ? options.kube(fake.kube) : fake.kube,
        clock: { monotonicMs: () => now.ms, now: () => new Date("2026-12-06T00:00:00Z") },
        log,
        revision,
        ...(options.watched ? { watched: options.watched } : {}),
      },
      fluxRestoreDriver.healthKicks!,
    );
    return { ...fake, log, kick };
  }

  it("requests a reconcile once everything the check waits for is healthy, once", async () => {
    const objects = new Map<string, KubeObject>([
      ["Deployment/shop/web", deployment(false)],
      ["ConfigMap/shop/cfg", cfg],
    ]);
    const now = { ms: 0 };
    const { kick, applies, gets, log } = kicker(objects, now);
    kick([checking()]);
    await settle();
    expect(applies).toEqual([]);
    // Read again no sooner than a second later; only what was not healthy yet.
    kick([checking()]);
    await settle();
    expect(gets).toHaveLength(2);
    objects.set("Deployment/shop/web", deployment(true));
    now.ms = 1_000;
    kick([checking()]);
    await settle();
    expect(gets.slice(2)).toEqual(["Deployment/shop/web"]);
    expect(applies).toEqual([
      {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: {
          name: "apps",
          namespace: "flux-system",
          annotations: { "reconcile.fluxcd.io/requestedAt": "2026-12-06T00:00:00.000Z" },
        },
      },
    ]);
    expect(log.events.map((e) => e.message)).toContain(
      "requested a reconcile of Kustomization/flux-system/apps: what its health check waits for is healthy",
    );
    // Its next health check is its own: one kick per Kustomization.
    now.ms = 5_000;
    kick([checking()]);
    await settle();
    expect(applies).toHaveLength(1);
  });

  it("takes what converge's watches hold from them, and reads only the other kinds", async () => {
    const now = { ms: 0 };
    let web: KubeObject | null = null;
    const { kick, ...fake } = kicker(new Map([["ConfigMap/shop/cfg", cfg]]), now, {
      watched: (ref) => (ref.kind === "Deployment" ? web : undefined),
    });
    kick([checking()]);
    await settle();
    expect(fake.applies).toEqual([]);
    web = deployment(true);
    now.ms = 1_000;
    kick([checking()]);
    await settle();
    expect(fake.gets).toEqual(["ConfigMap/shop/cfg"]);
    expect(fake.applies).toHaveLength(1);
  });

  it("checks watched objects on every call, and throttles only API reads", async () => {
    const now = { ms: 0 };
    const objects = new Map<string, KubeObject>();
    let web: KubeObject | null = deployment(false);
    const { kick, ...fake } = kicker(objects, now, {
      watched: (ref) => (ref.kind === "Deployment" ? web : undefined),
    });
    // The ConfigMap is not there yet: a second call in the same second reads nothing.
    kick([checking()]);
    await settle();
    kick([checking()]);
    await settle();
    expect(fake.gets).toEqual(["ConfigMap/shop/cfg"]);
    // Once it is read healthy, only the watched Deployment is left: each call checks it at once.
    objects.set("ConfigMap/shop/cfg", cfg);
    now.ms = 1_000;
    kick([checking()]);
    await settle();
    expect(fake.applies).toEqual([]);
    web = deployment(true);
    now.ms = 1_010;
    kick([checking()]);
    await settle();
    expect(fake.gets).toEqual(["ConfigMap/shop/cfg", "ConfigMap/shop/cfg"]);
    expect(fake.applies).toHaveLength(1);
  });

  it("sends a kick only to the state it was decided on, and judges a newer one afresh", async () => {
    const now = { ms: 0 };
    const objects = new Map<string, KubeObject>([
      ["Deployment/shop/web", deployment(true)],
      ["ConfigMap/shop/cfg", cfg],
    ]);
    // The API server's optimistic lock: the Kustomization is at resourceVersion "8" by now.
    const sent: KubeObject[] = [];
    const { kick, log } = kicker(objects, now, {
      kube: (fake) => ({
        ...fake,
        async apply(obj: KubeObject) {
          if (obj.metadata.resourceVersion !== "8")
            throw new ApiException(
              409,
              "Conflict",
              { message: "the object has been modified" },
              {},
            );
          sent.push(obj);
          return obj;
        },
      }),
    });
    const at = (resourceVersion: string): KubeObject => {
      const obj = checking();
      return { ...obj, metadata: { ...obj.metadata, resourceVersion } };
    };
    kick([at("7")]);
    await settle();
    expect(sent).toEqual([]);
    expect(log.events.map((e) => e.message).join("\n")).not.toMatch(/requested|could not/);
    now.ms = 1_000;
    kick([at("8")]);
    await settle();
    expect(sent.map((o) => o.metadata.resourceVersion)).toEqual(["8"]);
    expect(sent[0]!.metadata.annotations).toEqual({
      "reconcile.fluxcd.io/requestedAt": "2026-12-06T00:00:00.000Z",
    });
  });

  it("does not kick while an object is missing", async () => {
    const now = { ms: 0 };
    const { kick, applies } = kicker(new Map([["Deployment/shop/web", deployment(true)]]), now);
    kick([checking()]);
    await settle();
    expect(applies).toEqual([]);
  });
});
