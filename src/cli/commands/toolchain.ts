/**
 * `drkit toolchain install` and `drkit toolchain status`.
 */
import type { Command } from "commander";

import type { GlobalOptions } from "../context.ts";
import { ExitCode } from "../exit-codes.ts";
import { runCommand } from "../run-command.ts";
import { ConfigError } from "../../core/errors.ts";
import { optionalRecipeNames, type RecipeName, type ToolStatus } from "../../toolchain/index.ts";

/** Parses `--with a,b`: optional recipe names, each checked (pure). */
export function parseWith(value: string, previous: RecipeName[] = []): RecipeName[] {
  const names = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!(optionalRecipeNames as readonly string[]).includes(name)) {
      throw new ConfigError(
        `--with "${name}" is not an optional component: use one of ${optionalRecipeNames.map((n) => `"${n}"`).join(", ")}`,
        { key: "--with" },
      );
    }
  }
  return [...previous, ...(names as RecipeName[])];
}

/** Renders tools as an aligned text table. */
export function renderToolTable(tools: readonly ToolStatus[]): string {
  const rows = [
    ["TOOL", "VERSION", "SOURCE", "PATH"],
    ...tools.map((t) => [t.name, t.version ?? "?", t.source, t.path ?? t.reason ?? ""]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) => r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join("  "))
    .join("\n");
}

export function registerToolchainCommands(program: Command): void {
  const toolchain = program
    .command("toolchain")
    .description(
      "the pinned tools: Kubernetes control plane, etcd, KWOK, Flux controllers, Pulumi, sops",
    );

  toolchain
    .command("install")
    .description(
      "provide every pinned tool: from PATH, the cache, a verified release, or a source build",
    )
    .option("--no-release", "never download release binaries; build what is missing from source")
    .option(
      "--with <components>",
      `also provide optional components, comma-separated (${optionalRecipeNames.join(", ")}); stacks that need one build it on their first run`,
      parseWith,
    )
    .action(async (_opts: unknown, command: Command) => {
      const opts = command.optsWithGlobals<
        GlobalOptions & { release: boolean; with?: RecipeName[] }
      >();
      await runCommand(opts, async (ctx) => {
        const started = performance.now();
        const { installToolchain } = await import("../../toolchain/index.ts");
        const tc = await installToolchain({
          cacheDir: ctx.paths.cacheDir,
          log: ctx.log,
          allowDownload: opts.release,
          with: opts.with ?? [],
        });
        const seconds = Math.round((performance.now() - started) / 1000);
        ctx.log.success(`toolchain ready in ${seconds}s: ${tc.binDir}`);
        const result = {
          ok: true,
          seconds,
          binDir: tc.binDir,
          fluxCrdsDir: tc.fluxCrdsDir,
          argocdCrdsDir: tc.argocdCrdsDir,
          tools: tc.tools,
          recipes: tc.recipes.map((r) => ({
            name: r.recipe,
            version: r.version,
            seconds: r.seconds ?? 0,
          })),
        };
        ctx.output(result, () => `${renderToolTable(tc.tools)}\n\nbin dir: ${tc.binDir}`);
      });
    });

  toolchain
    .command("status")
    .description(
      "report every pinned tool (version, source, path); exit 3 when one is missing (optional components only with --with)",
    )
    .option("--with <components>", "also report these optional components", parseWith)
    .action(async (_opts: unknown, command: Command) => {
      const opts = command.optsWithGlobals<GlobalOptions & { with?: RecipeName[] }>();
      await runCommand(opts, async (ctx) => {
        const { toolchainStatus } = await import("../../toolchain/index.ts");
        const status = await toolchainStatus({
          cacheDir: ctx.paths.cacheDir,
          with: opts.with ?? [],
        });
        ctx.output(status, () => {
          const footer = status.ok
            ? `bin dir: ${status.binDir}`
            : `${status.tools.filter((t) => t.source === "missing").length} tool(s) missing: run "drkit toolchain install"`;
          return `${renderToolTable(status.tools)}\n\n${footer}`;
        });
        return status.ok ? ExitCode.ok : ExitCode.preflight;
      });
    });
}
