import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { reportName } from "../../../src/dr/report-files.ts";
import {
  readPreflightRecords,
  toPreflightRecord,
  writePreflightRecord,
} from "../../../src/dr/preflight-record.ts";
import { serializeHistoryEntry } from "../../../src/drill/history/ndjson.ts";
import {
  parseRestoreReportName,
  readStatusRecords,
  toRestoreRecord,
} from "../../../src/status/index.ts";
import { fakeDrill } from "../drill/history/fake-drill.ts";
import { fakeReport } from "../report/fake-report.ts";

describe("parseRestoreReportName", () => {
  it.each(["local-b", "local-argo-a", "aws-use1"])(
    "reads back the stack of the name reportName gives %s's restore report",
    (stack) => {
      const name = reportName("restore", stack, "2026-03-01T10:00:05.123Z");
      expect(parseRestoreReportName(`${name}.json`)).toEqual({ stack, stamp: "20260301T100005Z" });
    },
  );

  it.each([
    "drill-local-region-loss-20260301T100005Z.json",
    "restore-local-b-20260301T100005Z.md",
    "restore-local-b.json",
  ])("skips %s", (file) => {
    expect(parseRestoreReportName(file)).toBeUndefined();
  });
});

describe("toRestoreRecord", () => {
  it("keeps the verdict, the RTO and the phase that failed", () => {
    expect(toRestoreRecord(fakeReport, { reportFile: "/s/r.json" })).toEqual({
      stack: "local-b",
      ok: false,
      startedAt: "2026-03-01T10:00:00.000Z",
      finishedAt: "2026-03-01T10:02:30.000Z",
      rtoSeconds: 150,
      ...(fakeReport.failureKind ? { failureKind: fakeReport.failureKind } : {}),
      failedPhase: "converge",
      via: "restore",
      reportFile: "/s/r.json",
    });
  });
});

describe("preflight records", () => {
  it("keeps the verdict and the failed checks, one file per stack, the last one winning", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "drkit-preflight-record-"));
    const result = (ok: boolean) => ({
      ok,
      stack: "local-b",
      ref: "main",
      commit: "abc",
      path: "clusters/local-b",
      checks: [
        { name: "git-ref" as const, ok: true, summary: "", failures: [], warnings: [] },
        {
          name: "decryption" as const,
          ok,
          summary: "",
          failures: ok ? [] : [{ message: "no key", fix: "escrow it" }],
          warnings: [],
        },
      ],
    });
    await writePreflightRecord(stateDir, toPreflightRecord(result(false), new Date(0)));
    await writePreflightRecord(stateDir, toPreflightRecord(result(true), new Date(1000)));
    expect(await readPreflightRecords(stateDir)).toEqual([
      {
        stack: "local-b",
        ok: true,
        ref: "main",
        commit: "abc",
        checkedAt: "1970-01-01T00:00:01.000Z",
        failures: 0,
        failedChecks: [],
      },
    ]);
    expect(toPreflightRecord(result(false), new Date(0))).toMatchObject({
      failures: 1,
      failedChecks: ["decryption"],
    });
  });
});

describe("readStatusRecords", () => {
  it("reads the newest restore report per stack, drills (and their restores) and preflights", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "drkit-status-records-"));
    const reports = join(stateDir, "reports");
    mkdirSync(reports, { recursive: true });
    const older = { ...fakeReport, ok: true, startedAt: "2026-03-01T09:00:00.000Z" };
    writeFileSync(
      join(reports, `${reportName("restore", "local-b", older.startedAt)}.json`),
      JSON.stringify(older),
    );
    writeFileSync(
      join(reports, `${reportName("restore", "local-b", fakeReport.startedAt)}.json`),
      JSON.stringify(fakeReport),
    );
    writeFileSync(join(reports, "restore-local-a-20260301T100000Z.json"), "{ torn");
    writeFileSync(join(reports, "drill-local-region-loss-20260301T100000Z.json"), "{}");
    mkdirSync(join(stateDir, "drills"));
    writeFileSync(
      join(stateDir, "drills", "history.ndjson"),
      serializeHistoryEntry(
        fakeDrill({ startedAt: "2026-03-02T10:00:00Z", phases: { provision: 20 } }),
      ) + '{"kind":"dri',
    );

    const records = await readStatusRecords(stateDir);
    expect(records.restores.map((r) => [r.stack, r.via, r.ok, r.rtoSeconds])).toEqual([
      ["local-b", "restore", false, 150],
      ["local-b", "drill", true, 20],
    ]);
    expect(records.drills).toEqual([
      {
        spec: "local-region-loss",
        passed: true,
        startedAt: "2026-03-02T10:00:00.000Z",
        finishedAt: "2026-03-02T10:00:20.000Z",
        rtoSeconds: 20,
        sourceStack: "local-a",
        targetStack: "local-b",
        failure: "region-loss",
      },
    ]);
    expect(records.preflights).toEqual([]);
    expect(records.warnings).toHaveLength(2);
    expect(records.warnings[0]).toMatch(
      /^skipped restore report ".*restore-local-a-20260301T100000Z\.json": /,
    );
  });

  it("reads an empty state dir as no records", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "drkit-status-empty-"));
    expect(await readStatusRecords(stateDir)).toEqual({
      restores: [],
      drills: [],
      preflights: [],
      warnings: [],
    });
  });
});
