/**
 * Writes a restore's report as JSON, Markdown and an HTML page with the phase timeline.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

import {
  renderHtmlReport,
  renderJsonReport,
  renderMarkdownReport,
  type RestoreReport,
} from "./report/index.ts";

/** Writes `<stateDir>/reports/<name>.{json,md,html}`; returns the paths. */
export async function writeReportFiles(
  stateDir: string,
  name: string,
  report: RestoreReport,
): Promise<{ json: string; markdown: string; html: string }> {
  const dir = join(stateDir, "reports");
  await mkdir(dir, { recursive: true });
  const base = join(dir, name);
  const paths = { json: `${base}.json`, markdown: `${base}.md`, html: `${base}.html` };
  await writeFile(paths.json, renderJsonReport(report));
  await writeFile(paths.markdown, renderMarkdownReport(report));
  await writeFile(paths.html, await renderHtmlReport(report));
  return paths;
}

/** A file-name-safe stamp of a report: `<kind>-<stack>-<yyyymmddThhmmss>`. */
export function reportName(kind: string, stack: string, startedAt: string): string {
  return `${kind}-${stack}-${startedAt.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}`;
}
