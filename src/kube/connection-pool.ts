/**
 * A kubeconfig's authentication that reuses connections.
 *
 * `@kubernetes/client-node` 2.x gives every request a new undici Agent, so every request paid a
 * TCP connect and a TLS handshake: ~5 ms on an idle machine, 10-15 ms on a busy two-core one,
 * for each step of a restore that talks to the API server. This keeps the library's own
 * authentication (headers, exec plugins, certificates) and swaps in one Agent per set of TLS
 * credentials; when they change (an exec plugin handed out a new client certificate), requests
 * move to a new Agent and the old one closes once its requests are done.
 */
import { createHash } from "node:crypto";
import type { RequestOptions } from "node:https";

import type { KubeConfig, RequestContext, SecurityAuthentication } from "@kubernetes/client-node";

type Dispatcher = NonNullable<ReturnType<RequestContext["getDispatcher"]>>;

/** Authentication as `kubeConfig` does it, over pooled connections. */
export function pooledAuthentication(kubeConfig: KubeConfig): SecurityAuthentication {
  let pool: { key: string; dispatcher: Dispatcher } | undefined;
  return {
    getName: () => `${kubeConfig.getName()} (pooled connections)`,
    async applySecurityAuthentication(context) {
      await kubeConfig.applySecurityAuthentication(context);
      const fresh = context.getDispatcher();
      // No TLS material (plain http): the request goes through undici's global, pooled Agent.
      if (!fresh) return;
      const key = await credentialsKey(kubeConfig);
      if (pool?.key !== key) {
        pool?.dispatcher.close().catch(() => undefined);
        pool = { key, dispatcher: fresh };
      }
      context.setDispatcher(pool.dispatcher);
    },
  };
}

/** A digest of the TLS material the kubeconfig's current user and cluster give a connection. */
async function credentialsKey(kubeConfig: KubeConfig): Promise<string> {
  const options: RequestOptions = {};
  await kubeConfig.applyToHTTPSOptions(options);
  const hash = createHash("sha256");
  const { ca, cert, key, pfx, passphrase, servername, rejectUnauthorized } = options;
  for (const part of [ca, cert, key, pfx, passphrase, servername, rejectUnauthorized]) {
    hash.update(
      typeof part === "string" || Buffer.isBuffer(part) ? part : JSON.stringify(part ?? null),
    );
    hash.update("\0");
  }
  return hash.digest("hex");
}
