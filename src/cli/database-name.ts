/**
 * The database a command worked on, for its output: the SQLite file, or PostgreSQL's host and
 * database name. Never the URL itself, which may hold a password.
 */
export function describeDatabase(url: string): string {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    try {
      const u = new URL(url);
      return `PostgreSQL database ${decodeURIComponent(u.pathname.slice(1)) || '(default)'} on ${u.host || 'localhost'}`;
    } catch {
      return 'the PostgreSQL database';
    }
  }
  return `SQLite ${sqliteFile(url)}`;
}

/** The file of a sqlite: URL (as openDb reads it). */
export function sqliteFile(url: string): string {
  return url.replace(/^sqlite:(\/\/)?/, '');
}
