/**
 * Restore reports: the typed result of a restore and its JSON, Markdown and HTML renderings.
 */
export { phaseNames, formatObjectRef } from "./types.ts";
export type {
  PhaseName,
  PhaseResult,
  ObjectCounts,
  OwnerObjects,
  Failure,
  RestoreReport,
} from "./types.ts";
export {
  measureTotalMs,
  planOwnersTable,
  planPhaseTimings,
  sumPhaseDurations,
  groupFailuresByPhase,
  formatDuration,
  redactDeep,
} from "./summary.ts";
export type { PhaseTiming } from "./summary.ts";
export { renderJsonReport } from "./render-json.ts";
export { renderMarkdownReport } from "./render-markdown.ts";
export { renderHtmlReport } from "./render-html.ts";
export { renderChartSvg, planPhaseTimelineChart, resultColors } from "./chart.ts";
export { escapeHtml, renderHtmlPage, renderHtmlTable } from "./html.ts";
export { renderTimelineText } from "./render-text.ts";
