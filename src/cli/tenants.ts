import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { SecretBox } from '../domain/secret-box.ts';
import { openStore } from '../store/index.ts';
import { createTenant, issuerFor } from '../services/tenants.ts';
import { reservedForTenants } from '../services/public-url.ts';
import { parsePlan } from '../domain/plans.ts';
import { AUDIENCE_POLICY_MEANING, checkTenantSettings } from '../domain/tenant-settings.ts';
import { cliPublicUrl } from './public-url.ts';

/** `signet tenants …`: works on the database directly (the server need not be running). */
export async function tenantsCommand(sub: string | undefined, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { plan: { type: 'string' }, 'audience-policy': { type: 'string' }, json: { type: 'boolean', default: false } } });
  const loaded = loadConfig();
  const box = new SecretBox(loaded.masterKey, loaded.otherMasterKeys);
  const store = await openStore(loaded.databaseUrl, box);
  try {
    const { config, note } = await cliPublicUrl(loaded, store);
    // Said on stderr under --json, so stdout stays one JSON document.
    const tell = (line: string) => (values.json ? console.error(line) : console.log(line));
    const primaryHost = async (tenantId: string) => (await store.tenants.domains()).find((d) => d.tenantId === tenantId && d.isPrimary)?.host;
    switch (sub) {
      case 'create': {
        const name = positionals[0];
        if (!name) throw new Error('tenants create needs a NAME');
        tell(note);
        const t = await createTenant(store, box, config, { name, plan: values.plan });
        if (values.json) console.log(JSON.stringify(t, null, 2));
        else {
          console.log(`Created tenant ${t.tenant} (plan ${t.plan})`);
          console.log(`  domain:   ${t.domain}\n  issuer:   ${t.issuer}`);
          console.log(`  Management API client_id: ${t.management.client_id}\n  client_secret: ${t.management.client_secret}\n  audience: ${t.management.audience}`);
        }
        return 0;
      }
      case 'list': {
        const tenants = await store.tenants.list();
        const domains = await store.tenants.domains();
        const rows = tenants.map((t) => {
          const domain = domains.find((d) => d.tenantId === t.id && d.isPrimary)?.host ?? null;
          return {
            tenant: t.name,
            plan: t.plan,
            issuer: domain && issuerFor(config, domain),
            domain,
            custom_domains: domains.filter((d) => d.tenantId === t.id && !d.isPrimary).map((d) => d.host),
          };
        });
        if (values.json) console.log(JSON.stringify(rows, null, 2));
        else for (const r of rows) console.log(`${r.tenant}\t${r.plan}\t${r.issuer}`);
        return 0;
      }
      case 'credentials': {
        const name = positionals[0] ?? 'default';
        const t = await store.tenants.getByName(name);
        if (!t) throw new Error(`No tenant named "${name}"`);
        // The stored Management API identifier is the audience (it follows the public URL on each server start).
        const api = await store.resourceServers.system(t.id);
        const audience = api?.identifier;
        const grants = audience ? await store.clientGrants.list(t.id, { audience }) : [];
        const client = grants[0] && (await store.clients.get(t.id, grants[0].clientId));
        if (!client || !audience) throw new Error(`Tenant "${name}" has no application authorized for the Management API`);
        const host = (await primaryHost(t.id)) ?? null;
        const out = {
          tenant: name,
          plan: t.plan,
          issuer: audience.replace(/api\/v2\/$/, ''),
          domain: host,
          management: {
            client_id: client.clientId,
            ...(client.privateKeyJwt ? { auth: 'private_key_jwt' } : { client_secret: box.open(client.clientSecretEnc, `client_secret:${client.clientId}`) }),
            audience,
          },
        };
        console.log(values.json ? JSON.stringify(out, null, 2) : Object.entries(out.management).map(([k, v]) => `${k}: ${v}`).join('\n'));
        return 0;
      }
      case 'add-domain': {
        // A custom domain served as an issuer of its own (as Auth0 custom domains are). Put TLS
        // for it in front of Signet, or in SIGNET_TLS_CERT.
        const [name, host] = positionals;
        const t = name && (await store.tenants.getByName(name));
        if (!t) throw new Error(`No tenant named "${name}"`);
        if (!host || !/^[a-z0-9.-]+(:\d{1,5})?$/i.test(host)) throw new Error('add-domain needs a host such as auth.example.com or auth.example.com:8443');
        tell(note);
        if (reservedForTenants(config, host)) {
          throw new Error(
            `${host.toLowerCase()} is under the public host ${config.publicUrl.host}, where tenants are served (${config.publicUrl.host} and {tenant}.${config.publicUrl.host}); a custom domain there would take a tenant's domain. Use a host outside it.`,
          );
        }
        const servedFor = await store.tenants.tenantAt(host.toLowerCase());
        if (servedFor !== undefined) throw new Error(`${host} is already served (tenant ${servedFor})`);
        await store.tenants.addDomain(t.id, host.toLowerCase());
        console.log(`${name} is now also served at ${issuerFor(config, host.toLowerCase())}`);
        return 0;
      }
      case 'update': {
        const name = positionals[0];
        const t = name && (await store.tenants.getByName(name));
        if (!t) throw new Error(`No tenant named "${name}"`);
        const policy = values['audience-policy'];
        if (values.plan === undefined && policy === undefined) throw new Error('tenants update needs --plan PLAN or --audience-policy strict|legacy');
        if (policy !== undefined && policy !== 'strict' && policy !== 'legacy') {
          throw new Error(`--audience-policy must be strict or legacy (got ${JSON.stringify(policy.slice(0, 40))})`);
        }
        const plan = values.plan === undefined ? undefined : parsePlan(values.plan);
        const settings = policy === undefined ? undefined : checkTenantSettings({ audience_policy: policy }, t.settings);
        // Bumps the tenant's version: running servers pick the change up on their next request.
        await store.tenants.update(t.id, { plan, settings });
        console.log(`Updated tenant ${name}`);
        if (plan) console.log(`  plan: ${plan}`);
        if (policy) console.log(`  audience_policy: ${policy} (${AUDIENCE_POLICY_MEANING[policy]})`);
        return 0;
      }
    }
    throw new Error('tenants: expected create, list, credentials, add-domain or update');
  } finally {
    await store.close();
  }
}
