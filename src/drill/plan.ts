/**
 * Pure drill planning: the ordered steps of a drill with what each destroys or changes (what
 * `--dry-run` prints) and the protected-stack guard. Judging a drill (RPO, objectives) lives in
 * `objectives.ts` and is re-exported here.
 *
 * Nothing here touches a cluster or Git; the drill runner gathers the inputs and acts.
 */
import { ConfigError } from "../core/errors.ts";
import type { ReconcilerKind } from "../config/index.ts";
import { formatObjectRef } from "../dr/report/types.ts";
import { reconcilerDriver } from "../gitops/reconciler-driver.ts";
import type { DrillCheck, DrillSpec, FailureInjection } from "./spec.ts";

export { computeRpo, evaluateObjectives, decideDrillPassed } from "./objectives.ts";
export type { CommitInfo, Rpo, ObjectiveResult, CheckResult } from "./objectives.ts";

/** What the caller knows about the stacks and the environment; all optional facts have defaults. */
export interface DrillPlanContext {
  /** Stacks whose stack config says `protected: true`. */
  readonly protectedStacks: readonly string[];
  /** Stacks named with `--confirm-protected`. */
  readonly confirmedStacks?: readonly string[];
  /** The source stack's reconciler (whose controllers reconciler-loss kills). @default - "flux" */
  readonly reconciler?: ReconcilerKind;
  /** The ref the restore uses. @default - the stack's fleet ref */
  readonly ref?: string;
  /** Where the result is recorded, e.g. `<stateDir>/drills/history.ndjson`. @default - "the drill history" */
  readonly historyLocation?: string;
  /** The DNS name whose record moves to the target. @default - "the service record" */
  readonly dnsName?: string;
}

/** The steps of a drill, in order. */
export type DrillStepId =
  "baseline" | "inject" | "restore" | "verify" | "dns" | "checks" | "record";

/** One step of a drill plan and what it will destroy or change. */
export interface DrillStep {
  readonly id: DrillStepId;
  readonly title: string;
  /** The stack the step acts on. */
  readonly stack: string;
  readonly destroys: readonly string[];
  readonly changes: readonly string[];
}

/** A drill's ordered steps plus the protected stacks it touches. */
export interface DrillPlan {
  readonly spec: string;
  readonly sourceStack: string;
  readonly targetStack: string;
  /** True when the drill restores into the stack it broke (no DNS switch). */
  readonly inPlace: boolean;
  readonly steps: readonly DrillStep[];
  /** Protected stacks this drill changes. */
  readonly protectedStacks: readonly string[];
  /** Protected stacks not named with `--confirm-protected`; the drill must not run while any remain. */
  readonly missingConfirmations: readonly string[];
  /** `--confirm-protected` names that this drill does not touch (probably a typo). */
  readonly unknownConfirmations: readonly string[];
}

/** A human label for a check: the built-in name, or `kind/namespace/name Condition`. */
export function describeCheck(check: DrillCheck): string {
  if (typeof check === "string") return check;
  if ("policies-enforced" in check)
    return `policies-enforced (${check["policies-enforced"].rejects.length} object(s) refused)`;
  return `${formatObjectRef(check)} ${check.condition}`;
}

function planInjection(
  failure: FailureInjection,
  stack: string,
  reconciler: ReconcilerKind,
): DrillStep {
  const step = { id: "inject", stack, destroys: [] as string[], changes: [] as string[] } as const;
  switch (failure.type) {
    case "region-loss":
      return {
        ...step,
        title: `inject region-loss into ${stack}: stop its control plane`,
        destroys: [
          `the control plane of ${stack} (API server, etcd and controllers stop; its workloads are unreachable)`,
        ],
      };
    case "reconciler-loss": {
      const driver = reconcilerDriver(reconciler);
      const controllers = `${driver.displayName} controllers (${driver.controllers.join(", ")})`;
      return {
        ...step,
        title: `inject reconciler-loss into ${stack}: kill its ${controllers}`,
        destroys: [`the ${controllers} of ${stack}`],
      };
    }
    case "namespace-delete":
      return {
        ...step,
        title: `inject namespace-delete into ${stack}: delete namespace ${failure.namespace}`,
        destroys: [`namespace ${failure.namespace} on ${stack} and every object in it`],
      };
    case "manual-drift": {
      const object = formatObjectRef(failure);
      return {
        ...step,
        title: `inject manual-drift into ${stack}: patch ${object} outside Git`,
        changes: [
          `${object} on ${stack}: merge patch ${JSON.stringify(failure.patch)} applied by hand`,
        ],
      };
    }
    default: {
      const unknown: never = failure;
      throw new Error(`unknown failure ${JSON.stringify(unknown)}`);
    }
  }
}

/** Plans a drill: its ordered steps with what each destroys or changes, and the protected-stack guard. */
export function planDrill(spec: DrillSpec, context: DrillPlanContext): DrillPlan {
  const source = spec.sourceStack;
  const target = spec.targetStack;
  const inPlace = source === target;
  const ref = context.ref ?? "the stack's fleet ref";
  const checks = spec.checks.map(describeCheck);
  const none = { destroys: [], changes: [] };
  const steps: DrillStep[] = [
    {
      id: "baseline",
      stack: source,
      title: `check that ${source} has converged and note the commit it reconciled (the RPO baseline)`,
      ...none,
    },
    planInjection(spec.failure, source, context.reconciler ?? "flux"),
    {
      id: "restore",
      stack: target,
      title: `restore ${target} from Git at ${ref}`,
      destroys: [],
      changes: [
        `${target}: cluster provisioned if missing or unreachable`,
        `${target}: reconciler installed and connected to the fleet repo`,
        `${target}: every object of the fleet applied from Git`,
      ],
    },
    {
      id: "verify",
      stack: target,
      title: `verify ${target} matches Git (missing, extra and drifted objects)`,
      ...none,
    },
  ];
  if (!inPlace) {
    const record = context.dnsName ?? "the service record";
    steps.push({
      id: "dns",
      stack: target,
      title: `switch DNS from ${source} to ${target}`,
      destroys: [],
      changes: [`${record} points to ${target} instead of ${source}`],
    });
  }
  steps.push(
    {
      id: "checks",
      stack: target,
      title: checks.length ? `run checks: ${checks.join(", ")}` : "run checks: none declared",
      ...none,
    },
    {
      id: "record",
      stack: target,
      title: "record the result",
      destroys: [],
      changes: [`one entry appended to ${context.historyLocation ?? "the drill history"}`],
    },
  );
  const touched = [...new Set([source, target])];
  const confirmed = context.confirmedStacks ?? [];
  const protectedStacks = touched.filter((stack) => context.protectedStacks.includes(stack));
  return {
    spec: spec.name,
    sourceStack: source,
    targetStack: target,
    inPlace,
    steps,
    protectedStacks,
    missingConfirmations: protectedStacks.filter((stack) => !confirmed.includes(stack)),
    unknownConfirmations: confirmed.filter((stack) => !touched.includes(stack)),
  };
}

/**
 * Refuses a drill that would change a protected stack without `--confirm-protected <stack>`.
 *
 * @throws ConfigError naming each unconfirmed stack and the flag that confirms it.
 */
export function validateDrillConfirmation(plan: DrillPlan): void {
  const problems = plan.missingConfirmations.map((stack) => {
    const does = stack === plan.sourceStack ? "injects a failure into it" : "restores into it";
    return `stack "${stack}" is protected and drill "${plan.spec}" ${does}: pass --confirm-protected ${stack} to run it anyway`;
  });
  for (const stack of plan.unknownConfirmations) {
    problems.push(
      `--confirm-protected ${stack} names a stack drill "${plan.spec}" does not touch: name ${plan.sourceStack}${plan.inPlace ? "" : ` or ${plan.targetStack}`}`,
    );
  }
  if (problems.length > 0)
    throw new ConfigError(problems.join("; "), { key: "--confirm-protected" });
}

/** Renders a plan as the text `drkit drill run --dry-run` prints. */
export function renderDrillPlan(plan: DrillPlan): string {
  const lines = [
    `drill "${plan.spec}": ${plan.sourceStack} → ${plan.targetStack}${plan.inPlace ? " (in place)" : ""}`,
  ];
  plan.steps.forEach((step, index) => {
    lines.push(`  ${index + 1}. ${step.id.padEnd(9)} ${step.title}`);
    for (const item of step.destroys) lines.push(`        destroys: ${item}`);
    for (const item of step.changes) lines.push(`        changes:  ${item}`);
  });
  lines.push(
    `protected stacks: ${plan.protectedStacks.length ? plan.protectedStacks.join(", ") : "none"}`,
  );
  for (const stack of plan.missingConfirmations) lines.push(`needs: --confirm-protected ${stack}`);
  return lines.join("\n");
}
