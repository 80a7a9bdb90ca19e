/**
 * Stack config: one schema, validated once, passed down as typed values.
 */
export {
  platforms,
  reconcilers,
  stackConfigSchema,
  cloudOnlyKeys,
  secretKeys,
  type Platform,
  type CloudPlatform,
  type ReconcilerKind,
  type RawStackConfig,
} from "./schema.ts";
export type {
  StackConfig,
  LocalStackConfig,
  CloudStackConfig,
  FleetSettings,
  ReconcilerSettings,
  FluxSettings,
  ArgoCdSettings,
  ClusterSettings,
  DnsSettings,
} from "./stack-config.ts";
export {
  validateStackConfig,
  defaultZones,
  type ValidateOptions,
} from "./validate-stack-config.ts";
export { decodeConfigValues } from "./decode-config-values.ts";
export {
  readStackConfig,
  type FleetCredentials,
  type StackSecrets,
  type LoadedStackConfig,
} from "./read-stack-config.ts";
export { formatProblem, configKey, type ConfigProblem } from "./messages.ts";
