/**
 * What moving a record to one region changes (pure).
 *
 * Cloud pairs keep their committed roles; traffic moves by draining. For the target to serve,
 * it must not be drained and every other primary of its pair must be: Route 53 then serves the
 * SECONDARY, Traffic Manager the next priority, Cloud DNS the primary's backups. The target is
 * un-drained first, so at every step some member serves.
 */
import { ConfigError } from "../core/errors.ts";
import type { DnsMember } from "./members.ts";

/** One member's drained flag set to a new value. */
export interface DrainStep {
  readonly stack: string;
  readonly drained: boolean;
}

/** Plans the drain steps that make `to` serve its pair's record; `[]` when it already does. */
export function planCloudSwitch(
  to: DnsMember,
  pair: readonly DnsMember[],
  drained: ReadonlyMap<string, boolean>,
): DrainStep[] {
  const others = pair.filter((m) => m.stack !== to.stack);
  if (to.platform === "gcp" && to.role === "secondary") {
    const primary = others.find((m) => m.role === "primary");
    if (primary && !(primary.backupTargets ?? []).includes(to.target)) {
      throw new ConfigError(
        `drkit:dns.backupTargets of stack "${primary.stack}" must include "${to.target}" (stack "${to.stack}"'s drkit:dns.target) for traffic to move there, got ${JSON.stringify(primary.backupTargets ?? [])}. Add it in stacks/Pulumi.${primary.stack}.yaml and run \`pulumi up\` on "${primary.stack}"`,
        { key: "drkit:dns.backupTargets" },
      );
    }
  }
  if (to.role === "secondary" && !others.some((m) => m.role === "primary")) {
    throw new ConfigError(
      `stack "${to.stack}" is the secondary of "${to.recordName}", and no stack under stacks/ is its primary, so drkit cannot drain the primary: add the primary region's stack, or switch traffic in ${to.platform}'s console`,
      { key: "--to" },
    );
  }
  const steps: DrainStep[] = [];
  if (drained.get(to.stack)) steps.push({ stack: to.stack, drained: false });
  for (const member of others) {
    if (member.role === "primary" && !drained.get(member.stack)) {
      steps.push({ stack: member.stack, drained: true });
    }
  }
  return steps;
}

/** Which member serves the record, judged from roles and drained flags (pure). */
export function servingMember(
  pair: readonly DnsMember[],
  drained: ReadonlyMap<string, boolean>,
): DnsMember | undefined {
  const live = pair.filter((m) => !drained.get(m.stack));
  return live.find((m) => m.role === "primary") ?? live.find((m) => m.role === "secondary");
}
