/** Argo CD as the DR engine sees it: the app-of-apps Application in `argocd` and its controllers. */
import { commitOf } from "../../kube/health-gitops.ts";
import { hasControllerStatus } from "../controller-status.ts";
import type { ReconcilerDriver } from "../reconciler-driver.ts";
import { argocd } from "../versions.ts";

export const argocdDriver: ReconcilerDriver = {
  kind: "argocd",
  displayName: "Argo CD",
  namespace: argocd.namespace,
  root: {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    name: argocd.applicationName,
    namespace: argocd.namespace,
    // Argo CD applies the region's path itself: nothing below it is a Flux Kustomization to follow.
    sourceName: "",
  },
  controllers: ["argocd-application-controller", "argocd-repo-server"],
  // drkit's install is the application controller without ApplicationSet.
  servedKinds: ["argoproj.io/Application", "argoproj.io/AppProject"],
  decryptingServiceAccount: { namespace: argocd.namespace, name: "argocd-repo-server" },
  async reconciledCommit(kube) {
    // The revision the app-of-apps last compared with (`status.sync.revision`).
    const app = await kube.get({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      namespace: argocd.namespace,
      name: argocd.applicationName,
    });
    const revision = (app?.status as { sync?: { revision?: string } } | undefined)?.sync?.revision;
    return revision ? commitOf(revision) : undefined;
  },
  async unprocessed(kube) {
    // The application controller writes the Application's status (reconciledAt, sync, health).
    const ref = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      namespace: argocd.namespace,
      name: argocd.applicationName,
    };
    const app = await kube.get(ref);
    return app && !hasControllerStatus(app) ? [`Application/${ref.namespace}/${ref.name}`] : [];
  },
};
