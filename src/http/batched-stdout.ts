/**
 * Where the server's JSON log lines go in production: stdout, in batches. pino writes each line
 * with its own write(2) by default, one system call per request on the token path; here lines
 * are gathered and written together, at most BATCH_BYTES at a time and at most FLUSH_MS after
 * the first line of a batch.
 *
 * BATCH_BYTES is PIPE_BUF: a write of at most that many bytes to a pipe is atomic, so the lines
 * of several workers sharing one stdout never interleave inside a line. process.stdout writes
 * synchronously on Linux for files and pipes, so what is handed over is written before the
 * process exits; lines still gathered are written from the 'exit' event. A process killed
 * outright (SIGKILL) loses at most FLUSH_MS of lines.
 */
export const BATCH_BYTES = 4096;
export const FLUSH_MS = 100;

export interface LineSink {
  write(chunk: string): void;
}

export function batchedLines(out: LineSink = process.stdout, opts: { onExit?: boolean } = { onExit: true }): LineSink & { flush(): void } {
  let pending = '';
  let bytes = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending) {
      const chunk = pending;
      pending = '';
      bytes = 0;
      out.write(chunk);
    }
  };
  if (opts.onExit) process.once('exit', flush);
  return {
    write(line: string) {
      // A line that would overflow the batch goes into the next one (a single longer line is written alone).
      const size = Buffer.byteLength(line);
      if (bytes + size > BATCH_BYTES) flush();
      pending += line;
      bytes += size;
      if (bytes >= BATCH_BYTES) flush();
      else timer ??= setTimeout(flush, FLUSH_MS).unref();
    },
    flush,
  };
}
