/**
 * `drkit keys backup --stack S | --kubeconfig F [--context C]` and `drkit keys status [--stack S
 * | --kubeconfig F [--context C]]`: the escrow of Sealed Secrets sealing keys that a rebuilt
 * region needs to decrypt the SealedSecrets in Git. A cluster drkit did not create (`--kubeconfig`,
 * read as kubectl reads it) escrows into the external platform's escrow, the one
 * `drkit restore --kubeconfig` puts in place.
 *
 * Exit codes: 0 done (status: every live key is escrowed); 2 bad flags or stack; 3 the region
 * is not reachable or holds no key (backup), or the escrow is empty or lacks a live key (status).
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter } from "node:path";

import type { Command } from "commander";

import { ConfigError, PreflightError } from "../../core/errors.ts";
import { validateStackName } from "../../config/stack-names.ts";
import type { KeyEscrow } from "../../sealed-secrets/escrow.ts";
import type { LiveKeys, KeySummary } from "../../sealed-secrets/live-keys.ts";
import type { CommandContext, GlobalOptions } from "../context.ts";
import { ExitCode } from "../exit-codes.ts";
import { runCommand } from "../run-command.ts";
import { clusterTargetOption } from "../target-flags.ts";
import { runtimesFor } from "./runtimes.ts";

interface KeysFlags {
  readonly stack?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly controllerNamespace: string;
}

/** The region the flags name: a stack, or a cluster by kubeconfig; exit 2 for neither or both. */
function sourceOf(
  flags: KeysFlags,
  required: boolean,
): string | { kubeconfig?: string; context?: string } | undefined {
  const cluster = flags.kubeconfig !== undefined || flags.context !== undefined;
  if (flags.stack !== undefined && cluster)
    throw new ConfigError(
      `--stack "${flags.stack}" and --kubeconfig/--context name two regions: pass one of them`,
      { key: "--stack" },
    );
  if (flags.stack !== undefined) return flags.stack;
  if (cluster)
    return {
      ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
      ...(flags.context !== undefined ? { context: flags.context } : {}),
    };
  if (required)
    throw new ConfigError(
      "no region given: pass --stack <stack>, or --kubeconfig <file> [--context <name>] for a cluster drkit did not create",
      { key: "--stack" },
    );
  return undefined;
}

/** A cluster drkit did not create: its name, live keys and the external platform's escrow. */
async function clusterKeysOf(
  ctx: CommandContext,
  flags: { kubeconfig?: string; context?: string },
  namespace: string,
): Promise<{ name: string; live: LiveKeys; escrow: KeyEscrow }> {
  const [{ clusterKubeconfig, clusterTargetName }, { createKube }, { readLiveKeys }] =
    await Promise.all([
      import("../../dr/cluster-target/index.ts"),
      import("../../kube/index.ts"),
      import("../../sealed-secrets/live-keys.ts"),
    ]);
  const cluster = clusterKubeconfig(
    {
      ...(flags.kubeconfig !== undefined ? { flag: flags.kubeconfig } : {}),
      ...(process.env.KUBECONFIG !== undefined ? { env: process.env.KUBECONFIG } : {}),
      home: process.env.HOME ?? homedir(),
      delimiter,
      ...(flags.context !== undefined ? { context: flags.context } : {}),
    },
    {
      stateDir: ctx.paths.stateDir,
      readFile: (path) => (existsSync(path) ? readFileSync(path, "utf8") : undefined),
    },
  );
  const resolved = { name: clusterTargetName(cluster.context, cluster.clusterName), cluster };
  const escrow = (await runtimesFor(ctx))("external").keyEscrow?.();
  if (!escrow)
    throw new PreflightError(
      "drkit keeps no sealing key escrow for clusters it did not create: keep the controller's key Secrets in your own secret store",
    );
  try {
    const live = await readLiveKeys(createKube(resolved.cluster.kubeconfigPath), namespace);
    return { name: resolved.name, live, escrow };
  } catch (err) {
    throw new PreflightError(
      `cannot read the sealing keys of cluster "${resolved.name}" (${resolved.cluster.server}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}): back up from a cluster whose API server answers`,
      { cause: err },
    );
  }
}

/** The live keys and escrow of the region the flags name. */
async function regionKeysOf(
  ctx: CommandContext,
  source: string | { kubeconfig?: string; context?: string },
  namespace: string,
): Promise<{ name: string; live: LiveKeys; escrow: KeyEscrow }> {
  if (typeof source !== "string") return clusterKeysOf(ctx, source, namespace);
  return { name: source, ...(await liveKeysOf(ctx, source, namespace)) };
}

/**
 * The stack's live keys and its platform's escrow; PreflightError (exit 3) when its cluster does
 * not answer or the platform keeps no escrow.
 */
async function liveKeysOf(
  ctx: CommandContext,
  stack: string,
  namespace: string,
): Promise<{ live: LiveKeys; escrow: KeyEscrow }> {
  validateStackName(ctx.rootDir, stack, "--stack");
  const [{ createPulumiProvisioner }, { createKube }, { readLiveKeys }] = await Promise.all([
    import("../../dr/provisioner.ts"),
    import("../../kube/index.ts"),
    import("../../sealed-secrets/live-keys.ts"),
  ]);
  const runtimeFor = await runtimesFor(ctx);
  const target = await createPulumiProvisioner({
    rootDir: ctx.rootDir,
    stateDir: ctx.paths.stateDir,
    runtimeFor,
  }).describe(stack);
  const runtime = runtimeFor(target.platform);
  const escrow = runtime.keyEscrow?.();
  if (!escrow)
    throw new PreflightError(
      `drkit keeps no sealing key escrow for the ${target.platform} platform of stack "${stack}" yet: keep the controller's key Secrets in your own secret store`,
    );
  const kubeconfig = await runtime.kubeconfigPath(target);
  if (!kubeconfig)
    throw new PreflightError(`no kubeconfig for stack "${stack}": ${runtime.bringUpHint(target)}`);
  try {
    return { live: await readLiveKeys(createKube(kubeconfig), namespace), escrow };
  } catch (err) {
    throw new PreflightError(
      `cannot read the sealing keys of stack "${stack}" (${err instanceof Error ? err.message.split("\n")[0] : String(err)}): back up from a region whose API server answers`,
      { cause: err },
    );
  }
}

const line = (k: KeySummary) =>
  `  ${k.name}  ${k.fingerprint}  since ${k.notBefore.slice(0, 10)}${k.backedUpAt ? `  backed up ${k.backedUpAt.slice(0, 16).replace("T", " ")} from ${k.fromStack}` : ""}`;

export function registerKeysCommands(program: Command): void {
  const keys = program
    .command("keys")
    .description("the escrow of Sealed Secrets sealing keys a rebuilt region decrypts with");
  const namespace = (command: Command) =>
    command.option(
      "--controller-namespace <namespace>",
      "where the Sealed Secrets controller keeps its keys",
      "kube-system",
    );

  namespace(keys.command("backup"))
    .description("copy every sealing key of a live region into the escrow (keys it has are kept)")
    .option("--stack <stack>", "the stack whose region's keys to escrow, e.g. local-a")
    .addOption(clusterTargetOption("kubeconfig"))
    .addOption(clusterTargetOption("context"))
    .action(async (flags: KeysFlags, command: Command) => {
      await runCommand(command.optsWithGlobals<GlobalOptions>(), async (ctx) => {
        const { summarize } = await import("../../sealed-secrets/live-keys.ts");
        const source = sourceOf(flags, true)!;
        const {
          name: stack,
          live,
          escrow,
        } = await regionKeysOf(ctx, source, flags.controllerNamespace);
        const region = typeof source === "string" ? `stack "${stack}"` : `cluster "${stack}"`;
        for (const why of live.unreadable) ctx.log.warn(`skipped: ${why}`);
        if (live.keys.length === 0)
          throw new PreflightError(
            `the region of ${region} holds no sealing key in namespace "${live.namespace}" (Secrets labelled sealedsecrets.bitnami.com/sealed-secrets-key): is its Sealed Secrets controller running (drkit:sealedSecrets: true), or does it keep its keys elsewhere (--controller-namespace)?`,
          );
        const added = await escrow.add(live.keys, { stack, at: new Date() });
        const all = await escrow.list();
        ctx.output(
          {
            ok: true,
            stack,
            escrow: escrow.location,
            live: live.keys.map(summarize),
            added: added.map(summarize),
            escrowed: all.map(summarize),
          },
          () =>
            [
              `✔ ${added.length} of ${live.keys.length} live key(s) of ${region} added to the escrow (${escrow.location}); it holds ${all.length}`,
              ...all.map((k) => line(summarize(k))),
            ].join("\n"),
        );
        return ExitCode.ok;
      });
    });

  namespace(keys.command("status"))
    .description(
      "what the escrow holds and when it was backed up; with --stack, the live keys it lacks",
    )
    .option("--stack <stack>", "compare with this stack's live region, e.g. local-a")
    .addOption(clusterTargetOption("kubeconfig"))
    .addOption(clusterTargetOption("context"))
    .action(async (flags: KeysFlags, command: Command) => {
      await runCommand(command.optsWithGlobals<GlobalOptions>(), async (ctx) => {
        const [{ localKeyEscrow }, { summarize }, { notEscrowed }] = await Promise.all([
          import("../../local/sealing-key-escrow.ts"),
          import("../../sealed-secrets/live-keys.ts"),
          import("../../sealed-secrets/escrow.ts"),
        ]);
        // Without a region: the escrow of the machine drkit runs on (the local platform's).
        const source = sourceOf(flags, false);
        const target = source
          ? await regionKeysOf(ctx, source, flags.controllerNamespace)
          : undefined;
        const backup =
          source === undefined || typeof source === "string"
            ? `--stack ${flags.stack ?? "<stack>"}`
            : [
                ...(flags.kubeconfig ? [`--kubeconfig ${flags.kubeconfig}`] : []),
                ...(flags.context ? [`--context ${flags.context}`] : []),
              ].join(" ");
        const escrow = target?.escrow ?? localKeyEscrow(ctx.paths.stateDir);
        const live = target?.live;
        const escrowed = await escrow.list();
        const missing = live ? notEscrowed(live.keys, escrowed) : [];
        const ok = escrowed.length > 0 && missing.length === 0;
        const fix = `run \`drkit keys backup ${backup}\``;
        ctx.output(
          {
            ok,
            escrow: escrow.location,
            escrowed: escrowed.map(summarize),
            ...(live && target ? { stack: target.name, live: live.keys.map(summarize) } : {}),
            notEscrowed: missing.map(summarize),
          },
          () =>
            [
              escrowed.length === 0
                ? `✗ the escrow (${escrow.location}) holds no sealing key: ${fix}`
                : `${escrowed.length} escrowed sealing key(s) in ${escrow.location}:`,
              ...escrowed.map((k) => line(summarize(k))),
              ...(live && missing.length === 0 && escrowed.length > 0
                ? [`✔ every live key of "${target?.name}" (${live.keys.length}) is escrowed`]
                : []),
              ...(missing.length > 0
                ? [
                    `✗ ${missing.length} live key(s) of "${target?.name}" not escrowed (a restore could not decrypt what they sealed): ${fix}`,
                    ...missing.map((k) => line(summarize(k))),
                  ]
                : []),
            ].join("\n"),
        );
        return ok ? ExitCode.ok : ExitCode.preflight;
      });
    });
}
