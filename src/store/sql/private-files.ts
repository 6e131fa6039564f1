/**
 * The data directory and the SQLite files in it hold admin password hashes, encrypted secrets
 * and logs: only the account Signet runs as may read them. Modes are set with chmod after
 * creation, so they do not depend on the process umask.
 */
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { basename } from 'node:path';

/** The files Signet keeps in its data directory; a directory holding only these is Signet's own. */
const OWN_FILE = /^(master\.key(\.next)?|[^/]+\.db(-wal|-shm|-journal)?)$/;

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

/**
 * Creates `dir` with mode 0700, or tightens an existing one that other users can enter. An
 * existing directory is only changed when it is evidently Signet's (it holds nothing but
 * Signet's files, and is not a shared sticky directory such as /tmp); otherwise Signet warns
 * and leaves it, since chmod on a directory others rely on would break them.
 */
export function ensurePrivateDirectory(dir: string): void {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    return;
  }
  const st = statSync(dir);
  if ((st.mode & 0o077) === 0) return;
  const ours = (st.mode & 0o1000) === 0 && readdirSync(dir).every((name) => OWN_FILE.test(name));
  if (ours) {
    try {
      chmodSync(dir, 0o700);
      process.emitWarning(`Signet tightened its data directory ${dir} from mode ${octal(st.mode)} to 0700: it holds password hashes and secrets.`);
      return;
    } catch {
      // Not ours to change (another owner): fall through to the warning.
    }
  }
  process.emitWarning(
    `The directory ${dir} holds Signet's database but other users may enter it (mode ${octal(st.mode)}). ` +
      `Run chmod 700 ${dir}, or give Signet a directory of its own (SIGNET_DATA_DIR).`,
  );
}

/** Creates `file` empty with mode 0600 when missing, and sets an existing one to 0600. */
export function ensurePrivateFile(file: string): void {
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  restrictFile(file);
}

/** Sets an existing file to 0600 (a no-op for a missing one): SQLite's -wal and -shm files. */
export function restrictFile(file: string): void {
  try {
    if ((statSync(file).mode & 0o777) !== 0o600) chmodSync(file, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'EPERM') {
      process.emitWarning(`Signet cannot restrict ${basename(file)} to mode 0600 (owned by another user): other users may read it.`);
      return;
    }
    throw err;
  }
}

/** fsync a file or directory, so a rename is not lost (or left pointing at unwritten data) on a crash. */
export function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
