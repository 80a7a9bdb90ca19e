/**
 * Who ran a drill and where: the operator, the machine, the CI job and drkit's version, recorded
 * with every drill as evidence that recovery was tested.
 *
 * `describeProvenance` is pure (the environment and the machine facts are passed in);
 * `readMachineFacts` and `readDrkitVersion` read them from this process.
 */
import { readFileSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";

import { checkoutDir } from "../core/paths.ts";
import type { DrillProvenance } from "./history/drill-result.ts";

/** What the machine says about the process: its user and host name. */
export interface MachineFacts {
  readonly user: string;
  readonly host: string;
}

type Ci = NonNullable<DrillProvenance["ci"]>;

/** The CI job the process runs in, from the variables each CI system sets; undefined outside CI. */
export function detectCi(env: NodeJS.ProcessEnv): Ci | undefined {
  const nonEmpty = (value: string | undefined) => (value ? value : undefined);
  const ci = (system: string, actor: string | undefined, jobUrl: string | undefined): Ci => ({
    system,
    ...(nonEmpty(actor) ? { actor: actor! } : {}),
    ...(nonEmpty(jobUrl) ? { jobUrl: jobUrl! } : {}),
  });
  if (env.GITHUB_ACTIONS === "true") {
    const server = env.GITHUB_SERVER_URL ?? "https://github.com";
    const run =
      env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
        ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}${env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : ""}`
        : undefined;
    return ci("github-actions", env.GITHUB_ACTOR, run);
  }
  if (env.GITLAB_CI === "true") return ci("gitlab-ci", env.GITLAB_USER_LOGIN, env.CI_JOB_URL);
  if (env.BUILDKITE === "true")
    return ci("buildkite", env.BUILDKITE_BUILD_CREATOR, env.BUILDKITE_BUILD_URL);
  if (env.CIRCLECI === "true") return ci("circleci", env.CIRCLE_USERNAME, env.CIRCLE_BUILD_URL);
  if (env.JENKINS_URL) return ci("jenkins", env.BUILD_USER_ID, env.BUILD_URL);
  if (env.CI && env.CI !== "false" && env.CI !== "0") return ci("ci", undefined, undefined);
  return undefined;
}

/**
 * Who ran the drill: `$DRKIT_OPERATOR` when set (a person's name when a pipeline runs on their
 * behalf), else the CI's actor, else `user@host`.
 */
export function describeProvenance(
  env: NodeJS.ProcessEnv,
  machine: MachineFacts,
  drkitVersion: string,
): DrillProvenance {
  const ci = detectCi(env);
  const operator = env.DRKIT_OPERATOR?.trim() || ci?.actor || `${machine.user}@${machine.host}`;
  return {
    operator,
    user: machine.user,
    host: machine.host,
    drkitVersion,
    ...(ci ? { ci } : {}),
  };
}

/** This process's user and host; a user without a passwd entry (some containers) falls back to `$USER`. */
export function readMachineFacts(env: NodeJS.ProcessEnv = process.env): MachineFacts {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = env.USER ?? env.USERNAME ?? "unknown";
  }
  return { user, host: hostname() };
}

/** drkit's version from its package.json; `unknown` when it cannot be read. */
export function readDrkitVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(checkoutDir, "package.json"), "utf8")) as {
      version?: unknown;
    };
    return typeof pkg.version === "string" ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
}
