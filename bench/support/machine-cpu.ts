import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/stat (USER_HZ: 100 on every Linux this runs on). */
const TICKS_PER_S = 100;

/**
 * Core-seconds the whole machine has spent busy since boot (user, nice, system, irq, softirq, steal of
 * /proc/stat's `cpu` line; idle and iowait left out). The difference across a run is the CPU the run
 * cost, its Chromium processes included, which per-process counters miss (Puppeteer's browser is not
 * a child the kernel charges back). Machine-wide: read on an otherwise quiet machine.
 */
export function machineBusyCoreSeconds(): number {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_S;
}
