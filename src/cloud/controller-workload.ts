/**
 * A reconciler's controller as the cluster runs it: a Deployment, else a StatefulSet (Argo CD's
 * application controller). Shared by the runtimes of clusters whose controllers Kubernetes runs
 * (managed clouds, clusters drkit did not create).
 */
import type { Kube, KubeObject } from "../kube/index.ts";

export async function readControllerWorkload(
  kube: Pick<Kube, "get">,
  namespace: string,
  name: string,
): Promise<KubeObject | undefined> {
  const [deployment, statefulSet] = await Promise.all(
    ["Deployment", "StatefulSet"].map((kind) =>
      kube.get({ apiVersion: "apps/v1", kind, namespace, name }),
    ),
  );
  return deployment ?? statefulSet;
}
