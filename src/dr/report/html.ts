/**
 * Building blocks for drkit's self-contained HTML pages (restore reports, drill history).
 *
 * Pages carry their styles inline and their charts as inline SVG: no script, no stylesheet and
 * no font is fetched, so a page works offline and can be attached to a ticket as one file.
 */

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** Renders a table; cells are escaped text. */
export function renderHtmlTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const head = header.map((title) => `<th>${escapeHtml(title)}</th>`).join("");
  const body = rows
    .map((row) => `<tr>${row.map((value) => `<td>${escapeHtml(value)}</td>`).join("")}</tr>`)
    .join("\n");
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

const styles = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 60rem; color: #1f2328; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; } h3 { font-size: 1rem; }
table { border-collapse: collapse; margin: 0.5rem 0; }
th, td { border: 1px solid #d0d7de; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
code { font-family: ui-monospace, monospace; }
.ok { color: #2e7d32; } .failed { color: #c62828; }
figure { margin: 1rem 0; }
`;

/**
 * Wraps body markup (already escaped) in a complete page with inline styles.
 */
export function renderHtmlPage(page: { readonly title: string; readonly body: string }): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(page.title)}</title>`,
    `<style>${styles}</style>`,
    "</head>",
    "<body>",
    page.body,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
