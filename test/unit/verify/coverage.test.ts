import { describe, expect, it } from "vitest";

import {
  describeCoverage,
  measureCoverage,
  provenanceOf,
} from "../../../src/dr/verify/coverage.ts";
import { objectKey, type KubeObject } from "../../../src/kube/index.ts";

function obj(
  kind: string,
  name: string,
  options: {
    apiVersion?: string;
    namespace?: string;
    managers?: { manager: string; operation?: string; time?: string; subresource?: string }[];
    labels?: Record<string, string>;
    owned?: boolean;
  } = {},
): KubeObject {
  return {
    apiVersion: options.apiVersion ?? "v1",
    kind,
    metadata: {
      name,
      ...(options.namespace !== undefined
        ? { namespace: options.namespace }
        : { namespace: "shop" }),
      ...(options.labels ? { labels: options.labels } : {}),
      ...(options.owned
        ? {
            ownerReferences: [
              { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-1", uid: "u" },
            ],
          }
        : {}),
      managedFields: options.managers ?? [],
    },
  } as KubeObject;
}

const none = new Set<string>();

describe("provenanceOf", () => {
  it("finds what someone made by hand", () => {
    for (const manager of ["kubectl-client-side-apply", "kubectl-create", "kubectl-edit", "helm"])
      expect(provenanceOf(obj("ConfigMap", "hotfix", { managers: [{ manager }] }), none)).toBe(
        "unowned",
      );
  });

  it("counts what the fleet declares or a reconciler applied as Git's", () => {
    const declared = obj("ConfigMap", "settings", { managers: [{ manager: "kubectl-edit" }] });
    expect(provenanceOf(declared, new Set([objectKey(declared)]))).toBe("git");
    const applied = obj("Service", "web", {
      managers: [{ manager: "kustomize-controller", operation: "Apply" }],
    });
    expect(provenanceOf(applied, none)).toBe("git");
    const labelled = obj("Secret", "token", {
      managers: [{ manager: "kubectl-edit" }],
      labels: { "kustomize.toolkit.fluxcd.io/name": "apps" },
    });
    expect(provenanceOf(labelled, none)).toBe("git");
  });

  it("counts the stack's program and drkit as the stack", () => {
    for (const manager of ["pulumi-kubernetes-7f3a", "drkit", "drkit-restore"])
      expect(
        provenanceOf(
          obj("Secret", "sops-age", { namespace: "flux-system", managers: [{ manager }] }),
          none,
        ),
      ).toBe("stack");
  });

  it("leaves out what controllers own and what the cluster makes itself", () => {
    expect(
      provenanceOf(obj("Pod", "web-1-abc", { owned: true, managers: [{ manager: "x" }] }), none),
    ).toBe("owned");
    const system = [
      obj("ServiceAccount", "default", { managers: [{ manager: "kube-controller-manager" }] }),
      obj("ConfigMap", "kube-root-ca.crt", { managers: [{ manager: "kube-controller-manager" }] }),
      obj("Service", "kubernetes", {
        namespace: "default",
        managers: [{ manager: "kube-apiserver" }],
      }),
      obj("Event", "web.1", { managers: [{ manager: "kubectl-create" }] }),
      obj("Lease", "node-1", {
        apiVersion: "coordination.k8s.io/v1",
        managers: [{ manager: "x" }],
      }),
      obj("Node", "kwok-node-0", { namespace: "", managers: [{ manager: "kubectl" }] }),
      obj("Namespace", "kube-public", { namespace: "", managers: [] }),
      obj("ClusterRole", "view", {
        apiVersion: "rbac.authorization.k8s.io/v1",
        namespace: "",
        labels: { "kubernetes.io/bootstrapping": "rbac-defaults" },
        managers: [
          { manager: "kube-apiserver" },
          { manager: "clusterrole-aggregation-controller" },
        ],
      }),
    ];
    for (const o of system) expect([o.kind, provenanceOf(o, none)]).toEqual([o.kind, "system"]);
  });

  it("names the hand that made an object Flux has touched since (its gotk- finalizer patch)", () => {
    const root = obj("Kustomization", "fleet", {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      namespace: "flux-system",
      managers: [
        { manager: "gotk-kustomize-controller", operation: "Update", time: "2026-11-30T09:00:00Z" },
        { manager: "kubectl-client-side-apply", operation: "Update", time: "2026-11-30T09:00:00Z" },
      ],
    });
    expect(provenanceOf(root, none)).toBe("unowned");
    expect(measureCoverage([root], none).unowned[0]?.manager).toBe("kubectl-client-side-apply");
  });

  it("ignores a controller that only wrote the status of an object someone made by hand", () => {
    const hand = obj("Deployment", "debug", {
      apiVersion: "apps/v1",
      managers: [
        { manager: "kubectl-create", operation: "Update" },
        { manager: "kube-controller-manager", operation: "Update", subresource: "status" },
      ],
    });
    expect(provenanceOf(hand, none)).toBe("unowned");
  });
});

describe("measureCoverage", () => {
  it("counts what comes back and names what would be lost, with who made it and when", () => {
    const live = [
      obj("ConfigMap", "settings", { managers: [{ manager: "kustomize-controller" }] }),
      obj("Secret", "sops-age", { namespace: "flux-system", managers: [{ manager: "drkit" }] }),
      obj("CronJob", "cleanup", {
        apiVersion: "batch/v1",
        managers: [
          {
            manager: "kube-controller-manager",
            time: "2026-11-30T10:00:00Z",
            subresource: "status",
          },
          {
            manager: "kubectl-client-side-apply",
            operation: "Update",
            time: "2026-11-30T09:00:00Z",
          },
        ],
      }),
      obj("ServiceAccount", "default", { managers: [{ manager: "kube-controller-manager" }] }),
    ];
    const coverage = measureCoverage(live, none);
    expect(coverage).toEqual({
      total: 3,
      git: 1,
      stack: 1,
      unowned: [
        {
          ref: "CronJob/shop/cleanup",
          apiVersion: "batch/v1",
          kind: "CronJob",
          namespace: "shop",
          name: "cleanup",
          manager: "kubectl-client-side-apply",
          operation: "Update",
          time: "2026-11-30T09:00:00Z",
        },
      ],
      ratio: 2 / 3,
    });
    expect(describeCoverage(coverage)).toBe(
      "2 of 3 objects (66 %) come back from Git or the stack; 1 would be lost",
    );
  });

  it("is complete for an empty cluster", () => {
    expect(describeCoverage(measureCoverage([], none))).toBe(
      "0 of 0 objects (100 %) come back from Git or the stack; nothing would be lost",
    );
  });
});

describe("provenanceOf for Argo CD", () => {
  const kubectl = [{ manager: "kubectl-client-side-apply", operation: "Update" }];

  it("counts what Argo CD applied as Git's: its field manager, its tracking annotation", () => {
    const applied = obj("ConfigMap", "web", {
      managers: [{ manager: "argocd-controller", operation: "Apply" }],
    });
    expect(provenanceOf(applied, none)).toBe("git");
    const annotated = {
      ...obj("ConfigMap", "web", { managers: kubectl }),
    } as KubeObject;
    const withTracking = {
      ...annotated,
      metadata: {
        ...annotated.metadata,
        annotations: { "argocd.argoproj.io/tracking-id": "apps:/ConfigMap:shop/web" },
      },
    };
    expect(provenanceOf(withTracking, none)).toBe("git");
  });

  it("counts the instance label only when it names one of the fleet's Applications", () => {
    const labelled = obj("ConfigMap", "web", {
      managers: kubectl,
      labels: { "app.kubernetes.io/instance": "apps" },
    });
    expect(provenanceOf(labelled, none)).toBe("unowned");
    expect(provenanceOf(labelled, none, new Set(["argocd/apps"]))).toBe("git");
    // Helm charts set the label to their release's name.
    expect(provenanceOf(labelled, none, new Set(["argocd/shop"]))).toBe("unowned");
  });

  it("does not take the application controller's status writes for the maker of an Application", () => {
    const app = (manager: string) =>
      obj("Application", "by-hand", {
        apiVersion: "argoproj.io/v1alpha1",
        namespace: "argocd",
        managers: [
          { manager, operation: "Update" },
          { manager: "argocd-application-controller", operation: "Update" },
        ],
      });
    expect(provenanceOf(app("kubectl-client-side-apply"), none)).toBe("unowned");
    expect(measureCoverage([app("kubectl-client-side-apply")], none).unowned[0]?.manager).toBe(
      "kubectl-client-side-apply",
    );
    expect(provenanceOf(app("argocd-controller"), none)).toBe("git");
    // Anything else the controller writes (a namespace it creates for CreateNamespace=true) is Argo CD's.
    expect(
      provenanceOf(
        obj("Namespace", "shop", {
          namespace: "",
          managers: [{ manager: "argocd-application-controller" }],
        }),
        none,
      ),
    ).toBe("git");
  });
});
