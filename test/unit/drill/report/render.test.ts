import { describe, expect, it } from "vitest";

import { registerSecret } from "../../../../src/core/redact.ts";
import {
  planDrillJunitSuite,
  renderDrillJunit,
} from "../../../../src/drill/report/render-junit.ts";
import { renderDrillHtmlReport } from "../../../../src/drill/report/render-html.ts";
import { renderDrillMarkdownReport } from "../../../../src/drill/report/render-markdown.ts";
import { renderDrillTimelineText } from "../../../../src/drill/report/render-text.ts";
import {
  describeFailureInjection,
  formatRpo,
  formatRtoVsObjective,
  planDrillTimeline,
  planDrillVerdict,
} from "../../../../src/drill/report/summary.ts";
import { elements, parseXml } from "../../report/xml.ts";
import { fakeDrill } from "../history/fake-drill.ts";
import { fakeRecordedDrill } from "./fake-drill-result.ts";

const drill = fakeRecordedDrill();

describe("drill report renderings", () => {
  it("renders Markdown", async () => {
    await expect(renderDrillMarkdownReport(drill)).toMatchFileSnapshot(
      "__snapshots__/drill-report.md.snap",
    );
  });

  it("renders a self-contained HTML page", async () => {
    await expect(await renderDrillHtmlReport(drill)).toMatchFileSnapshot(
      "__snapshots__/drill-report.html.snap",
    );
  });

  it("renders the timeline as text", async () => {
    await expect(renderDrillTimelineText(drill)).toMatchFileSnapshot(
      "__snapshots__/drill-timeline.txt.snap",
    );
  });

  it("renders JUnit", async () => {
    await expect(renderDrillJunit(drill)).toMatchFileSnapshot(
      "__snapshots__/drill-report.junit.xml.snap",
    );
  });

  it("is a drill report, not the restore report: verdict, failure, objectives, checks, RPO", async () => {
    const markdown = renderDrillMarkdownReport(drill);
    expect(markdown).toContain("# Drill `local-region-loss`: ✗ failed");
    expect(markdown).toContain(
      "| Injected failure | region-loss (the primary's control plane stopped) into local-a |",
    );
    expect(markdown).toContain("| RTO of phase converge | 75 s | 60 s | ✗ fail |");
    expect(markdown).toContain("| dns-points-to-target | ✗ fail |");
    expect(markdown).toContain("| ConfigMap/shop/hotfix | kubectl-create | 2026-09-02T17:00:00Z |");
    expect(markdown).toContain("| Operator | octocat |");
    expect(markdown).toContain(
      "| CI | github-actions https://github.com/acme/fleet/actions/runs/42 |",
    );
    const html = await renderDrillHtmlReport(drill);
    expect(html).toContain('<span class="failed">✗ failed</span>');
    expect(html).toContain("<svg");
    expect(html).not.toMatch(/<script|https?:\/\/(?!github\.com\/acme|127\.0\.0\.1|www\.w3\.org)/);
  });

  it("renders an entry recorded before drkit kept ids, specs and provenance", async () => {
    const old = fakeDrill({ startedAt: "2026-03-01T10:00:00Z", phases: { provision: 40 } });
    const markdown = renderDrillMarkdownReport(old);
    expect(markdown).toContain("# Drill `local-region-loss`: ✔ passed");
    expect(markdown).not.toContain("| Operator |");
    expect(await renderDrillHtmlReport(old)).toContain("✔ passed");
    expect(() => parseXml(renderDrillJunit(old))).not.toThrow();
  });

  it("never shows a secret that reached the result", async () => {
    registerSecret("hunter2-registered-secret");
    const leaky = fakeRecordedDrill({
      checks: [
        {
          check: "no-drift",
          ok: false,
          detail: "password=plain-text-pw and hunter2-registered-secret",
        },
      ],
      fleet: {
        url: "https://bot:ghp_tokenvalue@github.com/acme/fleet.git",
        branch: "main",
        path: "clusters/local-b",
        restoredCommit: "abc",
      },
    });
    const outputs = [
      renderDrillMarkdownReport(leaky),
      await renderDrillHtmlReport(leaky),
      renderDrillTimelineText(leaky),
      renderDrillJunit(leaky),
    ];
    for (const text of outputs) {
      expect(text).not.toContain("plain-text-pw");
      expect(text).not.toContain("hunter2-registered-secret");
      expect(text).not.toContain("ghp_tokenvalue");
    }
  });
});

describe("planDrillVerdict", () => {
  it("gives every reason a drill failed, in the order a reader checks them", () => {
    expect(planDrillVerdict(drill)).toEqual({
      passed: false,
      label: "✗ failed",
      reasons: [
        "RTO of phase converge: 75 s, budget 60 s",
        "objects lost beyond Git: 1 object, budget 0 objects",
        'check dns-points-to-target failed: "podinfo.drkit.test" resolves to 10.0.0.1',
      ],
    });
  });

  it("names the phase a failed restore stopped in", () => {
    const failed = fakeDrill({
      startedAt: "2026-03-01T10:00:00Z",
      phases: { provision: 40 },
      passed: false,
    });
    expect(planDrillVerdict(failed).reasons[0]).toBe(
      "the restore into local-b failed in phase provision",
    );
  });
});

describe("summary cells", () => {
  it.each([
    [{ type: "region-loss" } as const, "region-loss (the primary's control plane stopped)"],
    [
      { type: "namespace-delete", namespace: "shop" } as const,
      'namespace-delete of namespace "shop"',
    ],
    [
      {
        type: "manual-drift",
        kind: "Deployment",
        namespace: "shop",
        name: "web",
        patch: { spec: { replicas: 0 } },
      } as const,
      'manual-drift of Deployment/shop/web (merge patch {"spec":{"replicas":0}})',
    ],
  ])("describes %j", (failure, expected) => {
    expect(describeFailureInjection(failure)).toBe(expected);
  });

  it("formats RTO against its objective and the RPO with what was lost beyond Git", () => {
    expect(formatRtoVsObjective(drill)).toBe("135 s of 300 s ✔");
    expect(formatRpo(drill)).toBe("0 commits / 0 s, 1 object lost beyond Git");
    expect(formatRpo({ ...drill, rpo: null, lostObjects: null })).toBe(
      "commits not measured, lost objects not measured",
    );
  });
});

describe("planDrillTimeline", () => {
  it("runs from the baseline through the injection and every phase to the verdict", () => {
    expect(planDrillTimeline(drill).map((e) => [e.offsetMs, e.event.split(":")[0]])).toEqual([
      [0, "drill started"],
      [
        20_000,
        "injected region-loss (the primary's control plane stopped) into local-a; the RTO clock starts",
      ],
      [20_000, "phase preflight passed in 2.0s"],
      [22_000, "phase provision passed in 40.0s"],
      [62_000, "phase bootstrap passed in 10.0s"],
      [72_000, "phase converge passed in 1m 15.0s"],
      [147_000, "phase verify passed in 5.0s"],
      [152_000, "phase dns passed in 3.0s"],
      [155_000, "restore into local-b finished"],
      [160_000, "2 checks run, RPO measured"],
    ]);
  });
});

describe("planDrillJunitSuite", () => {
  it("has a case per phase, objective and check; the failed ones fail with their message", () => {
    const doc = parseXml(renderDrillJunit(drill));
    const cases = elements(doc, "testcase").map((c) => [
      c.getAttribute("name"),
      elements(c, "failure")[0]?.getAttribute("message") ?? "pass",
    ]);
    expect(cases).toEqual([
      ["phase preflight", "pass"],
      ["phase provision", "pass"],
      ["phase bootstrap", "pass"],
      ["phase converge", "pass"],
      ["phase verify", "pass"],
      ["phase dns", "pass"],
      ["objective RTO (total)", "pass"],
      ["objective RTO of phase converge", "RTO of phase converge: 75 s, budget 60 s"],
      ["objective RPO in commits", "pass"],
      ["objective objects lost beyond Git", "objects lost beyond Git: 1 object, budget 0 objects"],
      ["check no-drift", "pass"],
      ["check dns-points-to-target", '"podinfo.drkit.test" resolves to 10.0.0.1'],
    ]);
    const suite = elements(doc, "testsuite")[0]!;
    expect(suite.getAttribute("time")).toBe("160.000");
    expect(suite.getAttribute("hostname")).toBe("ci-host-7");
    expect(elements(doc, "system-out")[0]!.textContent).toContain("drill started");
  });

  it("fails a failed drill even when no case did", () => {
    const suite = planDrillJunitSuite({ ...drill, objectives: [], checks: [], passed: false });
    expect(suite.cases.at(-1)).toMatchObject({ name: "drill", failure: { type: "drill" } });
  });
});
