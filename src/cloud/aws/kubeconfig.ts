/**
 * Kubeconfig for an EKS cluster. Pure.
 */
import { renderExecKubeconfig } from "../exec-kubeconfig.ts";

/**
 * Renders a kubeconfig (JSON, which is valid YAML) that authenticates with `aws eks get-token`,
 * so no long-lived credential is stored in it.
 */
export function renderEksKubeconfig(args: {
  readonly clusterName: string;
  readonly endpoint: string;
  readonly certificateAuthorityData: string;
  readonly region: string;
}): string {
  return renderExecKubeconfig({
    name: args.clusterName,
    server: args.endpoint,
    certificateAuthorityData: args.certificateAuthorityData,
    exec: {
      command: "aws",
      args: [
        "eks",
        "get-token",
        "--cluster-name",
        args.clusterName,
        "--region",
        args.region,
        "--output",
        "json",
      ],
    },
  });
}
