/**
 * Entry point of the drkit Pulumi program (`main` in Pulumi.yaml). Each export is a stack output.
 */
import { runProgram } from "./program.ts";

const outputs = runProgram();

export const platform = outputs.platform;
export const clusterName = outputs.clusterName;
export const region = outputs.region;
export const kubeconfig = outputs.kubeconfig;
export const reconciler = outputs.reconciler;
export const fleet = outputs.fleet;
const isProtected = outputs.protected;
// `protected` is reserved as a variable name, not as an export name; tools read `protected`.
export { isProtected as protected };
export const rtoObjectiveSeconds = outputs.rtoObjectiveSeconds;
