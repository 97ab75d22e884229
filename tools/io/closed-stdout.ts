/**
 * A reader that stops early (`| head -1`, `| true`) closes the pipe; Node then reports
 * EPIPE as an 'error' event on stdout, which without a listener ends the process with a
 * stack trace and exit 1. The command's own exit code is the right one: the output it
 * would have printed is simply not wanted. Any other stream error is still reported.
 */
export function ignoreClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      // Writes after the close fail as ERR_STREAM_DESTROYED: the same closed reader.
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return;
      process.exitCode = 3;
    });
  }
}
