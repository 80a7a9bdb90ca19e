/**
 * `drkit local artifact push`: a directory as a Flux OCI artifact on the local registry, what
 * `flux push artifact` does, for an `OCIRepository` (with `insecure: true`) to pull. It writes,
 * so it starts the registry when that does not run.
 */
import type { Command } from "commander";

import type { PushedArtifact } from "../../local/oci-artifact-push.ts";
import type { GlobalOptions } from "../context.ts";
import { runCommand } from "../run-command.ts";

interface ArtifactFlags {
  readonly name: string;
  readonly tag?: string;
  readonly source?: string;
  readonly revision?: string;
  readonly reproducible?: boolean;
}

/** What `local artifact push` prints (pure): the reference and how an OCIRepository names it. */
export function renderPushedArtifact(artifact: PushedArtifact): string {
  return [
    `${artifact.url}:${artifact.tag}@${artifact.digest} (${artifact.files} ${artifact.files === 1 ? "file" : "files"})`,
    `OCIRepository: url: ${artifact.url}, ref.tag: ${artifact.tag}, insecure: true`,
  ].join("\n");
}

export function registerLocalArtifactCommands(local: Command, globals: () => GlobalOptions): void {
  const artifact = local
    .command("artifact")
    .description("Flux OCI artifacts (for OCIRepository) on the local OCI registry");

  artifact
    .command("push <dir>")
    .description(
      "push a directory's files as a Flux OCI artifact to the local registry (what `flux push artifact` does); prints the URL an OCIRepository names",
    )
    .requiredOption(
      "--name <repository>",
      "the registry repository, e.g. fleet (oci://127.0.0.1:<port>/fleet)",
    )
    .option("--tag <tag>", "the tag to push (default: latest)")
    .option(
      "--source <url>",
      "the org.opencontainers.image.source annotation, e.g. the fleet's Git URL",
    )
    .option(
      "--revision <revision>",
      "the org.opencontainers.image.revision annotation, e.g. main@sha1:<commit>",
    )
    .option(
      "--reproducible",
      "set the created time to 1970-01-01T00:00:00Z, so the same files give the same manifest digest",
    )
    .action((dir: string, flags: ArtifactFlags) =>
      runCommand(globals(), async (ctx) => {
        const { validateArtifactPush, pushFluxArtifact } =
          await import("../../local/oci-artifact-push.ts");
        // Bad input fails before the registry starts or a toolchain loads.
        const request = validateArtifactPush({
          dir,
          repository: flags.name,
          ...(flags.tag === undefined ? {} : { tag: flags.tag }),
          ...(flags.source === undefined ? {} : { source: flags.source }),
          ...(flags.revision === undefined ? {} : { revision: flags.revision }),
          ...(flags.reproducible ? { created: new Date(0) } : {}),
        });
        const [{ ensureRegistry }, { loadToolchain }] = await Promise.all([
          import("../../local/registry.ts"),
          import("../../toolchain/index.ts"),
        ]);
        const registry = await ensureRegistry({
          stateDir: ctx.paths.stateDir,
          log: ctx.log,
          registryBinary: async () =>
            (await loadToolchain({ cacheDir: ctx.paths.cacheDir, tools: ["registry"] })).path(
              "registry",
            ),
        });
        ctx.log.action(
          `pushing "${dir}" to "${registry.ociUrl(request.repository)}:${request.tag}"`,
        );
        const pushed = await pushFluxArtifact({ registry, request });
        for (const path of pushed.skipped) {
          ctx.log.warn(`left out "${path}": not a regular file or directory (Flux skips it too)`);
        }
        ctx.log.success(
          pushed.upToDate
            ? `artifact "${pushed.url}:${pushed.tag}" already up to date`
            : `pushed artifact "${pushed.url}:${pushed.tag}"`,
        );
        ctx.output({ ok: true, artifact: pushed }, () => renderPushedArtifact(pushed));
      }),
    );
}
