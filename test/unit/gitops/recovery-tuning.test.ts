import { describe, expect, it } from "vitest";

import { validateStackConfig } from "../../../src/config/index.ts";
import { recoveryTuning, withFlags } from "../../../src/gitops/recovery-tuning.ts";

const base = {
  platform: "local",
  region: "local-a",
  fleet: { url: "http://127.0.0.1:8470/f.git" },
};

describe("recoveryTuning", () => {
  it("gives each Flux controller the guide's flags, kustomize-controller its parallel dry-runs too", () => {
    const { reconciler } = validateStackConfig(base, { stack: "local-a" });
    const tuning = recoveryTuning(reconciler)!;
    expect(Object.keys(tuning)).toEqual([
      "source-controller",
      "kustomize-controller",
      "helm-controller",
    ]);
    expect(tuning["kustomize-controller"]!.args).toEqual([
      "--concurrent=20",
      "--requeue-dependency=2s",
      "--min-retry-delay=50ms",
      "--kube-api-qps=500",
      "--kube-api-burst=1000",
      "--concurrent-ssa=32",
    ]);
    expect(tuning["helm-controller"]!.args).not.toContain("--concurrent-ssa=32");
  });

  it("gives Argo CD's application controller its processors and client limits", () => {
    const { reconciler } = validateStackConfig(
      { ...base, reconciler: "argocd", "reconciler.recovery": { operationProcessors: 40 } },
      { stack: "local-a" },
    );
    expect(recoveryTuning(reconciler)).toEqual({
      "argocd-application-controller": {
        args: ["--status-processors=50", "--operation-processors=40"],
        env: { ARGOCD_K8S_CLIENT_QPS: "500", ARGOCD_K8S_CLIENT_BURST: "1000" },
      },
    });
  });

  it("is undefined when the stack turns it off", () => {
    const { reconciler } = validateStackConfig(
      { ...base, "reconciler.recovery": { enabled: false } },
      { stack: "local-a" },
    );
    expect(recoveryTuning(reconciler)).toBeUndefined();
  });
});

describe("withFlags", () => {
  it("replaces a flag in either form and appends the others", () => {
    expect(
      withFlags(
        [
          "--watch-all-namespaces=true",
          "--concurrent=4",
          "--kube-api-qps",
          "50",
          "--log-level=info",
        ],
        ["--concurrent=20", "--kube-api-qps=500", "--concurrent-ssa=32"],
      ),
    ).toEqual([
      "--watch-all-namespaces=true",
      "--concurrent=20",
      "--kube-api-qps=500",
      "--log-level=info",
      "--concurrent-ssa=32",
    ]);
  });
});
