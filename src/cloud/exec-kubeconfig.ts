/**
 * A kubeconfig whose user authenticates through an exec credential plugin (`aws eks get-token`,
 * `gke-gcloud-auth-plugin`, `kubelogin`), so no long-lived credential is stored in it. Pure.
 */

/** Renders the kubeconfig as JSON (which is valid YAML). */
export function renderExecKubeconfig(args: {
  readonly name: string;
  readonly server: string;
  readonly certificateAuthorityData: string;
  /** The credential plugin: command, its args and extra exec fields. */
  readonly exec: {
    readonly command: string;
    readonly args?: readonly string[];
    readonly [field: string]: unknown;
  };
}): string {
  const { name } = args;
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name,
        cluster: {
          server: args.server,
          "certificate-authority-data": args.certificateAuthorityData,
        },
      },
    ],
    contexts: [{ name, context: { cluster: name, user: name } }],
    "current-context": name,
    users: [
      {
        name,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            ...args.exec,
            interactiveMode: "Never",
          },
        },
      },
    ],
  });
}
