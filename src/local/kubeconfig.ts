/**
 * A self-contained kubeconfig for a local region: kwokctl's points at certificate files; ours
 * embeds them so the file alone is enough (Pulumi's provider, CI artifacts), written 0600.
 */
import { readFile, writeFile, chmod } from "node:fs/promises";
import { parse, stringify } from "yaml";

import { registerSecret } from "../core/redact.ts";

interface KubeconfigFile {
  clusters: { name: string; cluster: Record<string, string> }[];
  users: { name: string; user: Record<string, string> }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
}

/** Reads kwokctl's kubeconfig and returns an equivalent one with the files inlined, named after the region. */
export async function renderEmbeddedKubeconfig(
  kwokKubeconfig: string,
  region: string,
): Promise<string> {
  const source = parse(await readFile(kwokKubeconfig, "utf8")) as KubeconfigFile;
  const cluster = source.clusters[0]?.cluster ?? {};
  const user = source.users[0]?.user ?? {};
  const b64 = async (file: string | undefined) =>
    file ? (await readFile(file)).toString("base64") : undefined;
  const keyData = await b64(user["client-key"]);
  registerSecret(keyData);
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: region,
        cluster: {
          server: cluster.server,
          "certificate-authority-data": await b64(cluster["certificate-authority"]),
        },
      },
    ],
    users: [
      {
        name: `${region}-admin`,
        user: {
          "client-certificate-data": await b64(user["client-certificate"]),
          "client-key-data": keyData,
        },
      },
    ],
    contexts: [{ name: region, context: { cluster: region, user: `${region}-admin` } }],
    "current-context": region,
  });
}

/** Writes a kubeconfig readable by its owner only. */
export async function writeKubeconfig(path: string, content: string): Promise<void> {
  await writeFile(path, content, { mode: 0o600 });
  await chmod(path, 0o600);
}

/** The API server URL in a kubeconfig. */
export function apiServerOf(kubeconfig: string): string {
  const parsed = parse(kubeconfig) as KubeconfigFile;
  return parsed.clusters[0]?.cluster.server ?? "";
}
