/**
 * The `projects` check of an Argo CD region: every Application's project must exist and permit it.
 *
 * `spec.project` names an AppProject in Argo CD's namespace: `default` (the stack's program creates
 * it, permitting everything) or one the fleet renders. A missing project makes Argo CD refuse the
 * Application (InvalidSpecError). A project of the fleet must permit the Application's source
 * repositories (`spec.sourceRepos`), its destination (`spec.destinations`), each kind it applies
 * (`clusterResourceWhitelist`/`Blacklist` for cluster-scoped kinds, which an empty whitelist
 * denies; `namespaceResourceWhitelist`/`Blacklist` for namespaced ones) and each namespace it
 * applies into, the way `AppProject.IsSourcePermitted`, `IsDestinationPermitted` and
 * `IsGroupKindNamePermitted` judge them.
 */
import { formatRef, splitApiVersion, type KubeObject } from "../../../kube/index.ts";
import { inCluster, isAppProject, sameRepository } from "../../verify/argocd/application.ts";
import { globMatch } from "../../verify/argocd/glob.ts";
import type { DesiredObject } from "../../verify/render.ts";
import { crdScopes, isNamespaced } from "../scope.ts";
import { check, type PreflightCheck, type PreflightFinding } from "../types.ts";
import { applicationRef, type ArgoFleet, type FleetApplication } from "./fleet.ts";

interface GroupKindItem {
  readonly group?: string;
  readonly kind?: string;
  readonly name?: string;
}

interface ProjectSpec {
  readonly sourceRepos?: readonly string[];
  readonly destinations?: readonly { server?: string; name?: string; namespace?: string }[];
  readonly clusterResourceWhitelist?: readonly GroupKindItem[] | null;
  readonly clusterResourceBlacklist?: readonly GroupKindItem[] | null;
  readonly namespaceResourceWhitelist?: readonly GroupKindItem[] | null;
  readonly namespaceResourceBlacklist?: readonly GroupKindItem[] | null;
}

interface Project {
  readonly name: string;
  readonly spec: ProjectSpec;
  /** Its file in the fleet; `undefined` for the `default` project the stack creates. */
  readonly file?: string;
  readonly fromFleet: boolean;
}

export interface ProjectOptions {
  /** Argo CD's namespace, where AppProjects live. */
  readonly namespace: string;
}

/** Every Application's project exists and permits its sources, destination and objects. */
export function assertProjects(fleet: ArgoFleet, options: ProjectOptions): PreflightCheck {
  const projects = new Map<string, Project>([
    [
      "default",
      {
        name: "default",
        spec: {
          sourceRepos: ["*"],
          destinations: [{ namespace: "*", server: "*" }],
          clusterResourceWhitelist: [{ group: "*", kind: "*" }],
        },
        fromFleet: false,
      },
    ],
  ]);
  for (const d of fleet.state.objects) {
    if (!isAppProject(d.object) || d.object.metadata.namespace !== options.namespace) continue;
    projects.set(d.object.metadata.name, {
      name: d.object.metadata.name,
      spec: (d.object.spec ?? {}) as ProjectSpec,
      ...(d.file ? { file: d.file } : {}),
      fromFleet: true,
    });
  }
  const crds = crdScopes(fleet.state.objects.map((d) => d.object));
  const failures: PreflightFinding[] = [];
  const children = fleet.applications.filter((a) => a !== fleet.root);
  for (const app of children) {
    const project = projects.get(app.spec.project);
    if (!project) {
      const fleetProjects = [...projects.values()].filter((p) => p.fromFleet).map((p) => p.name);
      failures.push({
        message: `${applicationRef(app)} uses project "${app.spec.project}", which is neither "default" nor an AppProject of the fleet${fleetProjects.length ? ` (${fleetProjects.join(", ")})` : ""}: Argo CD refuses to sync it`,
        fix: `set spec.project of ${applicationRef(app)} to "default"${fleetProjects.length ? ` or one of ${fleetProjects.map((p) => `"${p}"`).join(", ")}` : ""}, or add AppProject "${app.spec.project}" in namespace ${options.namespace} under the region's path${fleet.root?.spec.sources[0]?.path ? ` (${fleet.root.spec.sources[0].path})` : ""}`,
      });
      continue;
    }
    if (!project.fromFleet) continue;
    failures.push(...judgeApplication(fleet, app, project, crds));
  }
  const used = new Set(children.map((a) => a.spec.project));
  return check(
    "projects",
    `${children.length} Application(s) checked against ${used.size} project(s)`,
    failures,
  );
}

function projectRef(project: Project): string {
  return `AppProject ${project.name}${project.file ? ` (${project.file})` : ""}`;
}

function judgeApplication(
  fleet: ArgoFleet,
  app: FleetApplication,
  project: Project,
  crds: ReadonlyMap<string, boolean>,
): PreflightFinding[] {
  const out: PreflightFinding[] = [];
  const spec = project.spec;
  for (const [i, source] of app.spec.sources.entries()) {
    if (sourcePermitted(spec.sourceRepos ?? [], source.repoURL)) continue;
    const field = app.spec.multiSource ? `spec.sources[${i}]` : "spec.source";
    out.push({
      message: `${applicationRef(app)} reads "${source.repoURL}" (${field}.repoURL), which ${projectRef(project)} does not permit (spec.sourceRepos: ${JSON.stringify(spec.sourceRepos ?? [])}): Argo CD refuses to sync it`,
      fix: `add "${source.repoURL}" to spec.sourceRepos of ${projectRef(project)}`,
    });
  }
  const destination = app.spec.destination;
  const server =
    destination.server ?? (destination.name === inCluster.name ? inCluster.server : undefined);
  const name =
    destination.name ?? (destination.server === inCluster.server ? inCluster.name : undefined);
  const permits = (namespace: string) =>
    destinationPermitted(spec.destinations ?? [], { server, name, namespace });
  const destinationNamespace = destination.namespace ?? "";
  if (!permits(destinationNamespace)) {
    out.push({
      message: `${applicationRef(app)} deploys to namespace "${destinationNamespace}" of ${server ?? name ?? "(no cluster)"}, which ${projectRef(project)} does not permit (spec.destinations): Argo CD refuses to sync it`,
      fix: `add \`{server: ${server ?? "'*'"}, namespace: ${destinationNamespace || "'*'"}}\` to spec.destinations of ${projectRef(project)}`,
    });
  }
  if (!app.rendered) return out;
  const deniedKinds = new Map<string, { namespaced: boolean; objects: DesiredObject[] }>();
  const deniedNamespaces = new Map<string, DesiredObject[]>();
  for (const d of fleet.state.objects) {
    if (d.owner !== app.key) continue;
    const namespaced = isNamespaced(d.object, crds) ?? true;
    const group = splitApiVersion(d.object.apiVersion).group;
    if (!groupKindPermitted(spec, group, d.object, namespaced)) {
      const key = `${group}/${d.object.kind}`;
      const entry = deniedKinds.get(key) ?? { namespaced, objects: [] };
      entry.objects.push(d);
      deniedKinds.set(key, entry);
      continue;
    }
    const namespace = d.object.metadata.namespace;
    if (namespaced && namespace && namespace !== destinationNamespace && !permits(namespace)) {
      deniedNamespaces.set(namespace, [...(deniedNamespaces.get(namespace) ?? []), d]);
    }
  }
  for (const [key, { namespaced, objects }] of deniedKinds) {
    const [group, kind] = key.split("/") as [string, string];
    const list = namespaced ? "namespaceResourceWhitelist/Blacklist" : "clusterResourceWhitelist";
    out.push({
      message: `${applicationRef(app)} applies ${objects.map(refWithFile).join(", ")}, a ${namespaced ? "namespaced" : "cluster-scoped"} kind (${kind}${group ? `.${group}` : ""}) that ${projectRef(project)} does not permit (spec.${list}): Argo CD refuses to sync it`,
      fix: namespaced
        ? `permit \`{group: "${group}", kind: ${kind}}\` in spec.namespaceResourceWhitelist (and out of spec.namespaceResourceBlacklist) of ${projectRef(project)}`
        : `add \`{group: "${group}", kind: ${kind}}\` to spec.clusterResourceWhitelist of ${projectRef(project)}`,
    });
  }
  for (const [namespace, objects] of deniedNamespaces) {
    out.push({
      message: `${applicationRef(app)} applies ${objects.map(refWithFile).join(", ")} into namespace "${namespace}", which ${projectRef(project)} does not permit (spec.destinations): Argo CD refuses to sync it`,
      fix: `add \`{server: ${server ?? "'*'"}, namespace: ${namespace}}\` to spec.destinations of ${projectRef(project)}`,
    });
  }
  return out;
}

function refWithFile(d: DesiredObject): string {
  return `${formatRef(d.object)}${d.file ? ` (${d.file})` : ""}`;
}

/** `globMatch` with Argo CD's `!` deny patterns. */
function matches(pattern: string, value: string, separators = ""): boolean {
  if (pattern.startsWith("!")) return !globMatch(pattern.slice(1), value, separators);
  return pattern === "*" || globMatch(pattern, value, separators);
}

/** `AppProject.IsSourcePermitted`. */
function sourcePermitted(sourceRepos: readonly string[], repoURL: string): boolean {
  const normalize = (u: string) =>
    u
      .trim()
      .toLowerCase()
      .replace(/\.git$/, "");
  const source = normalize(repoURL);
  let any = false;
  for (const raw of sourceRepos) {
    const deny = raw.startsWith("!");
    const pattern = (deny ? "!" : "") + normalize(deny ? raw.slice(1) : raw);
    const matched = matches(pattern, source, "/") || (!deny && sameRepository(raw, repoURL));
    if (matched) any = true;
    else if (deny) return false;
  }
  return any;
}

/** `AppProject.isDestinationMatched`. */
function destinationPermitted(
  destinations: readonly { server?: string; name?: string; namespace?: string }[],
  dst: { server: string | undefined; name: string | undefined; namespace: string },
): boolean {
  let any = false;
  for (const item of destinations) {
    const nameMatched = dst.name !== undefined && matches(item.name ?? "", dst.name);
    const serverMatched = dst.server !== undefined && matches(item.server ?? "", dst.server);
    const namespaceMatched = matches(item.namespace ?? "", dst.namespace);
    if ((serverMatched || nameMatched) && namespaceMatched) any = true;
    else if (
      (!nameMatched && (item.name ?? "").startsWith("!")) ||
      (!serverMatched && (item.server ?? "").startsWith("!") && namespaceMatched)
    )
      return false;
    else if (!namespaceMatched && (item.namespace ?? "").startsWith("!") && serverMatched)
      return false;
  }
  return any;
}

/** `AppProject.IsGroupKindNamePermitted` (`filepath.Match` on group, kind and name). */
function groupKindPermitted(
  spec: ProjectSpec,
  group: string,
  obj: KubeObject,
  namespaced: boolean,
): boolean {
  const inList = (list: readonly GroupKindItem[], named: boolean) =>
    list.some(
      (item) =>
        globMatch(item.kind ?? "", obj.kind, "/") &&
        globMatch(item.group ?? "", group, "/") &&
        (!named || !item.name || globMatch(item.name, obj.metadata.name, "/")),
    );
  if (namespaced) {
    const white = spec.namespaceResourceWhitelist;
    const black = spec.namespaceResourceBlacklist ?? [];
    const whitelisted =
      white === undefined || white === null || (white.length > 0 && inList(white, false));
    return whitelisted && !(black.length > 0 && inList(black, false));
  }
  const white = spec.clusterResourceWhitelist ?? [];
  const black = spec.clusterResourceBlacklist ?? [];
  return white.length > 0 && inList(white, true) && !(black.length > 0 && inList(black, true));
}
