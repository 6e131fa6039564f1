import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const bin = resolve('bin/signet.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `signet ARGS` in its own process (asynchronously, so several can run at once). */
export function runSignet(args: string[], env: NodeJS.ProcessEnv, opts: { timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    p.once('error', fail);
    p.once('exit', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

export interface ServedProcess {
  /** The public URL with a trailing slash (the default tenant's issuer): http://localhost:PORT/ unless another was given. */
  url: string;
  /** The port it listens on (127.0.0.1), which differs from the public URL's when several nodes share one public URL. */
  port: number;
  output(): string;
  /** SIGTERM, and the exit code (0 for a clean shutdown). */
  stop(): Promise<number | string | null>;
}

/**
 * Starts `signet serve` in its own process on plain HTTP at 127.0.0.1:PORT and waits until it
 * says it is serving. Nodes of one deployment share a public URL (`publicUrl`); by default it is
 * http://localhost:PORT.
 */
export async function startServe(env: NodeJS.ProcessEnv, port: number, publicUrl = `http://localhost:${port}`): Promise<ServedProcess> {
  const url = `${publicUrl}/`;
  const p = spawn(process.execPath, [bin, 'serve'], {
    env: { ...process.env, PORT: String(port), SIGNET_PUBLIC_URL: url.slice(0, -1), SIGNET_BIND: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | string | null>((r) => p.once('exit', (code, signal) => r(code ?? signal)));
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  p.stderr.on('data', (d) => (out += d));
  let gone = false;
  void exited.then(() => (gone = true));
  // Generous: a loaded machine can take seconds to load TypeScript.
  for (let i = 0; i < 600 && !out.includes('serving') && !gone; i++) await new Promise((r) => setTimeout(r, 100));
  if (!out.includes('serving')) {
    p.kill('SIGKILL');
    throw new Error(`signet serve did not start: ${out.slice(0, 2000)}`);
  }
  return {
    url,
    port,
    output: () => out,
    async stop() {
      if (!gone) p.kill('SIGTERM');
      return exited;
    },
  };
}
