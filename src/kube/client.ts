/**
 * A small Kubernetes client over `@kubernetes/client-node` 2.x that speaks plain JSON.
 *
 * The library's typed models drop fields they do not know and turn timestamps into `Date`s; health
 * evaluation and drift comparison need objects exactly as the API server sent them, so every call
 * here goes through the library's transport (auth, TLS, middleware) but skips its deserializer.
 */
import {
  ApiException,
  CustomObjectsApi,
  HttpMethod,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  type KubernetesObject,
  type ResponseContext,
  type SecurityAuthentication,
} from "@kubernetes/client-node";

import { pooledAuthentication } from "./connection-pool.ts";
import { drkitFieldManager, type KindRef, type KubeObject, type ObjectRef } from "./types.ts";

/** What discovery says about a kind. */
export interface ApiResource {
  /** The plural resource name used in URLs, e.g. `deployments`. */
  readonly plural: string;
  readonly namespaced: boolean;
}

/** A kind the API server serves and can list, at its group's preferred version. */
export interface ServedKind {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

/** A list response: the items and the resourceVersion to watch from. */
export interface ObjectList {
  readonly items: readonly KubeObject[];
  readonly resourceVersion: string;
}

/** The client every drkit step receives as `kube`. */
export interface Kube {
  readonly kubeConfig: KubeConfig;
  /** The library's dynamic client, for callers that want typed models. */
  readonly objects: KubernetesObjectApi;
  readonly customObjects: CustomObjectsApi;
  readonly watcher: Watch;
  /** Discovery for one kind; throws `ApiException` 404 when the API server does not serve it. */
  resourceFor(apiVersion: string, kind: string): Promise<ApiResource>;
  /** Every kind the API server can list (core, then each group at its preferred version). */
  listableKinds(): Promise<ServedKind[]>;
  /** The collection URL path of a kind (`/apis/apps/v1/namespaces/shop/deployments`). */
  collectionPath(kind: KindRef): Promise<string>;
  /** Lists a kind in one namespace or all, as plain JSON. */
  list(kind: KindRef, options?: { labelSelector?: string }): Promise<ObjectList>;
  /** Reads one object; `undefined` when it does not exist. */
  get(ref: ObjectRef): Promise<KubeObject | undefined>;
  /**
   * Server-side apply of a whole object (or of its status with `subresource: "status"`); with
   * `dryRun`, the API server validates and admits it without persisting anything.
   */
  apply(
    obj: KubeObject,
    options?: { fieldManager?: string; force?: boolean; subresource?: "status"; dryRun?: boolean },
  ): Promise<KubeObject>;
  /** Deletes one object; resolves quietly when it is already gone. */
  delete(ref: ObjectRef): Promise<void>;
}

export { drkitFieldManager };

/** Creates a client from a kubeconfig file (its current context). */
export function createKube(kubeconfigPath: string): Kube {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  return createKubeFromConfig(kubeConfig);
}

/** Creates a client from an already loaded `KubeConfig`. */
export function createKubeFromConfig(kubeConfig: KubeConfig): Kube {
  const raw = RawObjectApi.create(kubeConfig, pooledAuthentication(kubeConfig));
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);

  const resourceFor = async (apiVersion: string, kind: string): Promise<ApiResource> => {
    const resource = await raw.discover(apiVersion, kind);
    if (!resource) {
      throw new ApiException(404, `the server does not serve ${kind} in ${apiVersion}`, {}, {});
    }
    return { plural: resource.name, namespaced: resource.namespaced };
  };

  const collectionPath = async (kind: KindRef): Promise<string> => {
    const { plural, namespaced } = await resourceFor(kind.apiVersion, kind.kind);
    const root = kind.apiVersion.includes("/")
      ? `/apis/${kind.apiVersion}`
      : `/api/${kind.apiVersion}`;
    const ns =
      namespaced && kind.namespace ? `/namespaces/${encodeURIComponent(kind.namespace)}` : "";
    return `${root}${ns}/${plural}`;
  };

  const objectPath = async (ref: ObjectRef): Promise<string> => {
    const { namespaced } = await resourceFor(ref.apiVersion, ref.kind);
    const kind: KindRef = {
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      namespace: ref.namespace ?? "default",
    };
    const base = await collectionPath(
      namespaced ? kind : { apiVersion: ref.apiVersion, kind: ref.kind },
    );
    return `${base}/${encodeURIComponent(ref.name)}`;
  };

  const get = (path: string) => raw.send(HttpMethod.GET, path, {});
  return {
    kubeConfig,
    objects,
    customObjects: kubeConfig.makeApiClient(CustomObjectsApi),
    watcher: new Watch(kubeConfig),
    resourceFor,
    collectionPath,
    async listableKinds() {
      const groups = (await get("/apis")) as APIGroupList;
      const versions = [
        "v1",
        ...(groups.groups ?? []).flatMap((g) =>
          g.preferredVersion?.groupVersion ? [g.preferredVersion.groupVersion] : [],
        ),
      ];
      const lists = await Promise.all(
        versions.map(async (groupVersion) => ({
          groupVersion,
          // An aggregated API whose server is down answers 503: its kinds cannot be listed now.
          list: (await get(groupVersion === "v1" ? "/api/v1" : `/apis/${groupVersion}`).catch(
            () => undefined,
          )) as APIResourceList | undefined,
        })),
      );
      return lists.flatMap(({ groupVersion, list }) =>
        (list?.resources ?? [])
          .filter((r) => !r.name.includes("/") && (r.verbs ?? []).includes("list"))
          .map((r) => ({ apiVersion: groupVersion, kind: r.kind, namespaced: r.namespaced })),
      );
    },
    async list(kind, options) {
      const path = await collectionPath(kind);
      const items: KubeObject[] = [];
      let resourceVersion = "";
      let continueToken: string | undefined;
      do {
        const page = (await raw.send(HttpMethod.GET, path, {
          labelSelector: options?.labelSelector,
          limit: "500",
          continue: continueToken,
        })) as { items?: KubeObject[]; metadata?: { resourceVersion?: string; continue?: string } };
        // List items carry no apiVersion/kind; restore them so each item stands alone.
        for (const item of page.items ?? [])
          items.push({ ...item, apiVersion: kind.apiVersion, kind: kind.kind });
        resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
        continueToken = page.metadata?.continue || undefined;
      } while (continueToken);
      return { items, resourceVersion };
    },
    async get(ref) {
      try {
        return (await raw.send(HttpMethod.GET, await objectPath(ref), {})) as KubeObject;
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async apply(obj, options) {
      const path =
        (await objectPath(refOfObject(obj))) +
        (options?.subresource ? `/${options.subresource}` : "");
      const query = {
        fieldManager: options?.fieldManager ?? drkitFieldManager,
        force: String(options?.force ?? true),
        ...(options?.dryRun ? { dryRun: "All" } : {}),
      };
      return (await raw.send(HttpMethod.PATCH, path, query, {
        body: JSON.stringify(obj),
        contentType: PatchStrategy.ServerSideApply,
      })) as KubeObject;
    },
    async delete(ref) {
      try {
        await raw.send(HttpMethod.DELETE, await objectPath(ref), {});
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
  };
}

/** Discovery documents, as much of them as `listableKinds` reads. */
interface APIGroupList {
  readonly groups?: readonly { readonly preferredVersion?: { readonly groupVersion?: string } }[];
}
interface APIResourceList {
  readonly resources?: readonly {
    readonly name: string;
    readonly kind: string;
    readonly namespaced: boolean;
    readonly verbs?: readonly string[];
  }[];
}

/** True for the library's 404 errors (object or kind not found). */
export function isNotFound(err: unknown): boolean {
  return err instanceof ApiException && err.code === 404;
}

/** True for the library's 409 errors (a precondition such as `resourceVersion` no longer holds). */
export function isConflict(err: unknown): boolean {
  return err instanceof ApiException && err.code === 409;
}

function refOfObject(obj: KubeObject): ObjectRef {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    namespace: obj.metadata.namespace,
    name: obj.metadata.name,
  };
}

const rawJson = "DrkitRawJson";

/**
 * The library's dynamic client with two extra doors: discovery and raw JSON requests.
 *
 * Requests made with `send` come back as the parsed JSON, untouched by the deserializer.
 */
class RawObjectApi extends KubernetesObjectApi {
  /** The library's client for `kubeConfig` (server, middleware), authenticating with `auth`. */
  static create(kubeConfig: KubeConfig, auth: SecurityAuthentication): RawObjectApi {
    const { configuration } = kubeConfig.makeApiClient(RawObjectApi);
    return new RawObjectApi({
      ...configuration,
      authMethods: { ...configuration.authMethods, default: auth },
    });
  }

  discover(apiVersion: string, kind: string) {
    return this.resource(apiVersion, kind);
  }

  async send(
    method: HttpMethod,
    path: string,
    query: Record<string, string | undefined>,
    payload?: { body: string; contentType: string },
  ): Promise<unknown> {
    const ctx = this.configuration.baseServer.makeRequestContext(path, method);
    ctx.setHeaderParam("Accept", "application/json");
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) ctx.setQueryParam(name, value);
    }
    if (payload) {
      ctx.setHeaderParam("Content-Type", payload.contentType);
      ctx.setBody(payload.body);
    }
    return this.requestPromise(ctx, rawJson);
  }

  // The library's deserializer types the top-level `metadata` of anything with apiVersion and
  // kind as V1ObjectMeta, which drops a list's `continue` token (lists stopped at 500 items).
  protected override async processResponse<T extends KubernetesObject>(
    response: ResponseContext,
    type?: string,
  ): Promise<T> {
    if (type !== rawJson || response.httpStatusCode < 200 || response.httpStatusCode > 299)
      return super.processResponse<T>(response, type);
    return JSON.parse(await response.body.text()) as T;
  }
}
