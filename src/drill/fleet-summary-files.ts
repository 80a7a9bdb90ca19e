/**
 * Writes a fleet run's summary beside the drills' reports, as JSON and Markdown.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { reportName } from "../dr/report-files.ts";
import { redactDeep } from "../dr/report/summary.ts";
import { renderFleetSummaryMarkdown, type FleetSummary } from "./fleet-summary.ts";

export interface FleetSummaryFiles {
  readonly json: string;
  readonly markdown: string;
}

/** Writes `<stateDir>/reports/drill-fleet-<drills>-<stamp>.{json,md}`; returns the paths. */
export async function writeFleetSummaryFiles(
  stateDir: string,
  summary: FleetSummary,
): Promise<FleetSummaryFiles> {
  const dir = join(stateDir, "reports");
  await mkdir(dir, { recursive: true });
  const base = join(dir, reportName("drill-fleet", `${summary.drills.length}`, summary.startedAt));
  const paths = { json: `${base}.json`, markdown: `${base}.md` };
  await writeFile(paths.json, JSON.stringify(redactDeep(summary), null, 2) + "\n");
  await writeFile(paths.markdown, renderFleetSummaryMarkdown(summary));
  return paths;
}
