/**
 * Plain-text rendering of a verify result for people. Secret values never appear in a result.
 */
import { formatFieldDiff } from "./compare-fields.ts";
import { describeCoverage } from "./coverage.ts";
import type { VerifyResult } from "./verify.ts";

/** A summary line, then every finding grouped by kind. */
export function renderVerifyText(result: VerifyResult, header: string): string {
  const c = result.counts;
  const lines = [
    `${header} at ${result.commit.slice(0, 12)}: ${c.desired} desired, ${c.applied} live, ${c.missing} missing, ${c.extraManaged} extra, ${c.drifted} drifted, ${c.unhealthy} unhealthy`,
  ];
  const where = (file?: string) => (file ? ` (${file})` : "");
  for (const f of result.renderFailures) lines.push(`✗ render ${f.owner}: ${f.message}`);
  for (const o of result.missing) lines.push(`✗ missing ${o.ref}${where(o.file)} [${o.owner}]`);
  for (const o of result.extraManaged)
    lines.push(`✗ extra ${o.ref} [${o.owner}]: no longer in Git`);
  for (const o of result.drifted) {
    lines.push(`✗ drifted ${o.ref}${where(o.file)} [${o.owner}]`);
    for (const d of o.diffs) lines.push(`    ${formatFieldDiff(d)}`);
  }
  for (const o of result.unhealthy) lines.push(`✗ unhealthy ${o.ref} [${o.owner}]: ${o.reason}`);
  for (const k of result.unservedKinds) lines.push(`⚠ the cluster does not serve ${k}`);
  for (const w of result.warnings) lines.push(`⚠ ${w}`);
  if (result.coverage) {
    lines.push(
      `${result.coverage.unowned.length ? "⚠" : "✔"} coverage: ${describeCoverage(result.coverage)}`,
    );
    for (const o of result.coverage.unowned)
      lines.push(
        `⚠ only in the cluster: ${o.ref}, made by ${o.manager}${o.time ? ` at ${o.time}` : ""}: add it to the fleet or it is lost in a restore`,
      );
  }
  lines.push(
    result.ok ? "✔ no drift: the cluster matches Git" : "✗ the cluster does not match Git",
  );
  return lines.join("\n");
}
