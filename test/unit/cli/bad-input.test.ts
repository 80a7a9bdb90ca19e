/**
 * Bad input is exit 2 with a message naming the flag (or key), the value and the fix, before any
 * tool is looked for: every run here has an empty toolchain cache and no tool on PATH, so a
 * command that checked the toolchain first would exit 3 instead.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";

const checkoutDir = new URL("../../../", import.meta.url).pathname.replace(/\/$/, "");
const stacks = [
  "aws-euw1",
  "aws-use1",
  "azure-weu",
  "gcp-euw1",
  "local-a",
  "local-argo-a",
  "local-argo-b",
  "local-b",
];
const oneOfStacks = `use one of ${stacks.map((s) => `"${s}"`).join(", ")}`;
const regionLossSpec = join(checkoutDir, "runbooks/drills/local-region-loss.yaml");

let base: string;
let emptyPath: string;
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), "drkit-bad-input-"));
  emptyPath = join(base, "empty-path");
  mkdirSync(emptyPath);
});

/** Runs `node bin/drkit.js <args>` as a user would, with an empty cache and state dir. */
function drkit(
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = mkdtempSync(join(base, "run-"));
  const child = spawn(process.execPath, [join(checkoutDir, "bin/drkit.js"), ...args], {
    cwd: checkoutDir,
    env: {
      HOME: run,
      PATH: emptyPath,
      DRKIT_CACHE_DIR: join(run, "cache"),
      DRKIT_STATE_DIR: join(run, "state"),
      NODE_DISABLE_COMPILE_CACHE: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr: stderr.trimEnd() }));
  });
}

/** A project root with copies of some of drkit's stacks, edited by `edit`. */
function projectWith(files: Record<string, string>): string {
  const root = mkdtempSync(join(base, "project-"));
  mkdirSync(join(root, "stacks"));
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(root, "stacks", `Pulumi.${name}.yaml`), text);
  }
  return root;
}
const stackText = (name: string) =>
  readFileSync(join(checkoutDir, "stacks", `Pulumi.${name}.yaml`), "utf8");

describe.concurrent("bad input is exit 2, named, before the toolchain is looked for", () => {
  it.each([
    [["preflight", "--stack", "nope"]],
    [["verify", "--stack", "nope"]],
    [["restore", "--stack", "nope"]],
  ])("fails on an unknown stack: drkit %j lists the stacks there are", async (args) => {
    expect(await drkit(args)).toEqual({
      code: 2,
      stdout: "",
      stderr: `✗ --stack "nope" is not a stack (no "${checkoutDir}/stacks/Pulumi.nope.yaml"): ${oneOfStacks}, or create it with \`pulumi stack init nope\``,
    });
  });

  it("fails on a stack name that cannot be one", async () => {
    expect((await drkit(["preflight", "--stack", "../etc"])).stderr).toBe(
      `✗ --stack must be a stack name like "local-a", got "../etc": ${oneOfStacks}`,
    );
  });

  it("fails on a drill spec whose target is not a stack, naming the spec and the key", async () => {
    const spec = join(base, "typo.yaml");
    writeFileSync(
      spec,
      readFileSync(regionLossSpec, "utf8").replace("targetStack: local-b", "targetStack: local-c"),
    );
    expect(await drkit(["drill", "run", "--dry-run", spec])).toMatchObject({
      code: 2,
      stderr: `✗ invalid drill spec ${spec}: targetStack "local-c" is not a stack (no "${checkoutDir}/stacks/Pulumi.local-c.yaml"): ${oneOfStacks}, or create it with \`pulumi stack init local-c\``,
    });
  });

  it("fails on a local region name that cannot be one, listing the known regions", async () => {
    expect(await drkit(["local", "up", "Local_A"])).toMatchObject({
      code: 2,
      stderr:
        '✗ region name must be 2-32 lowercase letters, digits and "-", starting with a letter, got "Local_A": use a name like "local-a", or one of "local-a", "local-argo-a", "local-argo-b", "local-b"',
    });
    expect((await drkit(["local", "down", "Local_A"])).code).toBe(2);
  });

  it.each([
    [
      ["restore", "--stack", "local-b", "--timeout", "5s"],
      '✗ --timeout must be at least 10s, got "5s": e.g. --timeout 15m',
    ],
    [
      ["restore", "--stack", "local-b", "--timeout", "soon"],
      '✗ --timeout must be a duration like "90s", "5m" or "1h30m" (units ms, s, m, h; a bare number is seconds), got "soon": e.g. --timeout 15m',
    ],
    [
      ["dns", "switch", "--to", "local-b", "--timeout", "0"],
      '✗ --timeout must be above zero, got "0": e.g. --timeout 2m',
    ],
    [
      ["dns", "switch", "--to", "nope", "--dry-run"],
      `✗ --to "nope" is not a stack (no "${checkoutDir}/stacks/Pulumi.nope.yaml"): ${oneOfStacks}, or create it with \`pulumi stack init nope\``,
    ],
    [
      ["-o", "xml", "local", "list"],
      '✗ -o/--output must be one of "json", "yaml", got "xml": e.g. -o yaml',
    ],
    [
      ["local", "list", "--json", "-o", "yaml"],
      "✗ --json and -o yaml ask for two formats: drop --json or use -o json",
    ],
    [
      ["drill", "history", "--history-store", "s3"],
      '✗ --history-store must be "file" (the state dir) or "git" (a branch of the fleet repo), got "s3": e.g. --history-store git --history-repo <fleet repo url>',
    ],
    [
      ["drill", "run", "--history-store", "git", "--dry-run", regionLossSpec],
      "✗ --history-store git needs --history-repo, got none: pass the fleet repo whose drkit-drill-history branch holds the history, e.g. --history-repo http://127.0.0.1:8080/fleet.git",
    ],
    [
      ["completion", "tcsh"],
      '✗ <shell> must be one of "bash", "zsh", "fish", got "tcsh": e.g. drkit completion bash',
    ],
    // A flag's own parser failing is bad input too, not a crash with a stack trace.
    [
      ["toolchain", "status", "--with", "nope"],
      '✗ --with "nope" is not an optional component: use one of "argocd", "ksops", "sealed-secrets", "temporal", "temporal-ui", "kyverno", "vault"',
    ],
  ])("fails on drkit %j with exit 2 and the message", async (args, message) => {
    expect(await drkit(args)).toEqual({ code: 2, stdout: "", stderr: message });
  });

  it("fails on a stack file that is not YAML, naming the file and the line", async () => {
    const root = projectWith({
      broken:
        "config:\n  drkit:platform: local\n  drkit:region: [local-x\n  drkit:reconciler: flux\n",
    });
    const file = join(root, "stacks", "Pulumi.broken.yaml");
    expect(await drkit(["--root", root, "preflight", "--stack", "broken"])).toEqual({
      code: 2,
      stdout: "",
      stderr: `✗ ${file}:4:3: not valid YAML (Flow sequence in block collection must be sufficiently indented and end with a ]): fix the syntax on that line`,
    });
  });

  it("reports bad input as the ErrorResult document with -o json and -o yaml", async () => {
    const json = await drkit(["-o", "json", "preflight", "--stack", "nope"]);
    const yaml = await drkit(["preflight", "--stack", "nope", "-o", "yaml"]);
    expect(json.code).toBe(2);
    expect(yaml.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      error: { type: "ConfigError", key: "--stack" },
    });
    expect(parse(yaml.stdout)).toEqual(JSON.parse(json.stdout));
  });
});

describe.concurrent("each command checks only the tools it needs", () => {
  it("plans a drill (--dry-run) with no toolchain at all", async () => {
    const { code, stdout } = await drkit([
      "drill",
      "run",
      "--dry-run",
      "-o",
      "yaml",
      regionLossSpec,
    ]);
    expect(code).toBe(0);
    expect(parse(stdout)).toMatchObject({
      ok: true,
      dryRun: true,
      plan: { sourceStack: "local-a", targetStack: "local-b" },
    });
  });

  it("asks a cloud stack's preflight for kubectl, helm and sops only, not the local control plane", async () => {
    expect(await drkit(["preflight", "--stack", "aws-euw1"])).toEqual({
      code: 3,
      stdout: "",
      stderr: [
        "✗ the toolchain is incomplete: 3 recipe(s) are not installed:",
        '  "kubernetes": "kubectl" v1.36.3 is not installed: put it on PATH or run "drkit toolchain install"',
        '  "flux-helm": "helm" v4.2.2 is not installed: put it on PATH or run "drkit toolchain install"',
        '  "sops": "sops" v3.13.3 is not installed: put it on PATH or run "drkit toolchain install"',
      ].join("\n"),
    });
  });

  it("deletes a local region that is not up without a toolchain", async () => {
    expect(await drkit(["local", "down", "local-a"])).toMatchObject({
      code: 0,
      stdout: 'region "local-a" is down\n',
    });
  });
});

describe.concurrent("--confirm-protected takes a list and leaves the spec argument alone", () => {
  let root: string;
  beforeAll(() => {
    const protect = (name: string) =>
      stackText(name).replace("config:\n", "config:\n  drkit:protected: true\n");
    root = projectWith({ "local-a": protect("local-a"), "local-b": protect("local-b") });
  });

  it("fails a drill that breaks protected stacks without it", async () => {
    const { code, stderr } = await drkit([
      "--root",
      root,
      "drill",
      "run",
      "--dry-run",
      regionLossSpec,
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain("pass --confirm-protected local-a to run it anyway");
  });

  it.each([
    [["--confirm-protected", "local-a,local-b"]],
    [["--confirm-protected", "local-a", "--confirm-protected", "local-b"]],
  ])("plans it with %j right before the spec", async (flags) => {
    const { code, stdout } = await drkit([
      "--root",
      root,
      "--json",
      "drill",
      "run",
      "--dry-run",
      ...flags,
      regionLossSpec,
    ]);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { plan: unknown }).plan).toMatchObject({
      protectedStacks: ["local-a", "local-b"],
      missingConfirmations: [],
    });
  });
});

describe("drkit --version", () => {
  it("prints the version of package.json", async () => {
    const { version } = JSON.parse(readFileSync(join(checkoutDir, "package.json"), "utf8")) as {
      version: string;
    };
    expect(await drkit(["--version"])).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });
});
