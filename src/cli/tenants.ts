import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { SecretBox } from '../domain/secret-box.ts';
import { openStore } from '../store/index.ts';
import { createTenant, issuerFor, tenantHost } from '../services/tenants.ts';
import { parsePlan } from '../domain/plans.ts';
import { managementAudience } from '../domain/management-scopes.ts';

/** `signet tenants …`: works on the database directly (the server need not be running). */
export async function tenantsCommand(sub: string | undefined, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { plan: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const config = loadConfig();
  const box = new SecretBox(config.masterKey);
  const store = await openStore(config.databaseUrl, box);
  try {
    switch (sub) {
      case 'create': {
        const name = positionals[0];
        if (!name) throw new Error('tenants create needs a NAME');
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
        const rows = tenants.map((t) => ({
          tenant: t.name,
          plan: t.plan,
          issuer: issuerFor(config, tenantHost(config, t.name)),
          domain: tenantHost(config, t.name),
          custom_domains: domains.filter((d) => d.tenantId === t.id && !d.isPrimary).map((d) => d.host),
        }));
        if (values.json) console.log(JSON.stringify(rows, null, 2));
        else for (const r of rows) console.log(`${r.tenant}\t${r.plan}\t${r.issuer}`);
        return 0;
      }
      case 'credentials': {
        const name = positionals[0] ?? 'default';
        const t = await store.tenants.getByName(name);
        if (!t) throw new Error(`No tenant named "${name}"`);
        const host = tenantHost(config, name);
        const audience = managementAudience(issuerFor(config, host));
        const grants = await store.clientGrants.list(t.id, { audience });
        const client = grants[0] && (await store.clients.get(t.id, grants[0].clientId));
        if (!client) throw new Error(`Tenant "${name}" has no application authorized for the Management API`);
        const out = {
          tenant: name,
          plan: t.plan,
          issuer: issuerFor(config, host),
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
        if (await store.tenants.hostExists(host.toLowerCase())) throw new Error(`${host} is already served`);
        await store.tenants.addDomain(t.id, host.toLowerCase());
        console.log(`${name} is now also served at ${issuerFor(config, host.toLowerCase())}`);
        return 0;
      }
      case 'update': {
        const name = positionals[0];
        const t = name && (await store.tenants.getByName(name));
        if (!t) throw new Error(`No tenant named "${name}"`);
        await store.tenants.update(t.id, { plan: values.plan ? parsePlan(values.plan) : undefined });
        console.log(`Updated tenant ${name}`);
        return 0;
      }
    }
    throw new Error('tenants: expected create, list, credentials, add-domain or update');
  } finally {
    await store.close();
  }
}
