import { loadConfig } from '../config.ts';
import { SecretBox } from '../domain/secret-box.ts';
import { openStore } from '../store/index.ts';
import { AdminAuth } from '../services/admin-auth.ts';
import { SignetError } from '../domain/errors.ts';
import { cliPublicUrl } from './public-url.ts';

/**
 * `signet admins …`: dashboard admins, on the database directly (the server need not run), and
 * `signet admins audit`: the platform audit log (sign-ins and account changes), oldest first.
 * The password is asked for twice without echo on a terminal, or read from stdin when piped
 * (`printf '%s\n' "$PASSWORD" | signet admins create you@example.com`); never from argv,
 * where other users of the machine could read it in the process list.
 */
export async function adminsCommand(sub: string | undefined, args: string[]): Promise<number> {
  const config = loadConfig();
  const store = await openStore(config.databaseUrl, new SecretBox(config.masterKey, config.otherMasterKeys));
  const admins = new AdminAuth(store, config.masterKey);
  try {
    const email = args[0];
    switch (sub) {
      case 'create':
      case 'set-password': {
        if (!email) throw new Error(`admins ${sub} needs an EMAIL`);
        const password = await readPassword();
        if (sub === 'create') {
          const admin = await admins.create(email, password);
          // The dashboard lives at the server's public URL, which this shell may not have in its environment.
          const { publicUrl } = (await cliPublicUrl(config, store)).config;
          console.log(`Created admin ${admin.email}. Sign in at ${new URL('/dashboard/', publicUrl).href}`);
        } else {
          await admins.setPassword(email, password);
          console.log(`Password changed for ${email.trim().toLowerCase()}; their sessions have ended.`);
        }
        return 0;
      }
      case 'list':
        for (const a of await admins.list()) console.log(`${a.email}\tcreated ${new Date(a.createdAt).toISOString()}`);
        return 0;
      case 'delete':
        if (!email) throw new Error('admins delete needs an EMAIL');
        await admins.delete(email);
        console.log(`Deleted admin ${email.trim().toLowerCase()}.`);
        return 0;
      case 'audit': {
        const limit = auditLimit(args);
        for (const e of (await store.platformAudit.list(limit)).reverse()) {
          const who = [e.email ?? '-', e.ip && `from ${e.ip}`, `via ${e.via}`].filter(Boolean).join(' ');
          console.log(`${new Date(e.date).toISOString()}\t${e.type}\t${who}${e.reason ? `\t${e.reason}` : ''}`);
        }
        return 0;
      }
      default:
        console.error('Usage: signet admins create|set-password|delete EMAIL, signet admins list, signet admins audit [--limit N]');
        return 2;
    }
  } catch (err) {
    // Typed errors carry a message meant for people ("The password must be at least 12 characters.").
    if (err instanceof SignetError) throw new Error(err.message);
    throw err;
  } finally {
    await admins.close();
    await store.close();
  }
}

/** `--limit N` (1 to 10000, default 50): how many of the newest audit events to print, oldest first. */
function auditLimit(args: string[]): number {
  if (args.length === 0) return 50;
  const n = args[0] === '--limit' && args.length === 2 && /^\d{1,5}$/.test(args[1]!) ? Number(args[1]) : NaN;
  if (!(n >= 1 && n <= 10_000)) throw new Error('Usage: signet admins audit [--limit N], N from 1 to 10000');
  return n;
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const line = text.split(/\r?\n/)[0] ?? '';
    if (!line) throw new Error('No password on stdin: pipe it in, or run this in a terminal to be asked for it.');
    return line;
  }
  const first = await promptHidden('Password (at least 12 characters): ');
  const second = await promptHidden('Repeat the password: ');
  if (first !== second) throw new Error('The two passwords differ.');
  return first;
}

function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let value = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (data: Buffer) => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new Error('Cancelled.'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
