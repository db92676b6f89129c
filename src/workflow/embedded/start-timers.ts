import { ISOInterval, getDate } from '@0dep/piso';

/**
 * Timer start events: when the next instance is due, and what remains of a cycle after it.
 * `R3/PT1H` → due in one hour, `R2/PT1H` remains; `R/PT1H` repeats for ever; a date or a duration fires once.
 */
export function nextStartTimer(timer: { type: 'timeDate' | 'timeCycle' | 'timeDuration'; value: string }, from: Date): { dueAt: number; remainingCycle: string | null } | null {
  if (timer.type === 'timeDate') return { dueAt: getDate(timer.value).getTime(), remainingCycle: null };
  const parsed = new ISOInterval(timer.value).parse();
  const dueAt = parsed.getExpireAt(from, from).getTime();
  if (timer.type === 'timeDuration') return { dueAt, remainingCycle: null };
  const cycle = /^R(\d*)\/(.+)$/.exec(timer.value);
  if (!cycle) return { dueAt, remainingCycle: null };
  if (cycle[1] === '') return { dueAt, remainingCycle: timer.value };
  const count = Number(cycle[1]);
  if (count < 1) return null;
  return { dueAt, remainingCycle: count > 1 ? `R${count - 1}/${cycle[2]}` : null };
}
