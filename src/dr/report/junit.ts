/**
 * JUnit XML for CI systems (GitHub, GitLab, Jenkins, Buildkite): suites and cases as data, and
 * one renderer that escapes and redacts every string.
 *
 * The layout follows the Ant JUnit schema CI systems read: `<testsuites>` with one `<testsuite>`
 * per run, one `<testcase>` per phase, objective or check, `time` in seconds and `<failure>` with
 * a one-line `message` and the details as text.
 */
import { redact } from "../../core/redact.ts";

/** Why a case failed: a one-line message and, optionally, the details. */
export interface JunitFailure {
  readonly message: string;
  /** A short classifier, e.g. `phase`, `objective`, `check`. @default - "failure" */
  readonly type?: string;
  /** Details (one failure per line). @default - none */
  readonly body?: string;
}

/** One test case. */
export interface JunitCase {
  readonly name: string;
  readonly classname: string;
  readonly timeSeconds: number;
  /** Absent when the case passed. */
  readonly failure?: JunitFailure;
  /** Why the case did not apply (a phase skipped for this target); absent when it ran. */
  readonly skipped?: string;
}

/** One test suite: one run of a restore or drill. */
export interface JunitSuite {
  readonly name: string;
  /** When the run began (ISO 8601). */
  readonly startedAt: string;
  readonly timeSeconds: number;
  /** @default - "localhost" */
  readonly hostname?: string;
  readonly properties?: readonly (readonly [string, string])[];
  readonly cases: readonly JunitCase[];
  /** Text CI shows with the suite (e.g. the timeline). @default - none */
  readonly systemOut?: string;
}

// XML 1.0 allows tab, newline, carriage return and these ranges; anything else (ANSI escapes from
// a program's output, NUL, lone surrogates) makes the whole file unreadable, so it is replaced.
const invalidXmlChars = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Escapes text for XML element content and double-quoted attributes, after redacting it (redacting
 * after escaping could swallow markup: a secret pattern runs until whitespace or a quote).
 */
export function escapeXml(text: string): string {
  return redact(text)
    .replace(invalidXmlChars, "\uFFFD")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}

/** Escapes an attribute value; newlines and tabs as character references, which parsers keep. */
function attribute(text: string): string {
  return escapeXml(text)
    .replaceAll("\n", "&#10;")
    .replaceAll("\r", "&#13;")
    .replaceAll("\t", "&#9;");
}

/** Seconds with millisecond precision; 0 for anything not a finite, non-negative number. */
function seconds(value: number): string {
  return (Number.isFinite(value) && value > 0 ? value : 0).toFixed(3);
}

/** `2026-03-01T10:00:05.123Z` → `2026-03-01T10:00:05` (the schema's dateTime, UTC); undefined when not a date. */
function timestamp(iso: string): string | undefined {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString().slice(0, 19);
}

function counts(cases: readonly JunitCase[]) {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.failure).length,
    skipped: cases.filter((c) => !c.failure && c.skipped !== undefined).length,
  };
}

function renderCase(test: JunitCase): string[] {
  const open = `<testcase name="${attribute(test.name)}" classname="${attribute(test.classname)}" time="${seconds(test.timeSeconds)}"`;
  if (!test.failure && test.skipped === undefined) return [`    ${open}/>`];
  if (!test.failure)
    return [
      `    ${open}>`,
      `      <skipped message="${attribute(test.skipped!)}"/>`,
      "    </testcase>",
    ];
  const f = test.failure;
  const failure = `<failure message="${attribute(f.message)}" type="${attribute(f.type ?? "failure")}"`;
  return [
    `    ${open}>`,
    f.body ? `      ${failure}>${escapeXml(f.body)}</failure>` : `      ${failure}/>`,
    "    </testcase>",
  ];
}

function renderSuite(suite: JunitSuite): string[] {
  const { tests, failures, skipped } = counts(suite.cases);
  const at = timestamp(suite.startedAt);
  const lines = [
    `  <testsuite name="${attribute(suite.name)}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(suite.timeSeconds)}"${at ? ` timestamp="${at}"` : ""} hostname="${attribute(suite.hostname ?? "localhost")}">`,
  ];
  if (suite.properties?.length) {
    lines.push("    <properties>");
    for (const [name, value] of suite.properties)
      lines.push(`      <property name="${attribute(name)}" value="${attribute(value)}"/>`);
    lines.push("    </properties>");
  }
  for (const test of suite.cases) lines.push(...renderCase(test));
  if (suite.systemOut) lines.push(`    <system-out>${escapeXml(suite.systemOut)}</system-out>`);
  lines.push("  </testsuite>");
  return lines;
}

/** Renders suites as one JUnit XML document (UTF-8, trailing newline). */
export function renderJunitXml(suites: readonly JunitSuite[], name = "drkit"): string {
  const all = suites.flatMap((suite) => suite.cases);
  const { tests, failures, skipped } = counts(all);
  const time = suites.reduce((sum, suite) => sum + Math.max(0, suite.timeSeconds || 0), 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attribute(name)}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(time)}">`,
    ...suites.flatMap(renderSuite),
    "</testsuites>",
    "",
  ].join("\n");
}
