/**
 * `drkit preflight --stack <stack>`: DR readiness before anything breaks.
 *
 * Checks that the ref exists, the region's Kustomizations build, the escrowed key decrypts every
 * encrypted file, custom resources come after their CRDs, dependencies wait for health, and no
 * Kustomization is a dead end (see `dr/preflight/dead-ends.ts`). `drkit restore` runs the same
 * checks before it provisions anything.
 * With `--kubeconfig`/`--context`, `--fleet-url` and `--fleet-path` instead of a stack, the fleet
 * of a cluster drkit did not create, and the cluster itself: it answers, and its reconciler can
 * be installed or connected (a server-side dry run).
 * Every failure is listed with its fix. Exit 0: ready; 3: a check failed; 2: bad flags.
 */
import type { Command } from "commander";

import type { GlobalOptions } from "../context.ts";
import { ExitCode } from "../exit-codes.ts";
import { runCommand } from "../run-command.ts";
import { clusterTargetOption, openClusterTarget, parseTargetFlags } from "../target-flags.ts";
import { runtimesFor } from "./runtimes.ts";
import { describeStack, type StackFlags } from "./verify.ts";

interface PreflightFlags extends StackFlags {
  readonly ageKeyFile?: string;
}

export function registerPreflightCommand(program: Command): void {
  program
    .command("preflight")
    .description(
      "check DR readiness of a stack's fleet: ref, build, decryption key, ordering, every dead end in the fleet graph",
    )
    .option("--stack <stack>", "the stack to check, e.g. local-b")
    .addOption(clusterTargetOption("kubeconfig"))
    .addOption(clusterTargetOption("context"))
    .addOption(clusterTargetOption("fleetPath"))
    .addOption(clusterTargetOption("reconciler"))
    .addOption(clusterTargetOption("vaultTokenFile"))
    .option(
      "--ref <ref>",
      "branch, tag or commit to check (default: the stack's fleet branch; with --kubeconfig the fleet's default branch)",
    )
    .option(
      "--fleet-url <url>",
      "read the fleet from this URL instead of the stack's drkit:fleet.url (with --kubeconfig: the fleet repository)",
    )
    .option(
      "--age-key-file <file>",
      "the escrowed age key (default: $SOPS_AGE_KEY, $SOPS_AGE_KEY_FILE, the platform's escrow; with --kubeconfig, the cluster's decryption Secret)",
    )
    .action(async (flags: PreflightFlags, command: Command) => {
      await runCommand(command.optsWithGlobals<GlobalOptions>(), async (ctx) => {
        const [{ createFleetPreflight }, { renderPreflightText }, { loadToolchain }] =
          await Promise.all([
            import("../../dr/fleet-preflight.ts"),
            import("../../dr/preflight/index.ts"),
            import("../../toolchain/index.ts"),
          ]);
        const selected = parseTargetFlags(flags, "preflight");
        const cluster =
          selected.kind === "cluster" ? await openClusterTarget(selected.flags, ctx) : undefined;
        const target = cluster ? undefined : await describeStack(ctx, flags, "preflight");
        // Only what the checks run (kubectl and helm render, sops decrypts): a cloud stack's
        // preflight needs no local control plane built, and pinned binaries on PATH will do.
        const toolchain = await loadToolchain({
          cacheDir: ctx.paths.cacheDir,
          tools: ["kubectl", "sops", "helm"],
        });
        const preflight = createFleetPreflight({
          stateDir: ctx.paths.stateDir,
          cacheDir: ctx.paths.cacheDir,
          tools: toolchain,
          runtimeFor: await runtimesFor(ctx),
          log: ctx.log,
        });
        const result = cluster
          ? await (
              await import("../../dr/cluster-target/index.ts")
            ).runClusterPreflight(preflight, cluster, flags.ref)
          : await preflight.run({
              target: target!,
              ref: flags.ref ?? target!.fleet.branch,
              ...(flags.ageKeyFile ? { ageKeyFile: flags.ageKeyFile } : {}),
            });
        ctx.output(result, () => renderPreflightText(result));
        if (result.ok) ctx.log.success(`stack "${result.stack}" is ready for a restore`);
        return result.ok ? ExitCode.ok : ExitCode.preflight;
      });
    });
}
