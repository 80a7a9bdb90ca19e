/**
 * `drkit drill evidence`: the drills of a period as a bundle for auditors (SOC 2 A1.3, ISO 27001
 * A.5.30: proof that recovery is tested), with the SHA-256 of every file; `--check DIR` re-hashes
 * a bundle.
 *
 * The renderers (and the chart library behind the HTML reports) load only when the command runs.
 */
import type { Command } from "commander";

import { ConfigError } from "../../core/errors.ts";
import type { EvidenceSelection } from "../../drill/evidence/select.ts";
import type { ManifestDrill, ManifestFile } from "../../drill/evidence/manifest.ts";
import type { EvidenceProblem } from "../../drill/evidence/verify.ts";
import type { DrillHistoryStore } from "../../drill/history/store.ts";
import type { CommandContext, GlobalOptions } from "../context.ts";
import { ExitCode, type ExitCodeValue } from "../exit-codes.ts";
import { runCommand } from "../run-command.ts";
import {
  historyRepoOption,
  historyStoreOption,
  validateHistoryStoreFlags,
} from "./drill-history.ts";

/** The flags of `drkit drill evidence` as commander parses them. */
export interface DrillEvidenceFlags {
  readonly out?: string;
  readonly since?: string;
  readonly until?: string;
  readonly stack?: string;
  readonly force?: boolean;
  readonly historyStore?: string;
  readonly historyRepo?: string;
  readonly check?: string;
}

/** Validated flags: write a bundle, or check one. */
export type DrillEvidenceOptions =
  | {
      readonly mode: "write";
      readonly out: string;
      readonly force: boolean;
      readonly selection: EvidenceSelection;
      /** The period and stack as given, for the manifest and messages. */
      readonly range: { readonly since?: string; readonly until?: string; readonly stack?: string };
      readonly store: "file" | "git";
      readonly repoUrl: string | undefined;
    }
  | { readonly mode: "check"; readonly dir: string };

/** The `--json` result of writing a bundle. */
export interface DrillEvidenceResult {
  readonly ok: boolean;
  readonly out: string;
  readonly history: string;
  readonly range: { readonly since?: string; readonly until?: string; readonly stack?: string };
  /** Drills in the whole history. */
  readonly total: number;
  readonly warnings: readonly string[];
  readonly drills: readonly ManifestDrill[];
  /** Every file but the manifest and SHA256SUMS, with its SHA-256. */
  readonly files: readonly ManifestFile[];
  readonly manifest?: string;
  readonly sha256sums?: string;
}

/** The `--json` result of `--check`. */
export interface DrillEvidenceCheckResult {
  readonly ok: boolean;
  readonly dir: string;
  readonly checked: number;
  readonly drills: number;
  readonly problems: readonly EvidenceProblem[];
}

const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/;
const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const dayMs = 86_400_000;

/**
 * Parses `--since`/`--until`: a UTC date (`2026-09-01`, the whole day) or an ISO 8601 time with a
 * zone. Returns the bound: a day's start for `start`, the next day's start (exclusive) for `end`.
 *
 * @throws ConfigError naming the flag, the value and the fix.
 */
export function parseEvidenceBound(flag: string, value: string, edge: "start" | "end"): Date {
  const day = dateOnly.exec(value);
  if (day) {
    const [, year, month, date] = day;
    const time = Date.UTC(Number(year), Number(month) - 1, Number(date));
    // 2026-02-30 would roll over into March: only a real calendar day is accepted.
    if (new Date(time).toISOString().slice(0, 10) === value)
      return new Date(edge === "start" ? time : time + dayMs);
  } else if (isoTime.test(value) && !Number.isNaN(Date.parse(value))) {
    const time = Date.parse(value);
    return new Date(edge === "start" ? time : time + 1);
  }
  throw new ConfigError(
    `${flag} must be a date (YYYY-MM-DD, UTC) or an ISO 8601 time with a zone, got "${value}": e.g. ${flag} 2026-09-01 or ${flag} 2026-09-01T00:00:00Z`,
    { key: flag },
  );
}

/**
 * Validates the flags of `drkit drill evidence`.
 *
 * @throws ConfigError naming the flag, the value and the fix.
 */
export function validateDrillEvidenceFlags(flags: DrillEvidenceFlags): DrillEvidenceOptions {
  if (flags.check !== undefined) {
    const extra = (
      [
        ["--out", flags.out],
        ["--since", flags.since],
        ["--until", flags.until],
        ["--stack", flags.stack],
        ["--force", flags.force],
        ["--history-repo", flags.historyRepo],
      ] as const
    )
      .filter(([, value]) => value !== undefined && value !== false)
      .map(([flag]) => flag);
    if (extra.length > 0)
      throw new ConfigError(
        `--check re-hashes an existing bundle and writes nothing, so it takes no ${extra.join(", ")}: drop ${extra.length === 1 ? "it" : "them"}, or drop --check to write a bundle`,
        { key: "--check" },
      );
    if (flags.check === "")
      throw new ConfigError(
        `--check needs the bundle's directory, got "": e.g. --check evidence/2026-q3`,
        { key: "--check" },
      );
    return { mode: "check", dir: flags.check };
  }
  if (!flags.out)
    throw new ConfigError(
      `--out is required: name a new or empty directory for the bundle, e.g. --out evidence/2026-q3 (or --check DIR to verify a bundle)`,
      { key: "--out" },
    );
  const { store, repoUrl } = validateHistoryStoreFlags(flags);
  const from =
    flags.since === undefined ? undefined : parseEvidenceBound("--since", flags.since, "start");
  const before =
    flags.until === undefined ? undefined : parseEvidenceBound("--until", flags.until, "end");
  if (from && before && from.getTime() >= before.getTime())
    throw new ConfigError(
      `--since ${flags.since} is after --until ${flags.until}: the period would be empty; swap them`,
      { key: "--since" },
    );
  if (flags.stack !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(flags.stack))
    throw new ConfigError(
      `--stack must be a stack name (letters, digits, ".", "_", "-"), got "${flags.stack}": e.g. --stack local-a`,
      { key: "--stack" },
    );
  const range = {
    ...(flags.since !== undefined ? { since: flags.since } : {}),
    ...(flags.until !== undefined ? { until: flags.until } : {}),
    ...(flags.stack !== undefined ? { stack: flags.stack } : {}),
  };
  return {
    mode: "write",
    out: flags.out,
    force: flags.force === true,
    selection: {
      ...(from ? { from } : {}),
      ...(before ? { before } : {}),
      ...(flags.stack !== undefined ? { stack: flags.stack } : {}),
    },
    range,
    store,
    repoUrl,
  };
}

function describeRange(range: DrillEvidenceResult["range"]): string {
  const parts = [
    range.since ? `since ${range.since}` : "",
    range.until ? `until ${range.until}` : "",
    range.stack ? `of stack "${range.stack}"` : "",
  ].filter(Boolean);
  return parts.length ? parts.join(" ") : "in the whole history";
}

/**
 * Reads the history and writes the bundle. Exit 0 when written; 1 when no drill is in the period
 * (nothing is written: an empty bundle proves nothing).
 */
export async function writeDrillEvidence(
  options: Extract<DrillEvidenceOptions, { mode: "write" }>,
  ctx: CommandContext,
  openStore?: () => DrillHistoryStore,
  now: () => Date = () => new Date(),
): Promise<ExitCodeValue> {
  const [
    { openDrillHistoryStore },
    { renderEvidenceBundle, selectEvidenceDrills, writeEvidenceBundle, manifestFile, sumsFile },
    { describeProvenance, readDrkitVersion, readMachineFacts },
  ] = await Promise.all([
    import("../../drill/history/store.ts"),
    import("../../drill/evidence/index.ts"),
    import("../../drill/provenance.ts"),
  ]);
  const store =
    openStore?.() ??
    openDrillHistoryStore({
      store: options.store,
      stateDir: ctx.paths.stateDir,
      ...(options.repoUrl ? { repoUrl: options.repoUrl } : {}),
      log: ctx.log,
    });
  const history = await store.read();
  const selected = selectEvidenceDrills(history.entries, options.selection);
  const base = {
    out: options.out,
    history: store.location,
    range: options.range,
    total: history.entries.length,
    warnings: history.warnings,
  };
  if (selected.length === 0) {
    const result: DrillEvidenceResult = { ok: false, ...base, drills: [], files: [] };
    const recorded = history.entries.map((e) => e.startedAt).sort();
    ctx.output(result, () =>
      history.entries.length === 0
        ? `no drills recorded in ${store.location}, so there is no evidence to write: run "drkit drill run <spec>" first; nothing was written`
        : `none of the ${history.entries.length} drills in ${store.location} (${recorded[0]} to ${recorded.at(-1)}) is ${describeRange(options.range)}: widen --since/--until or drop --stack; nothing was written`,
    );
    return ExitCode.failed;
  }
  ctx.log.action(
    `rendering evidence of ${selected.length} drill${selected.length === 1 ? "" : "s"} from ${store.location}`,
  );
  const bundle = await renderEvidenceBundle(selected, {
    generatedAt: now().toISOString(),
    generatedBy: describeProvenance(process.env, readMachineFacts(), readDrkitVersion()),
    history: store.location,
    range: options.range,
  });
  await writeEvidenceBundle(options.out, bundle.files, { force: options.force });
  ctx.log.success(`wrote ${bundle.files.length} files to "${options.out}"`);
  const drills = bundle.manifest.drills;
  const passed = drills.filter((d) => d.passed).length;
  const result: DrillEvidenceResult = {
    ok: true,
    ...base,
    drills,
    files: bundle.manifest.files,
    manifest: manifestFile,
    sha256sums: sumsFile,
  };
  ctx.output(result, () =>
    [
      `evidence of ${drills.length} ${drills.length === 1 ? "drill" : "drills"} ${describeRange(options.range)} (${passed} passed, ${drills.length - passed} failed) in "${options.out}":`,
      ...drills.map(
        (d) =>
          `  ${d.dir}  ${d.passed ? "✔ passed" : "✗ failed"}  RTO ${d.rtoSeconds} s${d.rtoObjectiveSeconds !== undefined ? ` of ${d.rtoObjectiveSeconds} s` : ""}${d.specRecorded ? "" : "  (spec not recorded)"}`,
      ),
      `${manifestFile} holds the SHA-256 of the ${bundle.manifest.files.length} other files, ${sumsFile} those and the manifest's: check with "sha256sum -c ${sumsFile}" in "${options.out}" or "drkit drill evidence --check ${options.out}"`,
    ].join("\n"),
  );
  return ExitCode.ok;
}

/** Re-hashes the bundle in `dir`. Exit 0 when it matches its manifest, 1 when not. */
export async function checkDrillEvidence(dir: string, ctx: CommandContext): Promise<ExitCodeValue> {
  const { verifyEvidenceBundle } = await import("../../drill/evidence/verify.ts");
  const verified = await verifyEvidenceBundle(dir);
  const result: DrillEvidenceCheckResult = verified;
  ctx.output(result, () =>
    verified.ok
      ? `evidence bundle "${dir}" is intact: ${verified.checked} files of ${verified.drills} drill${verified.drills === 1 ? "" : "s"} (the manifest included) match their SHA-256 in manifest.json and SHA256SUMS`
      : [
          `evidence bundle "${dir}" does not match its manifest (${verified.problems.length} ${verified.problems.length === 1 ? "problem" : "problems"}):`,
          ...verified.problems.map((p) => `  ✗ ${p.path}: ${p.problem}`),
        ].join("\n"),
  );
  return verified.ok ? ExitCode.ok : ExitCode.failed;
}

/** Adds `evidence` to the `drill` command group. */
export function registerDrillEvidenceCommand(drill: Command): void {
  drill
    .command("evidence")
    .description(
      "write the drills of a period as evidence for auditors (spec, result, report, timeline, SHA-256 manifest); --check DIR re-hashes a bundle",
    )
    .option("--out <dir>", "the new (or empty) directory to write the bundle to")
    .option(
      "--since <date>",
      "drills that started on or after this UTC date or ISO time, e.g. 2026-09-01",
    )
    .option(
      "--until <date>",
      "drills that started on or before this UTC date (the whole day) or ISO time",
    )
    .option("--stack <stack>", "only drills whose source or target is this stack")
    .option("--force", "replace an earlier evidence bundle in --out (never other files)")
    .addOption(historyStoreOption("read"))
    .addOption(historyRepoOption())
    .option("--check <dir>", "re-hash the bundle in DIR against its manifest and write nothing")
    .action(async (_opts: unknown, command: Command) => {
      const opts = command.optsWithGlobals<GlobalOptions & DrillEvidenceFlags>();
      await runCommand(opts, async (ctx) => {
        const options = validateDrillEvidenceFlags(opts);
        return options.mode === "check"
          ? checkDrillEvidence(options.dir, ctx)
          : writeDrillEvidence(options, ctx);
      });
    });
}
