/**
 * The warm-up apply and the recovery profile on the real controllers (issue 13): a restore into
 * a fresh region writes what kustomize-controller is about to apply ahead of it, under its field
 * manager, with the reconciler restarted into its recovery profile; afterwards kustomize-controller
 * alone owns every object (one field manager outside status, each in its Kustomization's
 * inventory), prunes an object removed from Git on the next commit, and runs its steady settings.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { validateStackConfig } from "../../src/config/index.ts";
import { sendKick } from "../../src/dr/restore/kick-request.ts";
import { recoveryTuning } from "../../src/gitops/recovery-tuning.ts";
import { inventoryOf, type KubeObject } from "../../src/kube/index.ts";
import { readPid } from "../../src/local/processes.ts";
import { readRegionState, regionPaths } from "../../src/local/region-state.ts";
import {
  createRestoreFixture,
  regionName,
  type RestoreFixture,
} from "./support/restore-fixture.ts";

let fx: RestoreFixture;
const recovery = recoveryTuning(
  validateStackConfig(
    { platform: "local", region: regionName, fleet: { url: "http://127.0.0.1:1/f.git" } },
    { stack: regionName },
  ).reconciler,
)!;

const extra = {
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "warm-extra" },
  data: { written: "ahead of kustomize-controller" },
};

async function withExtra(present: boolean): Promise<string> {
  const base = await fx.sampleFile("apps/base/kustomization.yaml");
  return fx.repo.commitAndPush(
    present
      ? {
          "apps/base/kustomization.yaml": base.replace(
            "  - config.yaml\n",
            "  - config.yaml\n  - warm-extra.yaml\n",
          ),
          "apps/base/warm-extra.yaml": JSON.stringify(extra),
        }
      : { "apps/base/kustomization.yaml": base },
    present ? "an extra ConfigMap" : "the extra ConfigMap removed",
  );
}

/** The field managers of an object, leaving out what writes only its status. */
function managers(obj: KubeObject): string[] {
  const fields = (obj.metadata.managedFields ?? []) as { manager: string; subresource?: string }[];
  return [...new Set(fields.filter((f) => f.subresource !== "status").map((f) => f.manager))];
}

async function kustomizeControllerArgs(): Promise<string[]> {
  const dir = regionPaths(fx.platform.stateDir, regionName).reconcilerDir("flux");
  const pid = await readPid(`${dir}/pids/kustomize-controller.pid`);
  return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
}

beforeAll(async () => {
  fx = await createRestoreFixture("restore-warm-up");
});
afterAll(async () => {
  await fx?.cleanup();
});

describe("warm-up apply and recovery profile on the real controllers", () => {
  it("writes ahead of kustomize-controller, which then owns, lists and keeps every object", async () => {
    const commit = await withExtra(true);
    const report = await fx.restore({ convergeTimeoutMs: 300_000 }, { recovery });
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.commit).toBe(commit);
    const bootstrap = report.phases.find((p) => p.name === "bootstrap")!.detail;
    expect(bootstrap).toMatch(
      /restarted source-controller, kustomize-controller, helm-controller with the recovery profile/,
    );
    expect(bootstrap).toMatch(/warm-up applied \d+ object\(s\)/);
    expect(report.phases.find((p) => p.name === "verify")!.detail).toMatch(
      /the \d+ warmed-up object\(s\) are in their owners' inventories/,
    );
    const messages = fx.events.map((e) => e.message);
    expect(
      messages.some((m) =>
        /^warm-up applied \d+ object\(s\) of Kustomization\/flux-system\/apps in/.test(m),
      ),
    ).toBe(true);
    // The SOPS-encrypted Secret is kustomize-controller's to decrypt and apply.
    expect(messages.join("\n")).toMatch(
      /warm-up applied \d+ object\(s\) of Kustomization\/flux-system\/apps in \d+ ms \(\d+ left to the reconciler: [^)]*Secret\/shop\/app-credentials/,
    );

    const cm = (await fx.kube.get({
      apiVersion: "v1",
      kind: "ConfigMap",
      namespace: "shop",
      name: "warm-extra",
    }))!;
    expect(managers(cm)).toEqual(["kustomize-controller"]);
    expect(cm.metadata.labels).toMatchObject({
      "kustomize.toolkit.fluxcd.io/name": "apps",
      "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
    });
    const apps = (await fx.kube.get({
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      namespace: "flux-system",
      name: "apps",
    }))!;
    expect(inventoryOf(apps).map((r) => `${r.kind}/${r.namespace}/${r.name}`)).toContain(
      "ConfigMap/shop/warm-extra",
    );
    // Back to steady settings once verified.
    expect(
      (await readRegionState(fx.platform.stateDir, regionName))?.reconcilerTuning,
    ).toBeUndefined();
    expect(await kustomizeControllerArgs()).not.toContain("--concurrent-ssa=32");
  });

  it("leaves pruning to kustomize-controller: an object removed from Git is deleted on the next commit", async () => {
    const commit = await withExtra(false);
    const report = await fx.restore({ convergeTimeoutMs: 300_000 }, { recovery });
    expect(report.failures).toEqual([]);
    expect(report.commit).toBe(commit);
    expect(
      await fx.kube.get({
        apiVersion: "v1",
        kind: "ConfigMap",
        namespace: "shop",
        name: "warm-extra",
      }),
    ).toBeUndefined();
  });

  it("writes nothing ahead of the reconciler with the warm-up off", async () => {
    const before = fx.events.length;
    const report = await fx.restore({ convergeTimeoutMs: 300_000, warmUp: false });
    expect(report.ok).toBe(true);
    expect(report.phases.find((p) => p.name === "bootstrap")!.detail).not.toMatch(/warm-up/);
    expect(fx.events.slice(before).some((e) => e.message.startsWith("warm-up"))).toBe(false);
  });
});

describe("kicks on the real API server", () => {
  it("refuses a kick decided on a state the object has left (its resourceVersion), and sends a current one", async () => {
    const ref = { apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "kick-lock" };
    const body = {
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      metadata: { name: ref.name, namespace: ref.namespace },
    };
    await fx.kube.apply({ ...body, data: { step: "1" } }, { fieldManager: "test", force: true });
    const seen = (await fx.kube.get(ref))!;
    await fx.kube.apply({ ...body, data: { step: "2" } }, { fieldManager: "test", force: true });
    const kick = {
      ...body,
      metadata: { ...body.metadata, annotations: { "reconcile.fluxcd.io/requestedAt": "now" } },
    };
    expect(await sendKick(fx.kube, kick, seen)).toBe(false);
    expect((await fx.kube.get(ref))!.metadata.annotations).toBeUndefined();
    expect(await sendKick(fx.kube, kick, (await fx.kube.get(ref))!)).toBe(true);
    expect((await fx.kube.get(ref))!.metadata.annotations).toEqual({
      "reconcile.fluxcd.io/requestedAt": "now",
    });
  });
});
