/**
 * `drkit verify --stack <stack> [--ref <ref>]`: is the live cluster what Git says, and healthy?
 * With `--kubeconfig`/`--context`, `--fleet-url` and `--fleet-path` instead of a stack, of a
 * cluster drkit did not create (`target-flags.ts`).
 *
 * Renders the region's path from the fleet at the ref (following its Flux Kustomizations, and
 * rendering each HelmRelease's chart with helm, its values decrypted with the escrowed key when a
 * Secret holds them) and compares it with the cluster, without changing anything. Exit 0: no
 * drift; 1: drift, missing, extra or unhealthy objects; 2: bad flags or stack config; 3: the
 * cluster or ref is unreachable.
 */
import type { Command } from "commander";

import { PreflightError } from "../../core/errors.ts";
import type { Logger } from "../../core/logger.ts";
import type { StackTarget } from "../../dr/restore/types.ts";
import type { HelmTools } from "../../dr/verify/flux/helm-release.ts";
import type { Kube } from "../../kube/index.ts";
import type { CommandContext, GlobalOptions } from "../context.ts";
import { ExitCode } from "../exit-codes.ts";
import { runCommand } from "../run-command.ts";
import {
  clusterTargetOption,
  openClusterTarget,
  parseTargetFlags,
  type TargetCommand,
  type TargetFlagValues,
} from "../target-flags.ts";
import { runtimesFor } from "./runtimes.ts";

/** Flags shared by `verify` and `preflight`: a stack, or a cluster and its fleet. */
export interface StackFlags extends TargetFlagValues {
  readonly ref?: string;
}

/**
 * Reads the target: the stack's committed config (`--fleet-url` overrides the fleet URL), or
 * what the cluster the flags name holds (it must answer: exit 3 otherwise).
 */
export async function describeStack(
  ctx: CommandContext,
  flags: StackFlags,
  command: TargetCommand = "verify",
): Promise<StackTarget> {
  const selected = parseTargetFlags(flags, command);
  if (selected.kind === "cluster")
    return (await openClusterTarget(selected.flags, ctx)).describe("");
  const { createPulumiProvisioner } = await import("../../dr/provisioner.ts");
  const provisioner = createPulumiProvisioner({
    rootDir: ctx.rootDir,
    stateDir: ctx.paths.stateDir,
    runtimeFor: await runtimesFor(ctx),
  });
  const target = await provisioner.describe(selected.stack);
  return flags.fleetUrl ? { ...target, fleet: { ...target.fleet, url: flags.fleetUrl } } : target;
}

/** What rendering needs besides kubectl: helm for charts, sops for encrypted chart values. */
export interface RenderTools {
  readonly kubectl: string;
  readonly helm?: HelmTools;
  readonly sops?: string;
}

/**
 * The toolchain's kubectl, helm and sops (only what rendering runs). Without helm or sops in the
 * toolchain, HelmReleases are not rendered: a warning, not a failure.
 */
export async function loadRenderTools(cacheDir: string, log: Logger): Promise<RenderTools> {
  const [{ loadToolchain }, { kubernetesVersion }] = await Promise.all([
    import("../../toolchain/index.ts"),
    import("../../toolchain/recipes.ts"),
  ]);
  try {
    const toolchain = await loadToolchain({ cacheDir, tools: ["kubectl", "helm", "sops"] });
    return {
      kubectl: toolchain.path("kubectl"),
      helm: { binary: toolchain.path("helm"), kubeVersion: kubernetesVersion },
      sops: toolchain.path("sops"),
    };
  } catch (err) {
    const toolchain = await loadToolchain({ cacheDir, tools: ["kubectl"] });
    log.warn(
      `helm or sops is not installed (${err instanceof Error ? err.message.split("\n")[0] : String(err)}): HelmReleases' charts are not verified; run \`drkit toolchain install\``,
    );
    return { kubectl: toolchain.path("kubectl") };
  }
}

/**
 * The age key for HelmRelease values in encrypted Secrets: `--age-key-file`, `$SOPS_AGE_KEY`,
 * `$SOPS_AGE_KEY_FILE`, the platform's escrow, else the decryption Secret Flux reads in the
 * cluster itself.
 */
async function findVerifyKey(
  flags: { readonly ageKeyFile?: string },
  escrowedKeyFile: string | undefined,
  kube: Kube,
): Promise<string | undefined> {
  const [{ findAgeIdentity, readAgeIdentity }, { flux }, { registerSecret }] = await Promise.all([
    import("../../dr/fleet/index.ts"),
    import("../../gitops/versions.ts"),
    import("../../core/redact.ts"),
  ]);
  const local = findAgeIdentity(flags.ageKeyFile ? { ageKeyFile: flags.ageKeyFile } : {}, {
    escrowedKeyFile,
  });
  if (local) return local;
  const secret = await kube
    .get({ apiVersion: "v1", kind: "Secret", namespace: flux.namespace, name: flux.sopsSecretName })
    .catch(() => undefined);
  for (const value of Object.values((secret?.data ?? {}) as Record<string, string>)) {
    const identity = readAgeIdentity(Buffer.from(value, "base64").toString("utf8"));
    if (identity) {
      registerSecret(identity);
      return identity;
    }
  }
  return undefined;
}

export function registerVerifyCommand(program: Command): void {
  program
    .command("verify")
    .description(
      "compare the live cluster of a stack with the fleet in Git (drift check; changes nothing)",
    )
    .option("--stack <stack>", "the stack whose cluster to check, e.g. local-a")
    .addOption(clusterTargetOption("kubeconfig"))
    .addOption(clusterTargetOption("context"))
    .addOption(clusterTargetOption("fleetPath"))
    .addOption(clusterTargetOption("reconciler"))
    .option(
      "--ref <ref>",
      "branch, tag or commit to compare with (default: the stack's fleet branch; with --kubeconfig the fleet's default branch)",
    )
    .option(
      "--fleet-url <url>",
      "read the fleet from this URL instead of the stack's drkit:fleet.url (with --kubeconfig: the fleet repository)",
    )
    .option(
      "--age-key-file <file>",
      "the age key for HelmRelease values in SOPS-encrypted Secrets (default: $SOPS_AGE_KEY, $SOPS_AGE_KEY_FILE, the platform's escrow, the cluster's decryption Secret)",
    )
    .option(
      "--no-coverage",
      "skip listing every object of the cluster for what Git would lose (objects only the cluster holds)",
    )
    .action(
      async (flags: StackFlags & { coverage?: boolean; ageKeyFile?: string }, command: Command) => {
        await runCommand(command.optsWithGlobals<GlobalOptions>(), async (ctx) => {
          const [
            { createFleetGit },
            { createVerifier, renderVerifyText },
            { createKube },
            { createSopsCli },
          ] = await Promise.all([
            import("../../dr/fleet-git.ts"),
            import("../../dr/verify/index.ts"),
            import("../../kube/index.ts"),
            import("../../dr/fleet/index.ts"),
          ]);
          const target = await describeStack(ctx, flags);
          const runtime = (await runtimesFor(ctx))(target.platform);
          const kubeconfig = await runtime.kubeconfigPath(target);
          if (!kubeconfig) {
            throw new PreflightError(
              `no kubeconfig for stack "${target.stack}": ${runtime.bringUpHint(target)}`,
            );
          }
          const ref = flags.ref ?? target.fleet.branch;
          ctx.log.action(`resolving "${ref}" in "${target.fleet.url}"`);
          const { commit } = await createFleetGit(ctx.paths.stateDir).resolveRef(
            target.fleet.url,
            ref,
          );
          // Only what verify runs: pinned binaries on PATH will do, no local control plane.
          const tools = await loadRenderTools(ctx.paths.cacheDir, ctx.log);
          const kube = createKube(kubeconfig);
          // An unreachable API server is exit 3 (documented above), not a verify failure (1).
          await kube.list({ apiVersion: "v1", kind: "Namespace" }).catch((err: unknown) => {
            throw new PreflightError(
              `the cluster of stack "${target.stack}" is not reachable (${err instanceof Error ? err.message : String(err)}): restore it with \`drkit restore --stack ${target.stack}\``,
              { cause: err },
            );
          });
          const identity = tools.sops
            ? await findVerifyKey(flags, runtime.escrowedKeyFile(), kube)
            : undefined;
          const sops = tools.sops ? createSopsCli(tools.sops) : undefined;
          const verifier = createVerifier({
            stateDir: ctx.paths.stateDir,
            kubectl: tools.kubectl,
            ...(tools.helm ? { helm: tools.helm } : {}),
            ...(sops && identity
              ? { decryptorFor: () => (file: string) => sops.decrypt(file, identity) }
              : {}),
            log: ctx.log,
          });
          const result = await verifier.verifyDetailed({
            target,
            commit,
            kube,
            coverage: flags.coverage !== false,
          });
          const output = { stack: target.stack, ref, ...result };
          ctx.output(output, () => renderVerifyText(result, `stack "${target.stack}" vs "${ref}"`));
          if (result.ok) ctx.log.success(`stack "${target.stack}" matches "${ref}"`);
          else ctx.log.fail(`stack "${target.stack}" does not match "${ref}"`);
          return result.ok ? ExitCode.ok : ExitCode.failed;
        });
      },
    );
}
