/**
 * An evidence bundle for auditors, as data: per drill a folder with the spec as it ran, the
 * recorded result, the drill report (Markdown and HTML) and its timeline; an index of every drill;
 * and `manifest.json` plus `SHA256SUMS` over every file. Writing it is `write.ts`.
 *
 * Everything is rendered from the history entries (the record of what happened), so a bundle can
 * be made on any machine that can read the history, and every string passes through `redact`.
 */
import { redact } from "../../core/redact.ts";
import { escapeHtml, renderHtmlPage } from "../../dr/report/html.ts";
import { escapeMarkdownCell as cell, renderMarkdownTable } from "../../dr/report/markdown.ts";
import { measureTotalMs, redactDeep } from "../../dr/report/summary.ts";
import type { DrillProvenance, DrillResult } from "../history/drill-result.ts";
import { serializeHistoryEntry } from "../history/ndjson.ts";
import { renderDrillHtmlReport } from "../report/render-html.ts";
import { renderDrillMarkdownReport } from "../report/render-markdown.ts";
import { renderDrillTimelineText } from "../report/render-text.ts";
import { formatRpo, formatRtoVsObjective, planDrillVerdict } from "../report/summary.ts";
import {
  describeFile,
  evidenceManifestKind,
  manifestFile,
  renderSha256Sums,
  sha256Hex,
  sumsFile,
  type EvidenceManifest,
  type ManifestDrill,
} from "./manifest.ts";

/** One file of the bundle: its path relative to the bundle and its text. */
export interface EvidenceFile {
  readonly path: string;
  readonly content: string;
}

/** What the bundle is about and who made it. */
export interface EvidenceContext {
  readonly generatedAt: string;
  readonly generatedBy: DrillProvenance;
  /** Where the drills were read from, e.g. the history file or `<repo> branch <branch>`. */
  readonly history: string;
  readonly range: EvidenceManifest["range"];
}

/** A rendered bundle: every file (the integrity files last) and the manifest they end with. */
export interface EvidenceBundle {
  readonly files: readonly EvidenceFile[];
  readonly manifest: EvidenceManifest;
}

/** The files of a drill's folder, in the order they are listed. */
export const drillFolderFiles = [
  "spec.yaml",
  "drill.json",
  "report.md",
  "report.html",
  "timeline.txt",
] as const;

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")
    .replace(/^[-.]+|-+$/g, "") || "drill";

/**
 * The drill's folder: `<yyyy-mm-dd>-<spec>-<id>` with the first 8 characters of the run's id (of
 * the entry's hash for entries recorded before drills had ids); unique within `taken`.
 */
export function planDrillFolder(entry: DrillResult, taken: ReadonlySet<string>): string {
  const time = Date.parse(entry.startedAt);
  const date = Number.isNaN(time) ? "undated" : new Date(time).toISOString().slice(0, 10);
  const id = (entry.id ?? sha256Hex(serializeHistoryEntry(entry))).replaceAll("-", "").slice(0, 8);
  const base = `${date}-${slug(entry.spec)}-${slug(id)}`;
  let dir = base;
  for (let n = 2; taken.has(dir); n++) dir = `${base}-${n}`;
  return dir;
}

function describeDrill(entry: DrillResult, dir: string): ManifestDrill {
  const rto = entry.objectives.find((o) => o.objective === "rto");
  return {
    dir,
    ...(entry.id ? { id: entry.id } : {}),
    spec: entry.spec,
    startedAt: entry.startedAt,
    passed: entry.passed,
    sourceStack: entry.sourceStack,
    targetStack: entry.targetStack,
    failure: entry.failure.type,
    rtoSeconds: Math.round(measureTotalMs(entry.restore) / 100) / 10,
    ...(rto ? { rtoObjectiveSeconds: rto.budget } : {}),
    rpoCommits: entry.rpo ? entry.rpo.commits : null,
    lostObjects: entry.lostObjects == null ? null : entry.lostObjects.length,
    ...(entry.provenance ? { operator: entry.provenance.operator } : {}),
    specRecorded: entry.specFile !== undefined,
  };
}

async function renderDrillFolder(entry: DrillResult, dir: string): Promise<EvidenceFile[]> {
  const files: EvidenceFile[] = [];
  if (entry.specFile) files.push({ path: `${dir}/spec.yaml`, content: entry.specFile.content });
  files.push(
    { path: `${dir}/drill.json`, content: JSON.stringify(entry, null, 2) + "\n" },
    { path: `${dir}/report.md`, content: renderDrillMarkdownReport(entry) },
    { path: `${dir}/report.html`, content: await renderDrillHtmlReport(entry) },
    { path: `${dir}/timeline.txt`, content: renderDrillTimelineText(entry) },
  );
  return files;
}

function describePeriod(range: EvidenceManifest["range"]): string {
  const period =
    range.since && range.until
      ? `from ${range.since} to ${range.until}`
      : range.since
        ? `since ${range.since}`
        : range.until
          ? `until ${range.until}`
          : "all recorded drills";
  return range.stack ? `${period}, stack ${range.stack}` : period;
}

const indexHeader = [
  "Date (UTC)",
  "Drill",
  "Verdict",
  "Failure injected",
  "RTO vs objective",
  "RPO",
  "Operator",
  "Evidence",
];

function indexCells(entry: DrillResult): string[] {
  return [
    entry.startedAt.slice(0, 19).replace("T", " "),
    entry.spec,
    planDrillVerdict(entry).label,
    `${entry.failure.type} into ${entry.sourceStack}`,
    formatRtoVsObjective(entry),
    formatRpo(entry),
    entry.provenance?.operator ?? "not recorded",
  ];
}

/** `octocat (runner@ci-7)`, or `alice@laptop` when the operator is the machine's user. */
function describeOperator(by: Pick<DrillProvenance, "operator" | "user" | "host">): string {
  const machine = `${by.user}@${by.host}`;
  return by.operator === machine ? machine : `${by.operator} (${machine})`;
}

function summaryLines(context: EvidenceContext, drills: readonly ManifestDrill[]) {
  const passed = drills.filter((d) => d.passed).length;
  const by = context.generatedBy;
  return {
    title: `Recovery test evidence: ${drills.length} ${drills.length === 1 ? "drill" : "drills"}, ${passed} passed, ${drills.length - passed} failed`,
    facts: [
      ["Period", describePeriod(context.range)],
      ["Drill history", context.history],
      ["Generated", context.generatedAt],
      ["Generated by", `${describeOperator(by)} with drkit ${by.drkitVersion}`],
    ],
    purpose:
      "Each drill broke a real primary, restored the fleet from Git into the target and judged the result against the drill's objectives. This is evidence that recovery is tested (SOC 2 A1.3, recovery plan testing; ISO/IEC 27001:2022 Annex A 5.30, ICT readiness for business continuity).",
    contents:
      "Each folder holds the drill spec as it ran (spec.yaml; absent for drills recorded before drkit kept it), the recorded result (drill.json), the drill report (report.md, report.html) and its timeline (timeline.txt).",
    integrity: `${manifestFile} lists every file with its SHA-256, and ${sumsFile} those and the manifest's: check them with \`sha256sum -c ${sumsFile}\` in this folder or \`drkit drill evidence --check <this folder>\`.`,
  };
}

function renderIndexMarkdown(
  entries: readonly DrillResult[],
  drills: readonly ManifestDrill[],
  context: EvidenceContext,
): string {
  const summary = summaryLines(context, drills);
  return [
    `# ${summary.title}`,
    "",
    summary.purpose,
    "",
    ...renderMarkdownTable(
      ["Field", "Value"],
      summary.facts.map((row) => row.map(cell)),
    ),
    "",
    "## Drills",
    "",
    ...renderMarkdownTable(
      indexHeader,
      entries.map((entry, index) => [
        ...indexCells(entry).map(cell),
        `[${drills[index]!.dir}](${drills[index]!.dir}/report.md)`,
      ]),
    ),
    "",
    summary.contents,
    "",
    summary.integrity,
    "",
  ].join("\n");
}

function renderIndexHtml(
  entries: readonly DrillResult[],
  drills: readonly ManifestDrill[],
  context: EvidenceContext,
): string {
  const summary = summaryLines(context, drills);
  const row = (cells: readonly string[]) => `<tr>${cells.join("")}</tr>`;
  const td = (text: string) => `<td>${escapeHtml(text)}</td>`;
  const body = [
    `<h1>${escapeHtml(summary.title)}</h1>`,
    `<p>${escapeHtml(summary.purpose)}</p>`,
    "<table>",
    "<tbody>",
    ...summary.facts.map(([field, value]) => row([`<th>${escapeHtml(field!)}</th>`, td(value!)])),
    "</tbody>",
    "</table>",
    "<h2>Drills</h2>",
    "<table>",
    `<thead>${row(indexHeader.map((title) => `<th>${escapeHtml(title)}</th>`))}</thead>`,
    "<tbody>",
    ...entries.map((entry, index) => {
      const dir = drills[index]!.dir;
      const verdictClass = entry.passed ? "ok" : "failed";
      const cells = indexCells(entry).map((text, column) =>
        column === 2 ? `<td class="${verdictClass}">${escapeHtml(text)}</td>` : td(text),
      );
      const link = `<td><a href="${escapeHtml(dir)}/report.html">${escapeHtml(dir)}</a></td>`;
      return row([...cells, link]);
    }),
    "</tbody>",
    "</table>",
    `<p>${escapeHtml(summary.contents)}</p>`,
    `<p>${escapeHtml(summary.integrity)}</p>`,
  ];
  return renderHtmlPage({ title: "drkit recovery test evidence", body: body.join("\n") });
}

/**
 * Renders the bundle for `entries` (as `selectEvidenceDrills` returns them, oldest first).
 *
 * Every file is redacted before it is hashed, so the hashes are those of what is written.
 */
export async function renderEvidenceBundle(
  input: readonly DrillResult[],
  context: EvidenceContext,
): Promise<EvidenceBundle> {
  const entries = input.map((entry) => redactDeep(entry));
  const taken = new Set<string>();
  const drills: ManifestDrill[] = [];
  const files: EvidenceFile[] = [];
  for (const entry of entries) {
    const dir = planDrillFolder(entry, taken);
    taken.add(dir);
    drills.push(describeDrill(entry, dir));
    files.push(...(await renderDrillFolder(entry, dir)));
  }
  files.push(
    { path: "index.md", content: renderIndexMarkdown(entries, drills, context) },
    { path: "index.html", content: renderIndexHtml(entries, drills, context) },
  );
  const content = files
    .map((file) => ({ path: file.path, content: redact(file.content) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const by = redactDeep(context.generatedBy);
  const manifest: EvidenceManifest = {
    kind: evidenceManifestKind,
    version: 1,
    generatedAt: context.generatedAt,
    generatedBy: {
      operator: by.operator,
      user: by.user,
      host: by.host,
      drkitVersion: by.drkitVersion,
    },
    history: redact(context.history),
    range: context.range,
    drills,
    files: content.map((file) => describeFile(file.path, file.content)),
  };
  const manifestText = JSON.stringify(manifest, null, 2) + "\n";
  const sums = renderSha256Sums([...manifest.files, describeFile(manifestFile, manifestText)]);
  return {
    files: [
      ...content,
      { path: manifestFile, content: manifestText },
      { path: sumsFile, content: sums },
    ],
    manifest,
  };
}
