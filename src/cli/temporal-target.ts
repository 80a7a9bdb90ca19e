/**
 * The flags every Temporal-facing command shares, and the server they name: --temporal-address
 * (or `DRKIT_TEMPORAL_ADDRESS`), else the state dir's local server, started (and its
 * `temporal-server` built) on first use, as a restore starts the local Git server.
 */
import { Option, type Command } from "commander";

import type { CommandContext } from "./context.ts";

export interface TemporalFlags {
  readonly temporalAddress?: string;
  readonly namespace?: string;
  readonly taskQueue?: string;
}

/** Adds --temporal-address, --namespace and --task-queue to `command`. */
export function addTemporalOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--temporal-address <host:port>",
        "the Temporal frontend (gRPC); without it, the local server of the state dir (started when it is not running)",
      ).env("DRKIT_TEMPORAL_ADDRESS"),
    )
    .option("--namespace <name>", "the Temporal namespace", "default")
    .option("--task-queue <name>", "the task queue drkit's workers poll", "drkit");
}

/** The server the flags name; validates them first, starts the local server when none is named. */
export async function resolveTemporalTarget(flags: TemporalFlags, ctx: CommandContext) {
  const [{ parseTemporalAddress, defaultNamespace, defaultTaskQueue }, { ConfigError }] =
    await Promise.all([import("../temporal/connection.ts"), import("../core/errors.ts")]);
  const name = (flag: string, value: string | undefined, fallback: string) => {
    const v = value ?? fallback;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/.test(v))
      throw new ConfigError(
        `${flag} "${v}" is not a Temporal name: use letters, digits, ".", "_" and "-", e.g. ${flag} ${fallback}`,
        { key: flag },
      );
    return v;
  };
  const namespace = name("--namespace", flags.namespace, defaultNamespace);
  const taskQueue = name("--task-queue", flags.taskQueue, defaultTaskQueue);
  if (flags.temporalAddress) {
    return { address: parseTemporalAddress(flags.temporalAddress), namespace, taskQueue };
  }
  const [{ ensureTemporalServer }, { installToolchain }] = await Promise.all([
    import("../local/temporal-server.ts"),
    import("../toolchain/index.ts"),
  ]);
  const server = await ensureTemporalServer({
    stateDir: ctx.paths.stateDir,
    log: ctx.log,
    binaries: async () => {
      const toolchain = await installToolchain({
        cacheDir: ctx.paths.cacheDir,
        tools: ["temporal-server", "temporal-ui-server"],
        log: ctx.log,
      });
      return {
        server: toolchain.path("temporal-server"),
        ui: toolchain.path("temporal-ui-server"),
      };
    },
  });
  if (namespace !== defaultNamespace) {
    const { connectTemporal, ensureNamespace } = await import("../temporal/connection.ts");
    const connection = await connectTemporal(server.address);
    await ensureNamespace(connection, namespace).finally(() => connection.close());
  }
  return {
    address: server.address,
    namespace,
    taskQueue,
    ...(server.uiUrl ? { uiUrl: server.uiUrl } : {}),
  };
}
