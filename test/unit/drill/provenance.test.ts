import { describe, expect, it } from "vitest";

import { describeProvenance, readDrkitVersion } from "../../../src/drill/provenance.ts";

const machine = { user: "alice", host: "laptop-7" };

describe("describeProvenance", () => {
  it.each([
    ["a person at their machine", {}, { operator: "alice@laptop-7" }],
    [
      "$DRKIT_OPERATOR, which wins over everything",
      { DRKIT_OPERATOR: "Jane Doe (on-call)", GITHUB_ACTIONS: "true", GITHUB_ACTOR: "octocat" },
      // The CI job is still recorded: the pipeline ran on her behalf.
      {
        operator: "Jane Doe (on-call)",
        ci: { system: "github-actions", actor: "octocat" },
      },
    ],
    [
      "GitHub Actions, with a link to the run attempt",
      {
        GITHUB_ACTIONS: "true",
        GITHUB_ACTOR: "octocat",
        GITHUB_SERVER_URL: "https://github.com",
        GITHUB_REPOSITORY: "acme/fleet",
        GITHUB_RUN_ID: "42",
        GITHUB_RUN_ATTEMPT: "2",
      },
      {
        operator: "octocat",
        ci: {
          system: "github-actions",
          actor: "octocat",
          jobUrl: "https://github.com/acme/fleet/actions/runs/42/attempts/2",
        },
      },
    ],
    [
      "GitLab CI",
      {
        GITLAB_CI: "true",
        GITLAB_USER_LOGIN: "jdoe",
        CI_JOB_URL: "https://gitlab.example/acme/fleet/-/jobs/7",
      },
      {
        operator: "jdoe",
        ci: {
          system: "gitlab-ci",
          actor: "jdoe",
          jobUrl: "https://gitlab.example/acme/fleet/-/jobs/7",
        },
      },
    ],
    [
      "a CI that names no actor",
      { CI: "true" },
      { operator: "alice@laptop-7", ci: { system: "ci" } },
    ],
    ["CI=false, which is no CI", { CI: "false" }, { operator: "alice@laptop-7" }],
  ])("names %s", (_name, env, expected) => {
    const provenance = describeProvenance(env, machine, "0.1.0");
    expect(provenance).toEqual({
      user: "alice",
      host: "laptop-7",
      drkitVersion: "0.1.0",
      ...expected,
    });
  });
});

describe("readDrkitVersion", () => {
  it("reads drkit's package.json", () => {
    expect(readDrkitVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
