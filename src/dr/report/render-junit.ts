/**
 * A restore as JUnit XML (`drkit restore --junit FILE`): one suite, one case per phase, the
 * failures of a phase in its case.
 */
import { formatDuration, measureTotalMs } from "./summary.ts";
import { renderJunitXml, type JunitCase, type JunitSuite } from "./junit.ts";
import type { Failure, PhaseName, RestoreReport } from "./types.ts";

/** `[Deployment/shop/web] not available (owner Kustomization/flux-system/apps)`, one per line. */
function describeFailures(failures: readonly Failure[]): string {
  return failures
    .map(
      (f) =>
        `${f.object ? `[${f.object}] ` : ""}${f.message}${f.owner ? ` (owner ${f.owner})` : ""}`,
    )
    .join("\n");
}

/**
 * One case per phase that ran, in run order; a phase that failed, or collected failures, fails
 * with its detail and its failures. Failures of a phase that has no result get a case of their
 * own, so none is lost.
 */
export function planPhaseCases(report: RestoreReport, classname: string): JunitCase[] {
  const ran = new Set<PhaseName>(report.phases.map((phase) => phase.name));
  const cases: JunitCase[] = report.phases.map((phase) => {
    const failures = report.failures.filter((f) => f.phase === phase.name);
    const failed = !phase.ok || failures.length > 0;
    return {
      name: `phase ${phase.name}`,
      classname,
      timeSeconds: phase.durationMs / 1000,
      ...(phase.skipped && !failed
        ? { skipped: phase.detail ?? "does not apply to this target" }
        : {}),
      ...(failed
        ? {
            failure: {
              message: phase.detail ?? failures[0]?.message ?? `phase ${phase.name} failed`,
              type: "phase",
              ...(failures.length ? { body: describeFailures(failures) } : {}),
            },
          }
        : {}),
    };
  });
  const orphans = report.failures.filter((f) => !ran.has(f.phase));
  for (const phase of new Set(orphans.map((f) => f.phase))) {
    const failures = orphans.filter((f) => f.phase === phase);
    cases.push({
      name: `phase ${phase}`,
      classname,
      timeSeconds: 0,
      failure: { message: failures[0]!.message, type: "phase", body: describeFailures(failures) },
    });
  }
  return cases;
}

/** The restore's suite: its phases, and a `restore` case when it failed without a failed phase. */
export function planRestoreJunitSuite(
  report: RestoreReport,
  options: { readonly hostname?: string } = {},
): JunitSuite {
  const classname = `drkit.restore.${report.stack}`;
  const cases = planPhaseCases(report, classname);
  if (!report.ok && !cases.some((c) => c.failure)) {
    cases.push({
      name: "restore",
      classname,
      timeSeconds: measureTotalMs(report) / 1000,
      failure: {
        message: `the restore failed (${report.failureKind ?? "failed"})`,
        type: "restore",
      },
    });
  }
  return {
    name: `drkit restore ${report.stack}`,
    startedAt: report.startedAt,
    timeSeconds: measureTotalMs(report) / 1000,
    ...(options.hostname ? { hostname: options.hostname } : {}),
    properties: [
      ["stack", report.stack],
      ["targetRegion", report.targetRegion],
      ["ref", report.ref],
      ["commit", report.commit],
      ["rto", formatDuration(measureTotalMs(report))],
      ...(report.failureKind ? [["failureKind", report.failureKind] as const] : []),
    ],
    cases,
  };
}

/** Renders a restore report as JUnit XML. */
export function renderRestoreJunit(
  report: RestoreReport,
  options: { readonly hostname?: string } = {},
): string {
  return renderJunitXml([planRestoreJunitSuite(report, options)]);
}

/**
 * JUnit for a run that stopped with an error before it had a report (bad input, a failed
 * baseline, a preflight finding): one failed case, so CI shows the run as failed instead of
 * finding no file.
 */
export function renderFailedRunJunit(run: {
  /** The suite, e.g. `drkit drill local-region-loss`. */
  readonly suite: string;
  readonly classname: string;
  /** The case, e.g. `drill` or `restore`. */
  readonly name: string;
  readonly message: string;
  /** The error's kind or class, e.g. `ConfigError`. */
  readonly type: string;
  readonly startedAt: string;
  readonly timeSeconds: number;
  readonly hostname?: string;
}): string {
  const [first = run.message, ...rest] = run.message.split("\n");
  return renderJunitXml([
    {
      name: run.suite,
      startedAt: run.startedAt,
      timeSeconds: run.timeSeconds,
      ...(run.hostname ? { hostname: run.hostname } : {}),
      cases: [
        {
          name: run.name,
          classname: run.classname,
          timeSeconds: run.timeSeconds,
          failure: {
            message: first,
            type: run.type,
            ...(rest.length ? { body: run.message } : {}),
          },
        },
      ],
    },
  ]);
}
