/**
 * Turns the sample fleet (`examples/fleet/`) into a ready-to-push fleet repository.
 *
 * The sample holds plaintext templates for its Secrets (`*.enc.yaml`); a real fleet keeps them
 * encrypted. `materializeFleet` copies the fleet and encrypts those files for an age recipient
 * that the test or demo generated moments before, so no private key is ever committed.
 */
import { cp, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import type { Sops } from "./sops.ts";

/** The sample fleet shipped with drkit. */
export const sampleFleetDir = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "../../../examples/fleet",
);

/**
 * The repository URL the sample fleet's Argo CD Applications name (the local git server's
 * `fleet.git` on its default port); `fleetUrl` replaces it.
 */
export const sampleFleetUrl = "http://127.0.0.1:8470/fleet.git";

/**
 * The OCI registry the sample fleet's HelmRepository and OCIRepository name (the local
 * registry on its default port); `registryHost` replaces it.
 */
export const sampleRegistryHost = "127.0.0.1:8471";

/** Files the fleet keeps encrypted: `*.enc.yaml` anywhere in the tree. */
export const encryptedFilePattern = /\.enc\.ya?ml$/;

export interface MaterializeFleetOptions {
  /** Where to write the fleet; created if missing, files of the same name overwritten. */
  readonly targetDir: string;
  /** The age recipient (`age1...`) the Secrets are encrypted for. */
  readonly ageRecipient: string;
  readonly sops: Sops;
  /** @default - the sample fleet, `examples/fleet/` */
  readonly sourceDir?: string;
  /**
   * Where the fleet is pushed, when not `sampleFleetUrl`: Argo CD Applications name their
   * repository, so theirs is rewritten to it. @default - `sampleFleetUrl`
   */
  readonly fleetUrl?: string;
  /**
   * The `host:port` of the registry the sample's charts and artifacts were published to, when
   * not `sampleRegistryHost` (tests run a registry on a free port). @default - `sampleRegistryHost`
   */
  readonly registryHost?: string;
}

/** Copies the fleet and encrypts its `*.enc.yaml` files; returns their paths relative to the fleet root. */
export async function materializeFleet(options: MaterializeFleetOptions): Promise<string[]> {
  const source = options.sourceDir ?? sampleFleetDir;
  await cp(source, options.targetDir, { recursive: true });
  const encrypted: string[] = [];
  const rewrites: [string, string][] = [
    [sampleFleetUrl, options.fleetUrl ?? sampleFleetUrl],
    [`oci://${sampleRegistryHost}/`, `oci://${options.registryHost ?? sampleRegistryHost}/`],
  ].filter(([from, to]) => from !== to) as [string, string][];
  for (const file of await listFiles(options.targetDir)) {
    if (rewrites.length > 0 && /\.ya?ml$/.test(file)) {
      const text = await readFile(file, "utf8");
      const rewritten = rewrites.reduce((t, [from, to]) => t.replaceAll(from, to), text);
      if (rewritten !== text) await writeFile(file, rewritten);
    }
    if (!encryptedFilePattern.test(file)) continue;
    await options.sops.encryptInPlace(file, options.ageRecipient);
    encrypted.push(relative(options.targetDir, file));
  }
  return encrypted.sort();
}

/** Every file under `dir`, skipping `.git` and other dot-directories. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}
