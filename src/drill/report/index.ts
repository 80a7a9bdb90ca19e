/**
 * Drill reports: what a drill proved (verdict, injected failure, objectives, checks, RPO and
 * timeline) as Markdown, HTML, text and JUnit. Pure renderers over a `DrillResult`.
 */
export {
  describeFailureInjection,
  describeObjective,
  describeObjectiveOutcome,
  formatMeasure,
  formatOffset,
  formatRpo,
  formatRtoVsObjective,
  planCheckRows,
  planDrillFacts,
  planDrillTimeline,
  planDrillVerdict,
  planLostObjectRows,
  planObjectiveRows,
  planRto,
  planRpoRows,
} from "./summary.ts";
export type { DrillTimelineEvent } from "./summary.ts";
export { renderDrillMarkdownReport } from "./render-markdown.ts";
export { renderDrillHtmlReport } from "./render-html.ts";
export { renderDrillTimelineText } from "./render-text.ts";
export { planDrillJunitSuite, renderDrillJunit } from "./render-junit.ts";
