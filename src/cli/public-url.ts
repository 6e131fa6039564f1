import type { Config } from '../config.ts';
import type { Store } from '../store/index.ts';

/**
 * The public URL a CLI command works with, and a sentence saying where it came from. The CLI
 * reads the same environment as the server (loadConfig); when that environment does not set
 * the URL (no SIGNET_PUBLIC_URL, PORT or SIGNET_TLS_CERT), the URL the server last started with
 * is used, so `signet tenants create` in another shell gives the tenant the server's domain.
 */
export async function cliPublicUrl(config: Config, store: Store, env: NodeJS.ProcessEnv = process.env): Promise<{ config: Config; note: string }> {
  const recorded = await store.tenants.recordedPublicUrl();
  const fromEnv = env.SIGNET_PUBLIC_URL ? 'SIGNET_PUBLIC_URL' : env.PORT ? 'PORT' : env.SIGNET_TLS_CERT ? 'SIGNET_TLS_CERT' : undefined;
  const url = config.publicUrl.origin;
  if (fromEnv) {
    const differs = recorded !== undefined && recorded !== url;
    return {
      config,
      note: `Public URL ${url} (from ${fromEnv})${differs ? `; the server last started with ${recorded} and moves tenant domains to its own URL when it starts` : ''}.`,
    };
  }
  if (recorded !== undefined) {
    return { config: { ...config, publicUrl: new URL(recorded) }, note: `Public URL ${recorded} (the one the server last started with; set SIGNET_PUBLIC_URL to use another).` };
  }
  return { config, note: `Public URL ${url} (the default: the server has not started on this database yet; set SIGNET_PUBLIC_URL or PORT as for the server).` };
}
