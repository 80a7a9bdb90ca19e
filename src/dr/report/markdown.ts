/**
 * Building blocks for drkit's Markdown reports (restore reports, drill reports, evidence index).
 */

/** Escapes text for a Markdown table cell: no HTML, pipes escaped, newlines as `<br>`; `-` when empty. */
export function escapeMarkdownCell(text: string | undefined): string {
  if (text === undefined || text === "") return "-";
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll("\\", "\\\\")
    .replaceAll("|", "\\|")
    .replace(/\r?\n/g, "<br>");
}

/** A Markdown table as lines; cells are inserted as given (escape them with `escapeMarkdownCell`). */
export function renderMarkdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string[] {
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => " --- ").join("|")}|`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ];
}
