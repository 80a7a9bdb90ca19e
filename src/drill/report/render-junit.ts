/**
 * A drill as JUnit XML (`drkit drill run --junit FILE`): one suite per run, one case per restore
 * phase, objective and check, each failure with its message.
 */
import { renderJunitXml, type JunitCase, type JunitSuite } from "../../dr/report/junit.ts";
import { planPhaseCases } from "../../dr/report/render-junit.ts";
import { measureTotalMs } from "../../dr/report/summary.ts";
import type { DrillResult } from "../history/drill-result.ts";
import { renderDrillTimelineText } from "./render-text.ts";
import { describeObjective, describeObjectiveOutcome, planDrillVerdict } from "./summary.ts";

/** The drill's suite; its time is the whole drill's, its phases' the restore's. */
export function planDrillJunitSuite(result: DrillResult): JunitSuite {
  const classname = `drkit.drill.${result.spec}`;
  const cases: JunitCase[] = [
    ...planPhaseCases(result.restore, classname),
    ...result.objectives.map((o): JunitCase => ({
      name: `objective ${describeObjective(o.objective)}`,
      classname,
      timeSeconds: 0,
      ...(o.passed ? {} : { failure: { message: describeObjectiveOutcome(o), type: "objective" } }),
    })),
    ...result.checks.map((c): JunitCase => ({
      name: `check ${c.check}`,
      classname,
      timeSeconds: 0,
      ...(c.ok
        ? {}
        : { failure: { message: c.detail ?? `check ${c.check} failed`, type: "check" } }),
    })),
  ];
  const verdict = planDrillVerdict(result);
  if (!result.passed && !cases.some((c) => c.failure)) {
    cases.push({
      name: "drill",
      classname,
      timeSeconds: 0,
      failure: { message: verdict.reasons[0] ?? "the drill failed", type: "drill" },
    });
  }
  const wall = Date.parse(result.finishedAt) - Date.parse(result.startedAt);
  const p = result.provenance;
  const properties: [string, string][] = [
    ...(result.id ? [["drill.id", result.id] as [string, string]] : []),
    ["drill.spec", result.spec],
    ["drill.failure", result.failure.type],
    ["drill.sourceStack", result.sourceStack],
    ["drill.targetStack", result.targetStack],
    ["drill.passed", String(result.passed)],
    ["restore.commit", result.restore.commit],
    ["restore.rtoSeconds", String(measureTotalMs(result.restore) / 1000)],
  ];
  if (p) {
    properties.push(["operator", p.operator], ["drkit.version", p.drkitVersion]);
    if (p.ci?.jobUrl) properties.push(["ci.jobUrl", p.ci.jobUrl]);
  }
  return {
    name: `drkit drill ${result.spec}`,
    startedAt: result.startedAt,
    timeSeconds:
      Number.isFinite(wall) && wall > 0 ? wall / 1000 : measureTotalMs(result.restore) / 1000,
    ...(p ? { hostname: p.host } : {}),
    properties,
    cases,
    systemOut: renderDrillTimelineText(result),
  };
}

/** Renders a drill result as JUnit XML. */
export function renderDrillJunit(result: DrillResult): string {
  return renderJunitXml([planDrillJunitSuite(result)]);
}
