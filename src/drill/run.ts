/**
 * `drkit drill run`: break the primary for real, fail over with the restore engine, prove the
 * result against the drill's objectives and record it in the drill history.
 */
import { randomUUID } from "node:crypto";

import { PreflightError, StepFailedError } from "../core/errors.ts";
import { redact } from "../core/redact.ts";
import type { Kube } from "../kube/index.ts";
import { restore } from "../dr/restore/restore.ts";
import { reconcilerDriver } from "../gitops/reconciler-driver.ts";
import type { RuntimeFor } from "../dr/region-runtime.ts";
import type { UnownedObject } from "../dr/verify/coverage.ts";
import type { RestoreDeps, StackTarget } from "../dr/restore/types.ts";
import { validateInjectable } from "./capabilities.ts";
import { runChecks } from "./checks.ts";
import { RunJournal } from "../core/run-journal.ts";
import type {
  DrillHistoryStore,
  DrillProvenance,
  DrillReportFiles,
  DrillResult,
  DrillRunner,
  DrillSpecFile,
} from "./history/index.ts";
import { drillResultSchemaVersion } from "./history/index.ts";
import { injectFailure } from "./inject.ts";
import type { CommitInfo } from "./objectives.ts";
import { computeRpo, decideDrillPassed, evaluateObjectives } from "./objectives.ts";
import { planDrill, validateDrillConfirmation, type DrillPlan } from "./plan.ts";
import type { DrillSpec } from "./spec.ts";
import type { Traffic } from "../dns/traffic.ts";
import { switchTrafficPhase } from "./traffic-phase.ts";

export interface DrillDeps {
  readonly restore: RestoreDeps;
  /** Each platform's runtime: what it can inject, and how. */
  readonly runtimeFor: RuntimeFor;
  /** The service records the drill switches (local DNS server or the clouds' failover records). */
  readonly traffic: Traffic;
  /** Commit metadata from the fleet repository, for the RPO. */
  readonly commits: {
    info(url: string, sha: string): Promise<CommitInfo>;
    between(url: string, from: string, to: string): Promise<CommitInfo[]>;
  };
  readonly history: DrillHistoryStore;
  /**
   * Writes the drill's report files before the result is recorded, so the record says where they
   * are. A report that cannot be written is a warning: the drill's result is still recorded.
   * @default - no report files
   */
  readonly reports?: { write(result: DrillResult): Promise<DrillReportFiles> };
}

export interface DrillRunOptions {
  readonly confirmedStacks?: readonly string[];
  readonly dryRun?: boolean;
  /** Stops the drill (SIGINT/SIGTERM): the restore stops its phase and the result says so. */
  readonly signal?: AbortSignal;
  /** The run's id in the history, reports and JUnit. @default - a random UUID */
  readonly id?: string;
  /** The spec file as read, recorded as evidence of what was tested. @default - not recorded */
  readonly specFile?: DrillSpecFile;
  /** Who runs the drill and where, recorded as evidence. @default - not recorded */
  readonly provenance?: DrillProvenance;
  /** The restore's warm-up apply (`RestoreOptions.warmUp`). @default true */
  readonly warmUp?: boolean;
  /**
   * The run's journal: a later attempt with the same journal resumes after the last finished
   * step (no second injection, no second `pulumi up`). @default - a fresh one
   */
  readonly journal?: RunJournal;
  /** Which runner runs the drill, recorded in the result. @default embedded */
  readonly runner?: Omit<DrillRunner, "interruptions">;
}

export type DrillOutcome =
  | { readonly dryRun: true; readonly plan: DrillPlan }
  | { readonly dryRun: false; readonly plan: DrillPlan; readonly result: DrillResult };

/** Runs a drill (or with `dryRun`, only plans it and changes nothing). */
export async function runDrill(
  spec: DrillSpec,
  options: DrillRunOptions,
  deps: DrillDeps,
): Promise<DrillOutcome> {
  const { clock, provisioner } = deps.restore;
  const journal = options.journal ?? new RunJournal();
  const startedAt = new Date(
    await journal.step("drill.started", async () => clock.now().toISOString()),
  );
  const source = await provisioner.describe(spec.sourceStack);
  const target =
    spec.targetStack === spec.sourceStack ? source : await provisioner.describe(spec.targetStack);
  const plan = planDrill(spec, {
    protectedStacks: [source, target].filter((t) => t.protected).map((t) => t.stack),
    confirmedStacks: options.confirmedStacks ?? [],
    reconciler: source.reconciler,
    ...(target.dns ? { dnsName: target.dns.recordName } : {}),
  });
  validateDrillConfirmation(plan);
  validateInjectable(spec.failure, source, deps.runtimeFor(source.platform));
  if (options.dryRun) return { dryRun: true, plan };

  const locks = await lockStacks([source.stack, target.stack], deps.restore);
  try {
    const stacks = { source, target };
    const result = await runLocked(spec, plan, stacks, { ...options, journal }, deps, startedAt);
    return { dryRun: false, plan, result };
  } finally {
    locks.forEach((l) => l.release());
  }
}

async function lockStacks(stacks: readonly string[], deps: RestoreDeps) {
  const held: { release(): void }[] = [];
  try {
    for (const stack of new Set(stacks)) held.push(await deps.locks.acquire(stack));
  } catch (err) {
    held.forEach((l) => l.release());
    throw err;
  }
  return held;
}

async function runLocked(
  spec: DrillSpec,
  plan: DrillPlan,
  { source, target }: { readonly source: StackTarget; readonly target: StackTarget },
  options: DrillRunOptions & { readonly journal: RunJournal },
  deps: DrillDeps,
  startedAt: Date,
): Promise<DrillResult> {
  const { clock, log } = deps.restore;
  const { journal } = options;
  const recorded = journal.get<DrillResult>("drill.recorded");
  if (recorded) return recorded;
  const { unowned, primaryCommit } = await journal.step("drill.baseline", () =>
    checkBaseline(spec, source, target, options, deps),
  );
  const injectedAt = new Date(
    await journal.step("drill.inject", async () => {
      log.action(
        `drill "${spec.name}": injecting "${spec.failure.type}" into stack "${source.stack}"`,
      );
      const sourceKube = await kubeOf(source, deps);
      const at = clock.now();
      await injectFailure(spec.failure, {
        source,
        runtime: deps.runtimeFor(source.platform),
        kube: () => sourceKube,
        log,
      });
      return at.toISOString();
    }),
  );

  // The reconciler goes back to steady settings while traffic moves (neither waits for the
  // other); the checks then see the region as it stays.
  let handBack: Promise<void> = Promise.resolve();
  const report = await restore(
    {
      stack: target.stack,
      startedAt: injectedAt,
      journal,
      ...(options.warmUp === false ? { warmUp: false } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      onHandBack: (settled) => (handBack = settled),
    },
    deps.restore,
  );
  const withDns =
    plan.inPlace || !report.ok
      ? report
      : await switchTrafficPhase(report, target, { traffic: deps.traffic, clock, log });
  await handBack;

  const checks = await runChecks(spec.checks, {
    report: withDns,
    target,
    traffic: deps.traffic,
    restoreDeps: deps.restore,
  });
  const lostObjects = await findLostObjects(unowned, target, deps).catch((err: unknown) => {
    log.warn(
      `objects only the primary held not checked on the target: ${err instanceof Error ? err.message : String(err)}`,
    );
    return null;
  });
  if (lostObjects?.length)
    log.warn(
      `lost in the failover (only the primary held them, not Git): ${lostObjects.map((o) => o.ref).join(", ")}`,
    );
  const rpo = await measureRpo(target, primaryCommit, withDns.commit, deps).catch(
    (err: unknown) => {
      log.warn(`RPO not measured: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    },
  );
  const objectives = evaluateObjectives(spec.objectives, {
    restore: withDns,
    rpo,
    lostObjects: lostObjects ? lostObjects.length : null,
  });
  const judged: DrillResult = {
    kind: "drill",
    schemaVersion: drillResultSchemaVersion,
    id: options.id ?? randomUUID(),
    spec: spec.name,
    ...(options.specFile ? { specFile: options.specFile } : {}),
    ...(options.provenance ? { provenance: options.provenance } : {}),
    startedAt: startedAt.toISOString(),
    finishedAt: clock.now().toISOString(),
    injectedAt: injectedAt.toISOString(),
    sourceStack: source.stack,
    targetStack: target.stack,
    fleet: {
      url: redact(target.fleet.url),
      branch: target.fleet.branch,
      path: target.fleet.path,
      restoredCommit: withDns.commit,
      ...(primaryCommit ? { primaryCommit } : {}),
    },
    failure: spec.failure,
    restore: withDns,
    rpo,
    lostObjects,
    objectives,
    checks,
    passed: decideDrillPassed({ restore: withDns, objectives, checks }),
    runner: { ...(options.runner ?? { engine: "embedded" }), interruptions: journal.interruptions },
  };
  const reportFiles = await deps.reports?.write(judged).catch((err: unknown) => {
    log.warn(
      `drill report not written: ${err instanceof Error ? err.message : String(err)}; the result is still recorded`,
    );
    return undefined;
  });
  const result: DrillResult = reportFiles ? { ...judged, reportFiles } : judged;
  await deps.history.append(result);
  journal.record("drill.recorded", result);
  log[result.passed ? "success" : "fail"](
    `drill "${spec.name}" ${result.passed ? "passed" : "failed"}`,
  );
  return result;
}

/**
 * The source is healthy before anything is broken; returns what the drill compares against
 * afterwards (the objects only the primary held, the commit it had reconciled).
 */
async function checkBaseline(
  spec: DrillSpec,
  source: StackTarget,
  target: StackTarget,
  options: DrillRunOptions,
  deps: DrillDeps,
): Promise<{ unowned?: UnownedObject[]; primaryCommit?: string }> {
  const { log } = deps.restore;
  await assertTargetRestorable(target, deps.restore);
  log.action(`drill "${spec.name}": baseline check of stack "${source.stack}"`);
  const baseline = await restore(
    {
      stack: source.stack,
      readOnly: true,
      convergeTimeoutMs: 300_000,
      ...(options.signal ? { signal: options.signal } : {}),
    },
    deps.restore,
  );
  if (!baseline.ok) {
    throw new StepFailedError(
      "baseline",
      `stack "${source.stack}" is not healthy before the drill, so nothing was injected: ${baseline.failures.map((f) => f.message).join("; ")}`,
    );
  }
  const sourceKube = await kubeOf(source, deps);
  const primaryCommit = await reconcilerDriver(source.reconciler).reconciledCommit(sourceKube);
  return {
    ...(baseline.coverage ? { unowned: [...baseline.coverage.unowned] } : {}),
    ...(primaryCommit ? { primaryCommit } : {}),
  };
}

/**
 * The target's fleet must pass preflight before anything is broken: a drill that kills the
 * primary and only then finds the standby cannot be restored has caused an outage for nothing.
 */
async function assertTargetRestorable(target: StackTarget, deps: RestoreDeps): Promise<void> {
  const ref = await deps.git.resolveRef(target.fleet.url, target.fleet.branch);
  const result = await deps.preflight.check({
    target,
    ref: target.fleet.branch,
    commit: ref.commit,
  });
  if (result.ok) return;
  const failures = result.checks.flatMap((c) =>
    c.failures.map((f) => `${c.name}: ${f.message}; fix: ${f.fix}`),
  );
  throw new PreflightError(
    `stack "${target.stack}" cannot be restored from "${target.fleet.branch}" (${ref.commit.slice(0, 12)}), so nothing was injected: ${failures.join("; ")}`,
    { failures },
  );
}

async function kubeOf(stack: StackTarget, deps: DrillDeps): Promise<Kube> {
  const runtime = deps.runtimeFor(stack.platform);
  const path = await runtime.kubeconfigPath(stack);
  if (!path)
    throw new StepFailedError(
      "baseline",
      `stack "${stack.stack}" has no cluster to drill: ${runtime.bringUpHint(stack)}`,
    );
  return deps.restore.kubeFor(path);
}

/**
 * The objects only the primary held before the failure (its unowned objects at the baseline) that
 * the target does not have now; null when the baseline did not judge coverage.
 */
async function findLostObjects(
  unowned: readonly UnownedObject[] | undefined,
  target: StackTarget,
  deps: DrillDeps,
): Promise<UnownedObject[] | null> {
  if (!unowned) return null;
  if (unowned.length === 0) return [];
  const kube = await kubeOf(target, deps);
  const present = await Promise.all(
    unowned.map(async (o) => {
      const ref = {
        apiVersion: o.apiVersion,
        kind: o.kind,
        name: o.name,
        ...(o.namespace ? { namespace: o.namespace } : {}),
      };
      return (await kube.get(ref)) !== undefined;
    }),
  );
  return unowned.filter((_, i) => !present[i]);
}

async function measureRpo(
  target: StackTarget,
  primarySha: string | undefined,
  restoredSha: string,
  deps: DrillDeps,
) {
  if (!primarySha || !restoredSha)
    throw new Error("the primary's or the restored commit is unknown");
  const url = target.fleet.url;
  const [primary, restored, between] = await Promise.all([
    deps.commits.info(url, primarySha),
    deps.commits.info(url, restoredSha),
    deps.commits.between(url, restoredSha, primarySha),
  ]);
  return computeRpo({ primary, restored, commitsBetween: between });
}
