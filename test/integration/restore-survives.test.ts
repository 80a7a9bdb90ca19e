/**
 * The restore engine on a real local region: a plain restore, and the failures a restore must
 * survive (issue 4): the API server restarting and a reconciler controller killed mid-converge.
 * Each restore first gets a new fleet commit, so converge has real work to wait for.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { killController } from "../../src/local/region.ts";
import {
  createRestoreFixture,
  elapsedMs,
  phasesOf,
  regionName,
  type RestoreFixture,
} from "./support/restore-fixture.ts";

let fx: RestoreFixture;

beforeAll(async () => {
  fx = await createRestoreFixture("restore-survives");
});
afterAll(async () => fx?.cleanup());

const allPhasesOk = [
  ["preflight", true],
  ["provision", true],
  ["bootstrap", true],
  ["converge", true],
  ["verify", true],
];

/** Pushes a change to the region's ConfigMap so that the next restore has a new commit to apply. */
async function pushConfigChange(value: string): Promise<string> {
  const path = `apps/overlays/${regionName}/kustomization.yaml`;
  const overlay = await fx.sampleFile(path);
  return fx.repo.commitAndPush(
    { [path]: overlay.replace(`value: ${regionName}`, `value: ${value}`) },
    `region label ${value}`,
  );
}

async function liveRegionValue(): Promise<string> {
  return fx.kubectl([
    "get",
    "configmap",
    "shop-config",
    "-n",
    "shop",
    "-o",
    "jsonpath={.data.region}",
  ]);
}

describe("restore on a real local region", () => {
  it("restores the sample fleet: every phase ok, nothing missing or drifted, at the pushed commit", async () => {
    const report = await fx.restore({ convergeTimeoutMs: 240_000 });
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(phasesOf(report)).toEqual(allPhasesOk);
    expect(report.commit).toBe(fx.sampleCommit);
    expect(report.ref).toBe("main");
    expect(report.objects.desired).toBeGreaterThan(0);
    expect(report.objects).toMatchObject({ missing: 0, extraManaged: 0, drifted: 0 });
    expect(report.objects.applied).toBe(report.objects.desired);
    expect(report.phases.find((p) => p.name === "provision")?.detail).toBe(
      "cluster reachable: already up",
    );
    expect(report.phases.find((p) => p.name === "converge")?.detail).toMatch(
      /^5 Kustomization\(s\) and 2 HelmRelease\(s\) Ready at [0-9a-f]{12}, \d+ workload\(s\) checked$/,
    );
  });

  it("resumes and finishes when the API server is killed and restarted during converge", async () => {
    const commit = await pushConfigChange("after-apiserver-restart");
    let killed: ReturnType<RestoreFixture["killApiServer"]> | undefined;
    let restarted: Promise<void> | undefined;
    // The first "not ready yet" comes from converge's first list: the wait is under way.
    fx.when(/^not ready yet: /, () => {
      killed = fx.killApiServer();
      restarted = new Promise((r) => setTimeout(r, 2_000)).then(() => killed!.restart());
    });
    const from = fx.events.length;
    const report = await fx.restore({ convergeTimeoutMs: 240_000 });
    await restarted;

    expect(killed?.pid).toBeGreaterThan(0);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(phasesOf(report)).toEqual(allPhasesOk);
    expect(report.commit).toBe(commit);
    const warnings = fx.events.slice(from).filter((e) => e.verb === "warn");
    expect(warnings.some((e) => /^watch of Kustomization interrupted/.test(e.message))).toBe(true);
    expect(await liveRegionValue()).toBe("after-apiserver-restart");
  });

  it("detects a killed kustomize-controller during converge, restarts it and finishes", async () => {
    const commit = await pushConfigChange("after-controller-kill");
    let killedPid: Promise<number | undefined> | undefined;
    fx.when(/^not ready yet: /, () => {
      killedPid = killController(fx.platform.stateDir, regionName, "kustomize-controller");
    });
    const from = fx.events.length;
    const report = await fx.restore({ convergeTimeoutMs: 240_000 });

    expect(await killedPid).toBeGreaterThan(0);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(phasesOf(report)).toEqual(allPhasesOk);
    expect(report.commit).toBe(commit);
    expect(report.phases.find((p) => p.name === "converge")?.detail).toMatch(
      /; restarted kustomize-controller$/,
    );
    expect(
      fx.events
        .slice(from)
        .filter((e) => e.verb === "warn")
        .map((e) => e.message),
    ).toContain('reconciler component(s) "kustomize-controller" are down: restarting');
    expect(await liveRegionValue()).toBe("after-controller-kill");
    // The whole restore: well inside the converge timeout, not a timeout in disguise.
    expect(elapsedMs(report)).toBeLessThan(120_000);
  });
});
