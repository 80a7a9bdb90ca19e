/**
 * Plain-text rendering of a verify result for people. Secret values never appear in a result.
 */
import { formatFieldDiff } from "./compare-fields.ts";
import { describeCoverage } from "./coverage.ts";
import { ownerMatches } from "./owners.ts";
import type { VerifyResult } from "./verify.ts";

/** Owners listed one by one in text; past this, only those with findings. */
const ownersListed = 20;

/** A summary line, the objects per owner, then every finding grouped by kind. */
export function renderVerifyText(result: VerifyResult, header: string): string {
  const c = result.counts;
  const lines = [
    `${header} at ${result.commit.slice(0, 12)}: ${c.desired} desired, ${c.applied} live, ${c.missing} missing, ${c.extraManaged} extra, ${c.drifted} drifted, ${c.unhealthy} unhealthy`,
  ];
  const owner = (o: { readonly owner: string; readonly ownerKind?: string }) =>
    `${o.ownerKind ?? result.ownerKind} ${o.owner}`;
  const shown =
    result.owners.length <= ownersListed
      ? result.owners
      : result.owners.filter((o) => !ownerMatches(o));
  for (const o of shown) {
    const [kind, ...rest] = o.owner.split("/");
    lines.push(
      `  ${kind} ${rest.join("/")}: ${o.desired} desired, ${o.applied} live, ${o.missing} missing, ${o.extraManaged} extra, ${o.drifted} drifted, ${o.unhealthy ?? 0} unhealthy`,
    );
  }
  if (shown.length < result.owners.length) {
    lines.push(`  ${result.owners.length - shown.length} more owner(s) match Git`);
  }
  const where = (file?: string) => (file ? ` (${file})` : "");
  for (const f of result.renderFailures) lines.push(`✗ render ${owner(f)}: ${f.message}`);
  for (const o of result.missing) lines.push(`✗ missing ${o.ref}${where(o.file)} [${owner(o)}]`);
  for (const o of result.extraManaged)
    lines.push(`✗ extra ${o.ref} [${owner(o)}]: no longer in Git`);
  for (const o of result.drifted) {
    lines.push(`✗ drifted ${o.ref}${where(o.file)} [${owner(o)}]`);
    for (const d of o.diffs) lines.push(`    ${formatFieldDiff(d)}`);
  }
  for (const o of result.unhealthy) lines.push(`✗ unhealthy ${o.ref} [${owner(o)}]: ${o.reason}`);
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
