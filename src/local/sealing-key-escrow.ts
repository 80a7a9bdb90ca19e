/**
 * The local platform's escrow of sealing keys: one JSON file per key under the state dir's
 * secret store, readable by its owner only (as the escrowed age key beside it).
 */
import { existsSync } from "node:fs";
import { chmod, mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { registerSecret } from "../core/redact.ts";
import type { EscrowedKey, KeyEscrow } from "../sealed-secrets/escrow.ts";
import { fromPem, type SealingKey } from "../sealed-secrets/sealing-key.ts";

export function sealingKeyEscrowDir(stateDir: string): string {
  return join(stateDir, "secrets", "sealed-secrets");
}

export function localKeyEscrow(stateDir: string): KeyEscrow {
  const dir = sealingKeyEscrowDir(stateDir);
  const fileOf = (fingerprint: string) =>
    join(dir, `${Buffer.from(fingerprint).toString("base64url")}.json`);
  const list = async (): Promise<EscrowedKey[]> => {
    if (!existsSync(dir)) return [];
    const keys: EscrowedKey[] = [];
    for (const file of (await readdir(dir)).filter((f) => f.endsWith(".json")).sort()) {
      const stored = JSON.parse(await readFile(join(dir, file), "utf8")) as EscrowedKey;
      registerSecret(stored.privateKey);
      // Re-derived from the PEM, so a hand-edited file cannot claim another fingerprint.
      const key = fromPem(stored.name, stored.certificate, stored.privateKey);
      if (typeof key === "string") throw new Error(`escrowed key ${join(dir, file)}: ${key}`);
      keys.push({ ...key, backedUpAt: stored.backedUpAt, fromStack: stored.fromStack });
    }
    return keys.sort((a, b) => (a.notBefore < b.notBefore ? -1 : 1));
  };
  return {
    location: dir,
    list,
    async add(keys: readonly SealingKey[], from) {
      const known = new Set((await list()).map((k) => k.fingerprint));
      const added: EscrowedKey[] = [];
      await mkdir(dir, { recursive: true, mode: 0o700 });
      for (const key of keys) {
        if (known.has(key.fingerprint)) continue;
        const escrowed: EscrowedKey = {
          ...key,
          backedUpAt: from.at.toISOString(),
          fromStack: from.stack,
        };
        const file = fileOf(key.fingerprint);
        await writeFile(`${file}.tmp`, JSON.stringify(escrowed, null, 2) + "\n", { mode: 0o600 });
        await chmod(`${file}.tmp`, 0o600);
        await rename(`${file}.tmp`, file);
        known.add(key.fingerprint);
        added.push(escrowed);
      }
      return added;
    },
  };
}
