/**
 * The drill history: what every drill records, where it is kept, and how trends are shown.
 */
export { drillResultSchemaVersion } from "./drill-result.ts";
export type {
  DrillFleet,
  DrillProvenance,
  DrillRunner,
  DrillReportFiles,
  DrillResult,
  DrillSpecFile,
} from "./drill-result.ts";
export { parseHistory, serializeHistoryEntry } from "./ndjson.ts";
export type { DrillHistory } from "./ndjson.ts";
export { openDrillHistoryStore, historyFilePath, historyStoreKinds } from "./store.ts";
export type { DrillHistoryStore } from "./store.ts";
export { createFileHistoryStore, appendHistoryLine } from "./file-store.ts";
export { createGitHistoryStore, defaultHistoryBranch } from "./git-store.ts";
export type { GitHistoryStoreOptions } from "./git-store.ts";
export { planHistoryRows, compareTo, median, trendArrows } from "./trend.ts";
export type { HistoryRow, TrendDelta, TrendDirection } from "./trend.ts";
export {
  renderHistoryTable,
  historyHeaders,
  historyCells,
  historyPhaseColumns,
  formatTrend,
  formatStartedAt,
  toHistoryRowJson,
} from "./render-table.ts";
export type { HistoryRowJson } from "./render-table.ts";
export { renderHistoryHtml, planRtoTrendChart, planPhaseStackChart } from "./render-html.ts";
