import { describe, expect, it } from "vitest";

import { steadyArgsAnnotation, tuningPatch } from "../../../src/cloud/controller-tuning.ts";
import type { KubeObject } from "../../../src/kube/index.ts";

function deployment(
  args: string[],
  annotations?: Record<string, string>,
  env?: object[],
): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "kustomize-controller",
      namespace: "flux-system",
      ...(annotations ? { annotations } : {}),
    },
    spec: {
      template: { spec: { containers: [{ name: "manager", args, ...(env ? { env } : {}) }] } },
    },
  };
}
const steady = ["--watch-all-namespaces=true", "--concurrent=4"];
const tuning = { args: ["--concurrent=20", "--concurrent-ssa=32"], env: { X: "1" } };

describe("tuningPatch", () => {
  it("puts the profile's flags in place of the steady ones and keeps the steady args", () => {
    expect(tuningPatch(deployment(steady), tuning)).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        name: "kustomize-controller",
        namespace: "flux-system",
        annotations: { [steadyArgsAnnotation]: JSON.stringify(steady) },
      },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: "manager",
                args: ["--watch-all-namespaces=true", "--concurrent=20", "--concurrent-ssa=32"],
                env: [{ name: "X", value: "1" }],
              },
            ],
          },
        },
      },
    });
  });

  it("gives the steady args back exactly, and does nothing when already there", () => {
    const tuned = deployment(
      ["--watch-all-namespaces=true", "--concurrent=20", "--concurrent-ssa=32"],
      { [steadyArgsAnnotation]: JSON.stringify(steady) },
      [{ name: "X", value: "1" }],
    );
    expect(tuningPatch(tuned, tuning)).toBeUndefined();
    const back = tuningPatch(tuned, undefined)!;
    expect(back.metadata.annotations).toBeUndefined();
    expect(back.spec).toEqual({
      template: { spec: { containers: [{ name: "manager", args: steady }] } },
    });
    expect(tuningPatch(deployment(steady), undefined)).toBeUndefined();
  });
});
