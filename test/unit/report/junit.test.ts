import { describe, expect, it } from "vitest";

import { registerSecret } from "../../../src/core/redact.ts";
import { escapeXml, renderJunitXml } from "../../../src/dr/report/junit.ts";
import { renderFailedRunJunit, renderRestoreJunit } from "../../../src/dr/report/render-junit.ts";
import type { RestoreReport } from "../../../src/dr/report/types.ts";
import { fakeReport } from "./fake-report.ts";
import { elements, parseXml } from "./xml.ts";

describe("escapeXml", () => {
  it.each([
    [
      "markup",
      `<a href="x">Tom & 'Jerry'</a>`,
      "&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;",
    ],
    [
      "control characters XML forbids (an ANSI colour)",
      "\u001b[31mred\u001b[0m",
      "\uFFFD[31mred\uFFFD[0m",
    ],
    ["a lone surrogate", "bad \uD800 half", "bad \uFFFD half"],
    ["tabs and newlines, which XML allows", "a\tb\nc", "a\tb\nc"],
    [
      "a secret, redacted before escaping so markup survives",
      "password=hunter2</x>",
      "password=***",
    ],
  ])("escapes %s", (_name, input, expected) => {
    expect(escapeXml(input)).toBe(expected);
  });
});

describe("renderJunitXml", () => {
  it("keeps a document well-formed whatever the messages hold, and counts per suite and in total", () => {
    registerSecret("s3cr3t-token-value");
    const xml = renderJunitXml([
      {
        name: 'suite "one" <&>',
        startedAt: "2026-03-01T10:00:00.123Z",
        timeSeconds: 1.23456,
        properties: [["commit", "abc"]],
        cases: [
          { name: "ok", classname: "c", timeSeconds: 1 },
          {
            name: "broken",
            classname: "c",
            timeSeconds: 0.5,
            failure: {
              message: "line one\nline two with s3cr3t-token-value",
              body: "token: abc123</failure><x>\n\u0000 NUL and ]]> CDATA end",
            },
          },
          { name: "n/a", classname: "c", timeSeconds: 0, skipped: "not for this target" },
        ],
        systemOut: "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ",
      },
    ]);
    const doc = parseXml(xml);
    const root = doc.documentElement!;
    expect(root.tagName).toBe("testsuites");
    expect(["tests", "failures", "errors", "skipped"].map((a) => root.getAttribute(a))).toEqual([
      "3",
      "1",
      "0",
      "1",
    ]);
    const [suite] = elements(doc, "testsuite");
    expect(suite!.getAttribute("name")).toBe('suite "one" <&>');
    expect(suite!.getAttribute("time")).toBe("1.235");
    expect(suite!.getAttribute("timestamp")).toBe("2026-03-01T10:00:00");
    const [failure] = elements(doc, "failure");
    // Newlines in an attribute survive as character references.
    expect(failure!.getAttribute("message")).toBe("line one\nline two with ***");
    expect(failure!.textContent).toBe("token: ***\n\uFFFD NUL and ]]> CDATA end");
    expect(elements(doc, "skipped")[0]!.getAttribute("message")).toBe("not for this target");
    expect(xml).not.toContain("s3cr3t-token-value");
    expect(xml).not.toMatch(/AGE-SECRET-KEY-1Q/);
  });
});

describe("renderRestoreJunit", () => {
  it("renders a restore as a JUnit artifact", async () => {
    await expect(renderRestoreJunit(fakeReport)).toMatchFileSnapshot(
      "__snapshots__/restore-report.junit.xml.snap",
    );
  });

  it("has one case per phase with its time in seconds, failed phases failing with their failures", () => {
    const doc = parseXml(renderRestoreJunit(fakeReport));
    const cases = elements(doc, "testcase").map((c) => ({
      name: c.getAttribute("name"),
      time: c.getAttribute("time"),
      failure: elements(c, "failure")[0]?.getAttribute("message") ?? null,
    }));
    expect(cases).toEqual([
      { name: "phase provision", time: "45.000", failure: null },
      { name: "phase bootstrap", time: "15.000", failure: null },
      { name: "phase converge", time: "75.000", failure: "2 of 3 Kustomizations ready" },
      {
        name: "phase verify",
        time: "15.000",
        failure: 'drifted: data.color is <blue>, Git says "red"',
      },
    ]);
    const converge = elements(doc, "failure")[0]!.textContent!;
    expect(converge.split("\n")).toEqual([
      "[Deployment/podinfo/podinfo] Deployment not available: 0/2 replicas ready | image pull failed (owner Kustomization/flux-system/apps)",
      '[Widget/podinfo/sample] no matches for kind "Widget": the CRD arrives later',
      "add dependsOn: infra to apps (owner Kustomization/flux-system/apps)",
    ]);
    expect(elements(doc, "testsuite")[0]!.getAttribute("time")).toBe("150.000");
  });

  it("marks a phase skipped for the target as skipped, not passed", () => {
    const report: RestoreReport = {
      ...fakeReport,
      ok: true,
      failures: [],
      phases: [
        {
          name: "provision",
          startedAt: fakeReport.startedAt,
          durationMs: 0,
          ok: true,
          skipped: true,
          detail: "cluster not created by drkit",
        },
      ],
    };
    const doc = parseXml(renderRestoreJunit(report));
    expect(elements(doc, "skipped")[0]!.getAttribute("message")).toBe(
      "cluster not created by drkit",
    );
    expect(doc.documentElement!.getAttribute("skipped")).toBe("1");
  });

  it("fails a restore that failed without a failed phase", () => {
    const report: RestoreReport = {
      ...fakeReport,
      failureKind: "preflight",
      phases: [],
      failures: [],
    };
    const doc = parseXml(renderRestoreJunit(report));
    expect(elements(doc, "failure")[0]!.getAttribute("message")).toBe(
      "the restore failed (preflight)",
    );
  });
});

describe("renderFailedRunJunit", () => {
  it("reports a run that stopped with an error as one failed case, the causes in its text", () => {
    const doc = parseXml(
      renderFailedRunJunit({
        suite: "drkit drill local-region-loss",
        classname: "drkit.drill.local-region-loss",
        name: "drill",
        message: 'baseline: stack "local-a" is not healthy\n  caused by: connection refused',
        type: "StepFailedError",
        startedAt: "2026-03-01T10:00:00Z",
        timeSeconds: 3.5,
      }),
    );
    const [failure] = elements(doc, "failure");
    expect(failure!.getAttribute("message")).toBe('baseline: stack "local-a" is not healthy');
    expect(failure!.getAttribute("type")).toBe("StepFailedError");
    expect(failure!.textContent).toContain("caused by: connection refused");
    expect(doc.documentElement!.getAttribute("failures")).toBe("1");
  });
});
