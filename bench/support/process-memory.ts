import { readdirSync, readFileSync } from 'node:fs';

/**
 * Memory in MB of a process and all its descendants, read from /proc: the sum of RSS (counts the
 * pages Chromium's processes share once per process, so it overstates) and the sum of PSS (shares
 * divided among the processes: the memory the browser really costs).
 */
export function treeMemoryMb(root: number): { rss: number; pss: number } {
  const total = { rss: 0, pss: 0 };
  for (const pid of processTree(root)) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      total.rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      total.pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    } catch {
      // ended meanwhile
    }
  }
  return { rss: total.rss / 1024, pss: total.pss / 1024 };
}

/** A process and all its descendants, read from the parent links in /proc. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we read it
    }
  }
  const tree: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    tree.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return tree;
}
