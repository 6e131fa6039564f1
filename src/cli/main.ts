import { parseArgs } from 'node:util';
import { serve } from './serve.ts';
import { tenantsCommand } from './tenants.ts';
import { adminsCommand } from './admins.ts';
import { keysGenerate, keysTenantCommand } from './keys.ts';
import { assertionCommand, tokenCommand } from './token.ts';
import { migrateCommand } from './migrate.ts';
import { masterKeyCommand } from './master-key.ts';

const USAGE = `Usage: signet <command>

  serve [--workers N]                      run the server (what npm start runs)
  migrate                                  apply pending database migrations (serve does too), in one transaction
  backup FILE [--force]                    online copy of the embedded SQLite database, mode 0600 (PostgreSQL: use pg_dump)
  master-key rotate [--new-key-file FILE]  re-seal every secret and signing key under a new master key, in one transaction
  tenants create NAME [--plan PLAN] [--json]
  tenants list [--json]
  tenants credentials NAME [--json]        the tenant's Management API client
  tenants add-domain NAME HOST              serve the tenant at a custom domain too
  tenants update NAME [--plan PLAN] [--audience-policy strict|legacy]
                                           legacy also accepts assertions whose aud is the token endpoint URL
  admins create EMAIL                      a dashboard admin (password asked for, or piped on stdin)
  admins set-password EMAIL | delete EMAIL | list
  admins audit [--limit N]                 admin sign-ins and account changes (platform audit log)
  keys generate [--alg RS256] [--bits 2048] [--out private.pem] [--json]
  keys list --tenant NAME [--json]         the tenant's token-signing keys (next, current, previous, revoked)
  keys rotate --tenant NAME [--json]       the next key signs from now on; the replaced one stays published
  keys revoke --tenant NAME [--json] -- KID
                                           unpublish a previously used key (tokens it signed stop verifying)
  assertion --client-id ID --key FILE --audience ISSUER [--alg RS256] [--kid KID] [--lifetime 60]
  token --domain DOMAIN|URL --client-id ID --key FILE --audience API [--scope S] [--alg RS256] [--kid KID]
                                           a bare DOMAIN is https, except localhost names (http)

Configuration comes from the environment: PORT, SIGNET_PUBLIC_URL, SIGNET_DATABASE_URL, SIGNET_MASTER_KEY, SIGNET_MASTER_KEY_PREVIOUS, ...`;

const argv = process.argv.slice(2);
const [cmd, sub] = argv;

async function main(): Promise<number> {
  switch (cmd) {
    case 'serve': {
      const { values } = parseArgs({ args: argv.slice(1), options: { workers: { type: 'string', default: '1' } } });
      await serve({ workers: Number(values.workers) });
      return -1; // keep running
    }
    case 'migrate':
      return migrateCommand(argv.slice(1));
    case 'backup':
      // Loaded only here: it opens SQLite's driver, which a server on PostgreSQL never needs.
      return (await import('./backup.ts')).backupCommand(argv.slice(1));
    case 'master-key':
      return masterKeyCommand(sub, argv.slice(2));
    case 'tenants':
      return tenantsCommand(sub, argv.slice(2));
    case 'admins':
      return adminsCommand(sub, argv.slice(2));
    case 'keys':
      if (sub === 'generate') return keysGenerate(argv.slice(2));
      if (sub === 'list' || sub === 'rotate' || sub === 'revoke') return keysTenantCommand(sub, argv.slice(2));
      break;
    case 'assertion':
      return assertionCommand(argv.slice(1));
    case 'token':
      return tokenCommand(argv.slice(1));
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
  }
  console.error(USAGE);
  return 2;
}

main().then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: Error) => {
    console.error(`signet: ${describeError(err)}`);
    process.exitCode = 1;
  },
);

/**
 * The message for a failed command. Commands check what they can and say so; a constraint the
 * database still enforces (a race with another process) is worded for people, not as raw SQL.
 */
function describeError(err: Error): string {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return err.message;
  if (/^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(code) || code === '23505') {
    const what = /domains|host/.test(err.message) ? 'domain' : /tenants|name/.test(err.message) ? 'tenant' : 'record';
    return `Nothing was changed: that ${what} already exists (written by another process meanwhile?).`;
  }
  if (code.startsWith('SQLITE_CONSTRAINT') || /^23\d{3}$/.test(code)) return 'Nothing was changed: the database refused it as inconsistent with what it holds.';
  return err.message;
}
