/**
 * Writes a drill's report as JSON (the drill result), Markdown and an HTML page.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { redactDeep } from "../dr/report/summary.ts";
import type { DrillReportFiles, DrillResult } from "./history/drill-result.ts";
import { renderDrillHtmlReport } from "./report/render-html.ts";
import { renderDrillMarkdownReport } from "./report/render-markdown.ts";

/** Writes `<stateDir>/reports/<name>.{json,md,html}`; returns the paths. */
export async function writeDrillReportFiles(
  stateDir: string,
  name: string,
  result: DrillResult,
): Promise<DrillReportFiles> {
  const dir = join(stateDir, "reports");
  await mkdir(dir, { recursive: true });
  const base = join(dir, name);
  const paths = { json: `${base}.json`, markdown: `${base}.md`, html: `${base}.html` };
  await writeFile(paths.json, JSON.stringify(redactDeep(result), null, 2) + "\n");
  await writeFile(paths.markdown, renderDrillMarkdownReport(result));
  await writeFile(paths.html, await renderDrillHtmlReport(result));
  return paths;
}
