/**
 * Preloaded into a server a benchmark starts (`-r`), when CPU_PROFILE_DIR is set: SIGWINCH (a signal
 * Nest's shutdown hooks leave alone, unlike SIGUSR2; ignored by default) starts the
 * V8 CPU profiler, the next SIGWINCH stops it and writes CPU_PROFILE_DIR/profile-<n>.cpuprofile (open
 * it in Chrome DevTools or speedscope). Only the measured window is profiled, not the start-up.
 */
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  let running = false;
  let count = 0;
  process.on('SIGWINCH', () => {
    if (!running) {
      session.post('Profiler.enable', () => session.post('Profiler.start'));
      running = true;
      return;
    }
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(join(dir, `profile-${++count}.cpuprofile`), JSON.stringify(result.profile));
    });
    running = false;
  });
}
