/**
 * `drkit vault start|status|stop|encrypt`: the local Vault of the state dir (the optional `vault`
 * recipe, built on first start), whose transit key encrypts the fleet's SOPS files
 * (`hc_vault_transit`) and which a local region's kustomize-controller decrypts them with.
 */
import type { Command } from "commander";

import type { CommandContext, GlobalOptions } from "../context.ts";
import { ExitCode } from "../exit-codes.ts";
import { runCommand } from "../run-command.ts";

interface KeyFlags {
  readonly key: string;
}

const keyOption = ["--key <name>", "the transit key", "fleet"] as const;

export function registerVaultCommands(program: Command): void {
  const vault = program
    .command("vault")
    .description("the local Vault whose transit key encrypts the fleet's SOPS files");
  vault
    .command("start")
    .description(
      "start the local Vault (building it on first use) with a transit key, and leave it running",
    )
    .option(...keyOption)
    .action((flags: KeyFlags) =>
      runCommand(program.opts<GlobalOptions>(), async (ctx) => {
        const { server, keyUrl } = await startWithKey(ctx, flags.key);
        ctx.output(
          { ok: true, running: true, address: server.address, transitKey: flags.key, keyUrl },
          () =>
            `local Vault on ${server.address}, transit key "${flags.key}": encrypt a fleet file with \`drkit vault encrypt <file>\` (sops --hc-vault-transit ${keyUrl})`,
        );
        return ExitCode.ok;
      }),
    );
  vault
    .command("status")
    .description("whether the local Vault runs, and where")
    .action(() =>
      runCommand(program.opts<GlobalOptions>(), async (ctx) => {
        const { findVaultServer } = await import("../../local/vault-server.ts");
        const server = await findVaultServer(ctx.paths.stateDir);
        ctx.output({ ok: true, running: Boolean(server), ...(server ?? {}) }, () =>
          server
            ? `local Vault on ${server.address} (pid ${server.pid})`
            : "local Vault: not running (`drkit vault start` starts it)",
        );
        return ExitCode.ok;
      }),
    );
  vault
    .command("stop")
    .description("stop the local Vault; its keys stay on disk, and a start unseals them again")
    .action(() =>
      runCommand(program.opts<GlobalOptions>(), async (ctx) => {
        const { stopVaultServer } = await import("../../local/vault-server.ts");
        const pids = await stopVaultServer(ctx.paths.stateDir);
        ctx.output({ ok: true, stopped: pids }, () =>
          pids.length > 0
            ? `stopped the local Vault (pid ${pids.join(", ")})`
            : "local Vault: not running",
        );
        return ExitCode.ok;
      }),
    );
  vault
    .command("encrypt <files...>")
    .description(
      "encrypt Kubernetes Secret YAML files in place with SOPS and the local Vault's transit key",
    )
    .option(...keyOption)
    .action((files: string[], flags: KeyFlags) =>
      runCommand(program.opts<GlobalOptions>(), async (ctx) => {
        const [{ existsSync }, { resolve }, { ConfigError, PreflightError }] = await Promise.all([
          import("node:fs"),
          import("node:path"),
          import("../../core/errors.ts"),
        ]);
        const missing = files.filter((f) => !existsSync(f));
        if (missing.length > 0)
          throw new ConfigError(
            `no such file: ${missing.map((f) => `"${f}"`).join(", ")}: pass the Secret manifests to encrypt, e.g. drkit vault encrypt apps/shop/db.enc.yaml`,
            { key: "files" },
          );
        const { keyUrl, token } = await startWithKey(ctx, flags.key);
        if (token === undefined)
          throw new PreflightError(
            `the local Vault runs but its token is gone from ${ctx.paths.stateDir}/vault/data: stop it, remove that dir and start it again (its keys are lost with it)`,
          );
        const [{ loadToolchain }, { createSopsCli }] = await Promise.all([
          import("../../toolchain/index.ts"),
          import("../../dr/fleet/index.ts"),
        ]);
        const tools = await loadToolchain({ cacheDir: ctx.paths.cacheDir, tools: ["sops"] });
        const sops = createSopsCli(tools.path("sops"), process.env, undefined, token);
        for (const file of files) await sops.encryptForVaultInPlace(resolve(file), keyUrl);
        ctx.output({ ok: true, encrypted: files, keyUrl }, () =>
          files.map((f) => `encrypted "${f}" with ${keyUrl}`).join("\n"),
        );
        return ExitCode.ok;
      }),
    );
}

/** Starts the local Vault unless it runs (building it on first use) and makes sure of the key. */
async function startWithKey(ctx: CommandContext, key: string) {
  const [{ ConfigError }, vaultServer, { readLocalVaultToken }, { installToolchain }] =
    await Promise.all([
      import("../../core/errors.ts"),
      import("../../local/vault-server.ts"),
      import("../../local/secret-store.ts"),
      import("../../toolchain/index.ts"),
    ]);
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(key))
    throw new ConfigError(
      `--key "${key}" is not a transit key name: use letters, digits, "-" and "_", e.g. --key fleet`,
      { key: "--key" },
    );
  const server = await vaultServer.ensureVaultServer({
    stateDir: ctx.paths.stateDir,
    log: ctx.log,
    binary: async () =>
      (
        await installToolchain({
          cacheDir: ctx.paths.cacheDir,
          tools: ["vault-dev-server"],
          log: ctx.log,
        })
      ).path("vault-dev-server"),
  });
  const token = readLocalVaultToken(ctx.paths.stateDir);
  const keyUrl =
    token === undefined
      ? `${server.address}/v1/${vaultServer.transitMount}/keys/${key}`
      : await vaultServer.ensureTransitKey({ address: server.address, token, name: key });
  return { server, keyUrl, token };
}
