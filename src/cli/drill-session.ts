/**
 * One drill as `drill run` and `drill fleet` both run it: the spec read and validated, its plan
 * made (protected stacks confirmed) before anything changes, then the local preparation and the
 * drill itself with the real deps. `drill fleet` holds several at once, each with its own logger.
 */
import type { Logger } from "../core/logger.ts";
import { RunJournal } from "../core/run-journal.ts";
import type {
  DrillHistoryStore,
  DrillResult,
  DrillRunner,
  DrillSpecFile,
} from "../drill/history/index.ts";
import type { DrillPlan } from "../drill/plan.ts";
import type { DrillSpec } from "../drill/spec.ts";
import type { CommandContext } from "./context.ts";
import { validateDrillStacks } from "./drill-stacks.ts";

export interface DrillSessionOptions {
  readonly ctx: CommandContext;
  /** Where this drill's progress goes (the command's logger, or a prefixed one in a fleet run). */
  readonly log: Logger;
  readonly history: DrillHistoryStore;
  readonly confirmedStacks: readonly string[];
  /** Seed the fleet, bring the primary up and make the standby cold first (local stacks). */
  readonly prepare: boolean;
  readonly warmUp: boolean;
  /**
   * Runs the local preparation's steps on what drills share (the git server, the registry, the
   * fleet repository); a fleet run passes one that runs them one drill at a time.
   * @default - runs them at once
   */
  readonly exclusive?: <T>(step: () => Promise<T>) => Promise<T>;
}

/** A drill read, validated and planned: nothing has changed yet. */
export interface PlannedDrill {
  readonly spec: DrillSpec;
  readonly specFile: DrillSpecFile;
  readonly plan: DrillPlan;
  /**
   * Prepares (local stacks) and runs the drill; resolves with the result as recorded. With a
   * journal (a Temporal attempt), what an earlier attempt finished is not done again.
   */
  run(options?: DrillSessionRun): Promise<DrillResult>;
}

/** What the runner adds to one run of a planned drill. */
export interface DrillSessionRun {
  readonly journal?: RunJournal;
  /** The run's id (the same across attempts). @default - a random UUID */
  readonly id?: string;
  readonly runner?: Omit<DrillRunner, "interruptions">;
  /** Stops the run. @default - the command's signal */
  readonly signal?: AbortSignal;
}

/**
 * Reads the spec at `specPath`, checks its stacks and plans the drill (a protected stack not
 * confirmed is refused here). `onSpec` sees the spec as soon as it is read (JUnit of a failure).
 */
export async function planDrillSession(
  specPath: string,
  options: DrillSessionOptions,
  onSpec?: (spec: DrillSpec) => void,
): Promise<PlannedDrill> {
  const { ctx, log } = options;
  const [
    { reportName },
    { createRestoreDeps },
    { createCommitInfo },
    { createSystemTraffic },
    { prepareLocalDrill },
    { runDrill },
    { readDrillSpecFile },
    { writeDrillReportFiles },
    { describeProvenance, readDrkitVersion, readMachineFacts },
  ] = await Promise.all([
    import("../dr/report-files.ts"),
    import("../dr/restore-deps.ts"),
    import("../drill/commit-info.ts"),
    import("./system-traffic.ts"),
    import("../cloud/local/drill-setup.ts"),
    import("../drill/run.ts"),
    import("../drill/spec.ts"),
    import("../drill/report-files.ts"),
    import("../drill/provenance.ts"),
  ]);
  const { spec, file: specFile } = await readDrillSpecFile(specPath);
  onSpec?.(spec);
  // Input before tools: a spec naming no stack of the project is exit 2 right here.
  await validateDrillStacks(ctx.rootDir, spec, specPath);
  const deps = await createRestoreDeps({ ...ctx.paths, rootDir: ctx.rootDir, log });
  const stateDir = ctx.paths.stateDir;
  const traffic = createSystemTraffic({
    rootDir: ctx.rootDir,
    stateDir,
    cacheDir: ctx.paths.cacheDir,
    log,
  });
  const drillDeps = {
    restore: deps,
    runtimeFor: deps.runtimeFor,
    traffic,
    commits: createCommitInfo(stateDir),
    history: options.history,
    reports: {
      write: (result: DrillResult) =>
        writeDrillReportFiles(stateDir, reportName("drill", spec.name, result.startedAt), result),
    },
  };
  const runOptions = {
    confirmedStacks: options.confirmedStacks,
    signal: ctx.signal,
    specFile,
    provenance: describeProvenance(process.env, readMachineFacts(), readDrkitVersion()),
    warmUp: options.warmUp,
  };
  const planned = await runDrill(spec, { ...runOptions, dryRun: true }, drillDeps);
  const exclusive = options.exclusive ? { exclusive: options.exclusive } : {};
  return {
    spec,
    specFile,
    plan: planned.plan,
    async run(run = {}) {
      const journal = run.journal ?? new RunJournal();
      const source = await deps.provisioner.describe(spec.sourceStack);
      const target = await deps.provisioner.describe(spec.targetStack);
      if (options.prepare && source.platform === "local" && target.platform === "local") {
        await journal.step("drill.prepare", () =>
          prepareLocalDrill({ stateDir, source, target, deps, traffic, log, ...exclusive }),
        );
      }
      const outcome = await runDrill(
        spec,
        {
          ...runOptions,
          journal,
          ...(run.id ? { id: run.id } : {}),
          ...(run.runner ? { runner: run.runner } : {}),
          ...(run.signal ? { signal: run.signal } : {}),
        },
        drillDeps,
      );
      if (outcome.dryRun) throw new Error("a drill run came back as a dry run");
      return outcome.result;
    },
  };
}
