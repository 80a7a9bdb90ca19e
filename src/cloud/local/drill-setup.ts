/**
 * Gets the local platform ready for a drill: the Git server the stacks name, the sample fleet
 * in it (encrypted for the escrowed age key), its charts and artifact on the local OCI registry,
 * the primary up and converged, the standby cold, and the service record pointing at the primary.
 */
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleGit } from "simple-git";
import { identityToRecipient } from "age-encryption";

import { ConfigError } from "../../core/errors.ts";
import type { Logger } from "../../core/logger.ts";
import {
  createSopsCli,
  generateAgeKeyPair,
  materializeFleet,
  renderAgeKeyFile,
} from "../../dr/fleet/index.ts";
import type { RestoreDeps, StackTarget } from "../../dr/restore/types.ts";
import { ensureGitServer } from "../../local/git-server.ts";
import { downRegion } from "../../local/region.ts";
import { publishSampleSources } from "../../local/sample-sources.ts";
import { readLocalAgeKey, writeLocalAgeKey } from "../../local/secret-store.ts";
import type { Toolchain } from "../../toolchain/index.ts";
import type { Traffic } from "../../dns/traffic.ts";

export interface LocalDrillSetup {
  readonly stateDir: string;
  readonly source: StackTarget;
  readonly target: StackTarget;
  /** The restore's deps and the whole toolchain, loaded when the setup first needs it. */
  readonly deps: RestoreDeps & { loadToolchain(): Promise<Toolchain> };
  readonly traffic: Traffic;
  readonly log: Logger;
  /**
   * Runs the steps on what drills share (the git server, the registry, the fleet repository);
   * `drill fleet` passes one that runs them one drill at a time. The stacks' own steps run freely.
   * @default - runs them at once
   */
  readonly exclusive?: <T>(step: () => Promise<T>) => Promise<T>;
}

/** Prepares both local stacks; idempotent, so drills can run back to back. */
export async function prepareLocalDrill(setup: LocalDrillSetup): Promise<void> {
  const { stateDir, source, target, deps, log } = setup;
  await (setup.exclusive ?? ((step) => step()))(() => prepareSharedSources(setup));

  log.action(`bringing primary stack "${source.stack}" up (pulumi up --refresh)`);
  await deps.provisioner.up(source, log);
  if (target.stack !== source.stack) {
    log.action(`making standby "${target.stack}" cold: the drill measures provisioning it`);
    await downRegion(target.region, { stateDir, tools: await deps.loadToolchain(), log });
  }
  if (source.dns) await setup.traffic.switchTo(source.stack);
}

/** The git server with the fleet repository seeded, the charts and artifact on the registry. */
async function prepareSharedSources(setup: LocalDrillSetup): Promise<void> {
  const { stateDir, source, target, deps, log } = setup;
  const git = await ensureGitServer({ stateDir, log });
  const repo = source.fleet.url.slice(source.fleet.url.lastIndexOf("/") + 1).replace(/\.git$/, "");
  if (git.repoUrl(repo) !== source.fleet.url || target.fleet.url !== source.fleet.url) {
    throw new ConfigError(
      `drkit:fleet.url of stacks "${source.stack}" and "${target.stack}" must both be the local git server's "${git.repoUrl(repo)}", got "${source.fleet.url}" and "${target.fleet.url}": fix stacks/Pulumi.<stack>.yaml or set DRKIT_GIT_PORT to the port they name`,
      { key: "drkit:fleet.url" },
    );
  }
  await git.createRepo(repo);
  // Before the fleet: its platform layer installs a chart from the registry, reads an artifact.
  const tools = await deps.loadToolchain();
  const registry = await publishSampleSources({
    stateDir,
    registryBinary: tools.path("registry"),
    helm: tools.path("helm"),
    log,
  });
  await seedFleet(setup, source.fleet.url, source.fleet.branch, registry.host);
}

/** Pushes the sample fleet (encrypted for the escrowed key) when the branch does not exist yet. */
async function seedFleet(
  setup: LocalDrillSetup,
  url: string,
  branch: string,
  registryHost: string,
): Promise<void> {
  const { stateDir, deps, log } = setup;
  const heads = await simpleGit().listRemote(["--heads", url, branch]);
  if (heads.trim()) return;
  let identity = readLocalAgeKey(stateDir);
  if (!identity) {
    const pair = await generateAgeKeyPair();
    await writeLocalAgeKey(stateDir, renderAgeKeyFile(pair));
    identity = pair.identity;
    log.success(`generated the fleet's age key and escrowed it in the local secret store`);
  }
  const dir = mkdtempSync(join(tmpdir(), "drkit-fleet-seed-"));
  try {
    const encrypted = await materializeFleet({
      targetDir: dir,
      ageRecipient: await identityToRecipient(identity),
      sops: createSopsCli((await deps.loadToolchain()).path("sops")),
      fleetUrl: url,
      registryHost,
    });
    const g = simpleGit(dir);
    await g.init(["--initial-branch", branch]);
    await g.addConfig("user.name", "drkit");
    await g.addConfig("user.email", "drkit@localhost");
    await g.add(".");
    await g.commit(
      "Sample fleet: infrastructure, platform (charts, OCI artifact) and apps layers, per-region overlays",
    );
    await g.push(url, `${branch}:${branch}`);
    log.success(`pushed the sample fleet to "${url}" (${encrypted.length} encrypted file(s))`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
