/**
 * Every command's examples and exit codes, in one table keyed by command path, added to each
 * command's `--help` once the tree is built (`applyCommandHelp` in `main.ts`).
 *
 * One place on purpose: the `commands/*.ts` files own flags and behaviour, this file owns what
 * `--help` teaches, and a unit test fails when a command has no entry (or an entry no command).
 */
import type { Command } from "commander";

import { ExitCode, type ExitCodeValue } from "./exit-codes.ts";

/** What `--help` adds below a command's flags. */
export interface CommandHelp {
  /** Command lines, each optionally followed by `  # why`. */
  readonly examples: readonly string[];
  /** What each exit code means for this command, in the order they are listed. */
  readonly exitCodes: Readonly<Partial<Record<ExitCodeValue, string>>>;
}

const usage = "bad input (a flag, an argument, a stack's config): nothing was changed";
const interrupted = "interrupted (SIGINT/SIGTERM)";

/** The help of every leaf command, keyed by its path below `drkit` (`"drill run"`). */
export const commandHelp: Readonly<Record<string, CommandHelp>> = {
  status: {
    examples: [
      "drkit status",
      "drkit status local-b --preflight",
      "drkit status -o yaml --timeout 10s",
    ],
    exitCodes: {
      [ExitCode.ok]: "every stack that has a cluster is healthy (a cold standby is fine)",
      [ExitCode.failed]: "a cluster or reconciler is unhealthy, or a --preflight run failed",
      [ExitCode.usage]: usage,
    },
  },
  "toolchain install": {
    examples: [
      "drkit toolchain install",
      "drkit toolchain install --with argocd   # also build Argo CD",
      "drkit toolchain install --no-release    # build everything from source",
    ],
    exitCodes: {
      [ExitCode.ok]: "every pinned tool is provided",
      [ExitCode.failed]: "a download or build failed",
      [ExitCode.usage]: usage,
      [ExitCode.preflight]: "a prerequisite is missing (Go, or a network for releases)",
    },
  },
  "toolchain status": {
    examples: ["drkit toolchain status", "drkit toolchain status --with argocd -o yaml"],
    exitCodes: {
      [ExitCode.ok]: "every pinned tool is present",
      [ExitCode.usage]: usage,
      [ExitCode.preflight]: 'a tool is missing: run "drkit toolchain install"',
    },
  },
  "local up": {
    examples: [
      "drkit local up local-a",
      "drkit local up local-argo-a --reconciler argocd",
      "drkit local up local-c --zones c1,c2 --nodes 6",
    ],
    exitCodes: {
      [ExitCode.ok]: "the region is up (or already was)",
      [ExitCode.failed]: "a component did not start",
      [ExitCode.usage]: usage,
      [ExitCode.preflight]: "a tool or system package is missing",
    },
  },
  "local down": {
    examples: ["drkit local down local-a"],
    exitCodes: {
      [ExitCode.ok]: "the region is gone (or was not up)",
      [ExitCode.failed]: "a process or port did not go away",
      [ExitCode.usage]: usage,
    },
  },
  "local list": {
    examples: ["drkit local list", "drkit local list --json"],
    exitCodes: {
      [ExitCode.ok]: "every region runs",
      [ExitCode.failed]: "a region is not running",
      [ExitCode.usage]: usage,
    },
  },
  "local repo": {
    examples: ["drkit local repo fleet", 'git push "$(drkit local repo fleet)" main'],
    exitCodes: {
      [ExitCode.ok]: "the repository exists; its URL is printed",
      [ExitCode.failed]: "the repository could not be created",
      [ExitCode.usage]: usage,
    },
  },
  "local start": {
    examples: ["drkit local start"],
    exitCodes: {
      [ExitCode.ok]: "the git server, OCI registry and DNS server run (or already did)",
      [ExitCode.failed]: "a server did not start",
      [ExitCode.usage]: usage,
      [ExitCode.preflight]:
        "a system package or tool is missing (git, dnsmasq, the toolchain's registry), or a port is taken",
    },
  },
  "local stop": {
    examples: ["drkit local stop", "drkit local stop --all   # take every region down first"],
    exitCodes: {
      [ExitCode.ok]: "the machine-wide services are stopped (or were not running)",
      [ExitCode.failed]: "a server did not stop",
      [ExitCode.usage]: usage,
      [ExitCode.preflight]: "a local region still runs: nothing was stopped (see --all)",
    },
  },
  "local chart push": {
    examples: [
      "drkit local chart push ./charts/greeter",
      "drkit local chart push ./greeter-0.1.0.tgz --repo apps --json",
      "drkit local chart push ./charts/greeter --http   # HTTP chart repository",
    ],
    exitCodes: {
      [ExitCode.ok]:
        "the chart is pushed; the HelmRepository URL, name, version and digest are printed",
      [ExitCode.failed]: "helm package, push or repo index failed",
      [ExitCode.usage]: `${usage} (no such path, no Chart.yaml, a bad --repo)`,
      [ExitCode.preflight]:
        "helm or the registry is missing from the toolchain, or the registry or git server cannot start (a port is taken)",
    },
  },
  "local artifact push": {
    examples: [
      "drkit local artifact push ./apps --name fleet",
      "drkit local artifact push ./apps --name fleet --tag v1 --source http://127.0.0.1:8470/fleet.git --revision main@sha1:0123abc",
      "drkit local artifact push ./apps --name fleet --reproducible --json   # same files, same digest",
    ],
    exitCodes: {
      [ExitCode.ok]: "the artifact is pushed; the OCIRepository URL, tag and digest are printed",
      [ExitCode.failed]: "the registry refused the push",
      [ExitCode.usage]: `${usage} (no such directory, a bad --name or --tag)`,
      [ExitCode.preflight]:
        "the registry is missing from the toolchain or cannot start (a port is taken: DRKIT_REGISTRY_PORT moves it)",
    },
  },
  restore: {
    examples: [
      "drkit restore --stack local-b",
      "drkit restore --stack local-b --ref v1.4.2 --timeout 15m",
      "drkit restore --stack aws-use1 -o json > report.json",
      "drkit restore --stack local-b --engine temporal",
    ],
    exitCodes: {
      [ExitCode.ok]: "restored, converged, and verify found no drift",
      [ExitCode.failed]: "a phase failed (provision, bootstrap, converge, verify)",
      [ExitCode.usage]: usage,
      [ExitCode.preflight]:
        "a preflight check failed (tool, key, Git ref, fleet): nothing was changed",
      [ExitCode.interrupted]: `${interrupted}: the report says where it stopped`,
    },
  },
  verify: {
    examples: [
      "drkit verify --stack local-b",
      "drkit verify --stack local-b --ref main --no-coverage",
    ],
    exitCodes: {
      [ExitCode.ok]: "the cluster matches Git and is healthy",
      [ExitCode.failed]: "drift: missing, extra, changed or unhealthy objects",
      [ExitCode.usage]: usage,
      [ExitCode.preflight]: "the cluster or the Git ref cannot be reached",
    },
  },
  preflight: {
    examples: [
      "drkit preflight --stack local-b",
      "drkit preflight --stack aws-use1 --age-key-file ./fleet.agekey",
    ],
    exitCodes: {
      [ExitCode.ok]: "ready for a restore",
      [ExitCode.usage]: usage,
      [ExitCode.preflight]: "a check failed; each finding comes with its fix",
    },
  },
  "pulumi-env": {
    examples: ['eval "$(drkit pulumi-env)"', "drkit pulumi-env -- pulumi preview --stack local-a"],
    exitCodes: {
      [ExitCode.ok]: "the environment is printed (after --: the command's own exit code)",
      [ExitCode.usage]: usage,
      [ExitCode.preflight]: "the toolchain is missing, or the command after -- cannot run",
    },
  },
  "dns show": {
    examples: ["drkit dns show", "drkit dns show --resolver 1.1.1.1 -o yaml"],
    exitCodes: {
      [ExitCode.ok]: "every pair is listed",
      [ExitCode.failed]: "a record could not be read",
      [ExitCode.usage]: usage,
      [ExitCode.preflight]: "the DNS server or a stack's state cannot be reached",
    },
  },
  "dns switch": {
    examples: [
      "drkit dns switch --to local-b",
      "drkit dns switch --to aws-euw1 --dry-run",
      "drkit dns switch --to aws-euw1 --timeout 5m",
    ],
    exitCodes: {
      [ExitCode.ok]: "DNS answers with the target",
      [ExitCode.failed]: "DNS did not answer with the target within --timeout",
      [ExitCode.usage]: usage,
      [ExitCode.preflight]:
        "the DNS server or the stacks' state cannot be reached: nothing changed",
    },
  },
  "keys backup": {
    examples: [
      "drkit keys backup --stack local-a",
      "drkit keys backup --stack aws-euw1 --controller-namespace sealed-secrets --json",
      "drkit keys backup --kubeconfig ~/.kube/prod.yaml --context prod-eu",
    ],
    exitCodes: {
      [ExitCode.ok]: "every live sealing key is in the escrow",
      [ExitCode.usage]: usage,
      [ExitCode.preflight]:
        "the region does not answer or holds no sealing key: the escrow is unchanged",
    },
  },
  "keys status": {
    examples: [
      "drkit keys status",
      "drkit keys status --stack local-a --json",
      "drkit keys status --kubeconfig ~/.kube/prod.yaml --context prod-eu",
    ],
    exitCodes: {
      [ExitCode.ok]: "the escrow holds keys (with --stack: every live key of the region)",
      [ExitCode.usage]: usage,
      [ExitCode.preflight]:
        "the escrow is empty or lacks a live key (run drkit keys backup), or the region does not answer",
    },
  },
  "drill run": {
    examples: [
      "drkit drill run runbooks/drills/local-region-loss.yaml",
      "drkit drill run --dry-run runbooks/drills/local-region-loss.yaml",
      "drkit drill run --confirm-protected prod-a spec.yaml",
      "drkit drill run spec.yaml --history-store git --history-repo http://127.0.0.1:8080/fleet.git",
      "drkit drill run runbooks/drills/local-region-loss.yaml --engine temporal",
    ],
    exitCodes: {
      [ExitCode.ok]: "the drill met its objectives (with --dry-run: the plan is printed)",
      [ExitCode.failed]: "an objective was missed or a phase failed",
      [ExitCode.usage]:
        "bad input (a flag, the spec, a stack's config, a protected stack not confirmed): nothing was changed",
      [ExitCode.preflight]: "the target cannot be restored (tool, key, fleet): nothing was broken",
      [ExitCode.interrupted]: `${interrupted}: the result is recorded as interrupted`,
    },
  },
  "drill fleet": {
    examples: [
      "drkit drill fleet --all --parallel 2",
      "drkit drill fleet runbooks/drills/local-region-loss.yaml runbooks/drills/local-argo-region-loss.yaml --parallel 2",
      "drkit drill fleet --all --parallel 4 --json > fleet.json",
      "drkit drill fleet --all --parallel 4 --engine temporal --temporal-address temporal.internal:7233",
    ],
    exitCodes: {
      [ExitCode.ok]: "every drill met its objectives",
      [ExitCode.failed]:
        "a drill missed an objective, failed a phase or stopped with an error (the summary names it)",
      [ExitCode.usage]:
        "bad input (a flag, a spec, a stack's config, a protected stack not confirmed): no drill was started",
      [ExitCode.preflight]: "a tool or key every drill needs is missing: no drill was started",
      [ExitCode.interrupted]: `${interrupted}: running drills are recorded as interrupted, the rest skipped`,
    },
  },
  worker: {
    examples: [
      "drkit worker",
      "drkit worker --temporal-address temporal.internal:7233 --task-queue drkit --max-drills 2",
    ],
    exitCodes: {
      [ExitCode.ok]: "stopped by SIGINT/SIGTERM after the drills in progress handed over",
      [ExitCode.usage]: usage,
      [ExitCode.preflight]:
        "no Temporal server answers on the address, or the local one did not start",
    },
  },
  "drill schedule": {
    examples: [
      'drkit drill schedule runbooks/drills/local-region-loss.yaml --cron "0 3 1 1,4,7,10 *"',
      "drkit drill schedule runbooks/drills/local-region-loss.yaml --delete",
    ],
    exitCodes: {
      [ExitCode.ok]: "the schedule is created, updated or deleted",
      [ExitCode.usage]:
        "bad input (the cron, the id, a spec, a protected stack not confirmed): nothing was created",
      [ExitCode.preflight]: "no Temporal server answers, or the local one did not start",
    },
  },
  "temporal start": {
    examples: ["drkit temporal start", "DRKIT_TEMPORAL_PORT=0 drkit temporal start --json"],
    exitCodes: {
      [ExitCode.ok]: "the local Temporal server runs",
      [ExitCode.usage]: usage,
      [ExitCode.preflight]: "it did not start (its port is taken, or its build failed)",
    },
  },
  "temporal status": {
    examples: ["drkit temporal status", "drkit temporal status --json"],
    exitCodes: { [ExitCode.ok]: "printed whether it runs", [ExitCode.usage]: usage },
  },
  "temporal stop": {
    examples: ["drkit temporal stop"],
    exitCodes: { [ExitCode.ok]: "stopped (or it was not running)", [ExitCode.usage]: usage },
  },
  "vault start": {
    examples: ["drkit vault start", "drkit vault start --key payments --json"],
    exitCodes: {
      [ExitCode.ok]: "the local Vault runs, unsealed, with the transit key",
      [ExitCode.usage]: usage,
      [ExitCode.preflight]: "it did not start (its port is taken, or its build failed)",
    },
  },
  "vault status": {
    examples: ["drkit vault status", "drkit vault status --json"],
    exitCodes: { [ExitCode.ok]: "printed whether it runs", [ExitCode.usage]: usage },
  },
  "vault stop": {
    examples: ["drkit vault stop"],
    exitCodes: { [ExitCode.ok]: "stopped (or it was not running)", [ExitCode.usage]: usage },
  },
  "vault encrypt": {
    examples: [
      "drkit vault encrypt fleet/apps/shop/db-credentials.enc.yaml",
      "drkit vault encrypt --key payments a.yaml b.yaml --json",
    ],
    exitCodes: {
      [ExitCode.ok]: "every file is encrypted in place",
      [ExitCode.usage]: "a file does not exist or the key name is not one: nothing was encrypted",
      [ExitCode.preflight]: "the local Vault did not start, or SOPS failed",
    },
  },
  "drill history": {
    examples: [
      "drkit drill history",
      "drkit drill history --limit 5 --html history.html",
      "drkit drill history --history-store git --history-repo http://127.0.0.1:8080/fleet.git",
    ],
    exitCodes: {
      [ExitCode.ok]: "the history is printed",
      [ExitCode.failed]: "the history could not be read",
      [ExitCode.usage]: usage,
    },
  },
  "drill evidence": {
    examples: [
      "drkit drill evidence --since 2026-07-01 --until 2026-09-30 --out evidence/2026-q3",
      "drkit drill evidence --stack aws-use1 --out evidence/aws --force   # replace an earlier bundle",
      "drkit drill evidence --check evidence/2026-q3   # re-hash a bundle against its manifest",
    ],
    exitCodes: {
      [ExitCode.ok]: "the bundle is written (with --check: every file matches its SHA-256)",
      [ExitCode.failed]:
        "no drill in the period, so nothing was written (with --check: a file is missing, changed or added)",
      [ExitCode.usage]: `${usage}; also a non-empty --out (--force replaces only an earlier bundle)`,
    },
  },
  completion: {
    examples: [
      "source <(drkit completion bash)   # in ~/.bashrc",
      "source <(drkit completion zsh)    # in ~/.zshrc, after compinit",
      "drkit completion fish | source    # in ~/.config/fish/config.fish",
    ],
    exitCodes: { [ExitCode.ok]: "the script is printed", [ExitCode.usage]: usage },
  },
};

/** A command's path below the program: `"drill run"`; `""` for the program itself. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** Every command without subcommands, in registration order. */
export function leafCommands(program: Command): Command[] {
  return program.commands.flatMap((c) => (c.commands.length === 0 ? [c] : leafCommands(c)));
}

/** The text `--help` shows below the flags (pure). */
export function renderCommandHelp(help: CommandHelp): string {
  const codes = (Object.entries(help.exitCodes) as [string, string][]).sort(
    ([a], [b]) => Number(a) - Number(b),
  );
  return [
    "",
    "Examples:",
    ...help.examples.map((e) => `  ${e}`),
    "",
    "Exit codes:",
    ...codes.map(([code, meaning]) => `  ${code.padEnd(4)} ${meaning}`),
  ].join("\n");
}

/** The program's own help: what the codes mean for every command. */
const programHelp = renderCommandHelp({
  examples: [
    "drkit drill run runbooks/drills/local-region-loss.yaml",
    "drkit restore --stack local-b --timeout 15m",
    "drkit drill --help",
    "source <(drkit completion bash)",
  ],
  exitCodes: {
    [ExitCode.ok]: "success (restored, no drift, drill passed)",
    [ExitCode.failed]: "the operation ran and failed (a phase, drift, an objective missed)",
    [ExitCode.usage]: usage,
    [ExitCode.preflight]:
      "a preflight check failed (tool, key, cluster, Git ref): nothing was changed",
    [ExitCode.interrupted]: interrupted,
  },
});

/** Adds each command's examples and exit codes to its `--help`; call once the tree is built. */
export function applyCommandHelp(program: Command): void {
  program.addHelpText("after", programHelp);
  for (const command of leafCommands(program)) {
    const help = commandHelp[commandPath(command)];
    // A command without an entry still works; the unit test of this table is what fails.
    if (help) command.addHelpText("after", renderCommandHelp(help));
  }
}
