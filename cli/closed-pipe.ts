/**
 * stdout (or stderr) whose reader went away, as in `backfill status | head -3`: the next write fails
 * with EPIPE (Node ignores SIGPIPE, so the error arrives as an 'error' event, which would otherwise
 * crash the process with a stack trace). The command stops quietly instead: a run finishes the chunks
 * in flight and checkpoints them, as on Ctrl-C, and the process exits 141 (128 + SIGPIPE, what a shell
 * reports for a process a closed pipe stopped).
 */

const QUIET_CODES = new Set(['EPIPE', 'ERR_STREAM_DESTROYED']);
let closed = false;
const listeners = new Set<() => void>();

/** Watch the process's output streams; call once, before the first write. */
export function watchOutputPipes(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (!QUIET_CODES.has(error.code ?? '')) throw error;
      if (closed) return;
      closed = true;
      for (const listener of [...listeners]) listener();
    });
  }
}

/** True once a reader of the output went away. */
export function outputClosed(): boolean {
  return closed;
}

/** Called once when a reader goes away (at once if it already has); returns the unsubscribe. */
export function onOutputClosed(listener: () => void): () => void {
  if (closed) {
    listener();
    return () => undefined;
  }
  listeners.add(listener);
  return () => listeners.delete(listener);
}
