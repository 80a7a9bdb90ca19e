import { describe, expect, it } from "vitest";

import {
  checkDrkitCall,
  findDrkitCalls,
  findOtherDrkitCalls,
  loadCliTree,
  parseHelp,
  type CliCommand,
} from "../../integration/support/runbook-cli.ts";

// Help texts as commander 15 prints them for drkit (trimmed to what the tests need).
const helpTexts: Record<string, string> = {
  "": `Usage: drkit [options] [command]

Stand up Kubernetes regions from code and bring a lost cluster back from Git,
with proof.

Options:
  --json                             print the result as JSON on stdout
                                     (progress goes to stderr)
  --state-dir <dir>                  where local regions, history and reports
                                     live (env DRKIT_STATE_DIR)
  -h, --help                         display help for command

Commands:
  restore [options]                  replay a stack's cluster from Git:
                                     provision, bootstrap, converge, verify,
  pulumi-env [options] [command...]  print the environment for the real pulumi
  drill                              failover drills: run them and see their
                                     history
  help [command]                     display help for command
`,
  restore: `Usage: drkit restore [options]

replay a stack's cluster from Git

Options:
  --stack <stack>      the Pulumi stack to restore, e.g. local-b
  --timeout <seconds>  how long converge may wait for the reconciler (default:
                       "600")
  -h, --help           display help for command
`,
  "pulumi-env": `Usage: drkit pulumi-env [options] [command...]

Arguments:
  command              command to run in the environment, after --

Options:
  --backend-url <url>  Pulumi backend (default:
                       file://<stateDir>/pulumi-backend)
  -h, --help           display help for command
`,
  drill: `Usage: drkit drill [options] [command]

failover drills: run them and see their history

Options:
  -h, --help                 display help for command

Commands:
  run [options] <spec>       run a failover drill
  help [command]             display help for command
`,
  "drill run": `Usage: drkit drill run [options] <spec>

Options:
  --dry-run                       print the plan (what will be destroyed or
                                  changed) and change nothing
  --confirm-protected <stack...>  allow breaking these protected (production)
                                  stacks
  --no-prepare                    on local stacks, do not seed the fleet
  -h, --help                      display help for command
`,
};

const loadTree = () =>
  loadCliTree(async (path) => {
    const text = helpTexts[path.join(" ")];
    if (text === undefined) throw new Error(`unexpected help for "${path.join(" ")}"`);
    return text;
  });

describe("parseHelp", () => {
  it("reads options (with value and variadic markers) and command names, not continuation lines", () => {
    expect(parseHelp(helpTexts["drill run"]!)).toEqual({
      options: [
        { names: ["--dry-run"], takesValue: false, variadic: false },
        { names: ["--confirm-protected"], takesValue: true, variadic: true },
        { names: ["--no-prepare"], takesValue: false, variadic: false },
        { names: ["-h", "--help"], takesValue: false, variadic: false },
      ],
      commands: [],
    });
    expect(parseHelp(helpTexts[""]!).commands).toEqual(["restore", "pulumi-env", "drill", "help"]);
  });
});

describe("loadCliTree", () => {
  it("walks every subcommand's help", async () => {
    const tree = await loadTree();
    const paths = (c: CliCommand): string[] => [c.path.join(" "), ...c.commands.flatMap(paths)];
    expect(paths(tree)).toEqual([
      "",
      "restore",
      "pulumi-env",
      "drill",
      "drill run",
      "drill help",
      "help",
    ]);
  });
});

describe("findDrkitCalls", () => {
  it("finds calls in chains, pipes, command substitutions and continued lines", () => {
    const code = [
      'node bin/drkit.js --json restore --stack "$STACK" --timeout=900 2>&1 | tee out # why',
      'URL="$(node bin/drkit.js local repo fleet)" && echo "$URL"',
      "node bin/drkit.js drill run \\",
      "  runbooks/drills/<DRILL>.yaml --dry-run; echo done",
      "node bin/drkit.js pulumi-env -- pulumi up --stack 'local-b' --cwd \"$(pwd)/x\"",
      "# node bin/drkit.jsx and xnode bin/drkit.js are not calls; node bin/drkit.js drill history is",
    ].join("\n");
    expect(findDrkitCalls(code)).toEqual([
      { line: 1, args: ["--json", "restore", "--stack", "$STACK", "--timeout=900"] },
      { line: 2, args: ["local", "repo", "fleet"] },
      { line: 3, args: ["drill", "run", "runbooks/drills/<DRILL>.yaml", "--dry-run"] },
      {
        line: 5,
        args: ["pulumi-env", "--", "pulumi", "up", "--stack", "local-b", "--cwd", "$(pwd)/x"],
      },
      { line: 6, args: ["drill", "history", "is"] },
    ]);
  });
});

describe("findOtherDrkitCalls", () => {
  it("flags bare and npx drkit commands but not config keys or comments", () => {
    const code = [
      "drkit restore --stack x",
      "echo $(drkit verify)",
      "npx drkit drill history",
      "pulumi config set drkit:region local-c",
      "node bin/drkit.js verify --stack x # drkit verify",
    ].join("\n");
    expect(findOtherDrkitCalls(code)).toEqual([
      "drkit restore --stack x",
      "echo $(drkit verify)",
      "npx drkit drill history",
    ]);
  });
});

describe("checkDrkitCall", () => {
  it.each([
    [["--json", "restore", "--stack", "local-b", "--timeout=900"]],
    [["restore", "--json", "--stack", "x"]],
    [["--state-dir", "/tmp/s", "drill", "run", "spec.yaml", "--confirm-protected", "a", "b"]],
    [["drill", "run", "--no-prepare", "spec.yaml"]],
    [["pulumi-env", "--", "pulumi", "up", "--yes"]],
    [["drill", "--help"]],
    [["help", "restore"]],
    [[]],
  ])("accepts %j", async (args) => {
    expect(checkDrkitCall(await loadTree(), args)).toEqual([]);
  });

  it.each([
    [["restore", "--stak", "x"], '"drkit restore" has no option "--stak"'],
    [["restore", "--stack=x", "--ref", "main"], '"drkit restore" has no option "--ref"'],
    [["drill", "rnu", "x"], '"drkit drill" has no subcommand "rnu" (it has: run, help)'],
    [
      ["verify", "--stack", "x"],
      '"drkit" has no subcommand "verify" (it has: restore, pulumi-env, drill, help)',
    ],
    [["drill"], '"drkit drill" needs a subcommand'],
  ])("fails on %j", async (args, problem) => {
    expect(checkDrkitCall(await loadTree(), args)).toEqual([problem]);
  });
});
