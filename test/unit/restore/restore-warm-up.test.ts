import { describe, expect, it } from "vitest";

import { restore } from "../../../src/dr/restore/restore.ts";
import { parseFluxKustomization } from "../../../src/dr/verify/flux-kustomization.ts";
import type { DesiredState } from "../../../src/dr/verify/render.ts";
import type { KubeObject } from "../../../src/kube/index.ts";
import { fakePreflight, fakeRestoreDeps, localTarget, readyFluxCluster } from "./fake-deps.ts";

const commit = "d".repeat(40);
const target = localTarget;

const root = parseFluxKustomization({
  apiVersion: "kustomize.toolkit.fluxcd.io/v1",
  kind: "Kustomization",
  metadata: { name: "fleet", namespace: "flux-system" },
  spec: { path: "./clusters/local-b", sourceRef: { kind: "GitRepository", name: "fleet" } },
});
const configMap = (name: string): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "shop" },
  data: { key: name },
});
const rendered: DesiredState = {
  objects: ["a", "b"].map((n) => ({ owner: "flux-system/fleet", object: configMap(n) })),
  kustomizations: [{ spec: root, objects: 2 }],
  failures: [],
  warnings: [],
};

function run(options: { inventory: string[]; warmUp?: boolean }) {
  const writes: { object: KubeObject; fieldManager: string | undefined }[] = [];
  const kube = readyFluxCluster({
    commit,
    url: target.fleet.url,
    inventory: options.inventory.map((id) => ({ id, v: "v1" })),
    writes,
  });
  const deps = fakeRestoreDeps({
    target,
    commit,
    kube,
    overrides: {
      preflight: {
        check: async (input) => {
          input.onRendered?.(rendered);
          return fakePreflight().check(input);
        },
      },
    },
  });
  const warmUp = options.warmUp === undefined ? {} : { warmUp: options.warmUp };
  return restore({ stack: "local-b", ...warmUp }, deps).then((report) => ({ report, writes }));
}

describe("restore's warm-up apply", () => {
  it("applies the rendered objects at bootstrap as kustomize-controller, with Flux's owner labels", async () => {
    const { report, writes } = await run({
      inventory: ["shop_a__ConfigMap", "shop_b__ConfigMap"],
    });
    expect(report.ok).toBe(true);
    const warmed = writes.filter((w) => w.fieldManager === "kustomize-controller");
    expect(warmed.map((w) => w.object.metadata.name)).toEqual(["a", "b"]);
    expect(warmed[0]!.object.metadata.labels).toEqual({
      "kustomize.toolkit.fluxcd.io/name": "fleet",
      "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
    });
    const bootstrap = report.phases.find((p) => p.name === "bootstrap")!;
    expect(bootstrap.detail).toMatch(/warm-up applied 2 object\(s\) of 1 batch/);
  });

  it("fails verify, naming each object, when the reconciler's inventory lacks what the warm-up applied", async () => {
    const { report } = await run({ inventory: ["shop_a__ConfigMap"] });
    expect(report.ok).toBe(false);
    expect(report.failures).toEqual([
      expect.objectContaining({
        phase: "verify",
        owner: "Kustomization/flux-system/fleet",
        message: expect.stringMatching(
          /warm-up applied 1 object\(s\) that Kustomization\/flux-system\/fleet does not list in its inventory, so nothing prunes them: ConfigMap\/shop\/b; .*--no-warm-up/,
        ),
      }),
    ]);
  });

  it("writes nothing ahead of the reconciler when it is off", async () => {
    const { report, writes } = await run({ inventory: [], warmUp: false });
    expect(report.ok).toBe(true);
    expect(writes.filter((w) => w.fieldManager === "kustomize-controller")).toEqual([]);
  });
});
