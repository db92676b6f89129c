import { civilDateFromIso, instantOf, isoCivilDate } from '../shared/civil-date';
import { WorkingDayCalendar } from '../cycles/working-days';
import { DeadlineAlarmKind } from './deadline-alarm.entity';

export interface DeadlineRules {
  /** Working days before the deadline on which staff are reminded (e.g. [5, 1]). */
  reminderOffsets: number[];
  /** Working days after the deadline before the consolidating unit is told. */
  escalationDays: number;
}

export interface PlannedAlarm {
  kind: DeadlineAlarmKind;
  dueAt: Date;
}

/** Reminders and escalations go out at the start of the working day, Vietnam time. */
const WORKDAY_START = { hour: 8, minute: 0 };

/**
 * Every alarm of one deadline, in time order: reminders on working days before it (counted back from
 * the last working day on or before the deadline: a Saturday deadline is reminded from Friday), the
 * lateness the instant after it, and the escalation `escalationDays` working days later.
 */
export function deadlineAlarms(deadline: Date, rules: DeadlineRules, calendar: WorkingDayCalendar, zone: string): PlannedAlarm[] {
  // Every watch of a cycle plans from the same few deadlines, and each plan walked the calendar
  // day by day through luxon (~2 ms): kept per calendar (whose holidays never change) and key.
  let planned = plannedByCalendar.get(calendar);
  if (!planned) plannedByCalendar.set(calendar, (planned = new Map()));
  const key = `${deadline.getTime()}|${zone}|${rules.reminderOffsets.join(',')}|${rules.escalationDays}`;
  let alarms = planned.get(key);
  if (!alarms) {
    if (planned.size >= PLANS_KEPT) planned.clear();
    planned.set(key, (alarms = alarmsOf(deadline, rules, calendar, zone)));
  }
  // Copies: a caller may keep or change what it is given.
  return alarms.map((alarm) => ({ kind: alarm.kind, dueAt: new Date(alarm.dueAt.getTime()) }));
}

/** Distinct deadlines a process keeps the alarms of (a cycle has one, plus the units' own and the extensions). */
const PLANS_KEPT = 1000;
const plannedByCalendar = new WeakMap<WorkingDayCalendar, Map<string, PlannedAlarm[]>>();

function alarmsOf(deadline: Date, rules: DeadlineRules, calendar: WorkingDayCalendar, zone: string): PlannedAlarm[] {
  const at = (day: string) => instantOf(civilDateFromIso(day, zone), WORKDAY_START, zone);
  const deadlineDay = isoCivilDate(deadline, zone);
  const lastWorkingDay = calendar.onOrBefore(deadlineDay);
  const alarms: PlannedAlarm[] = [];
  for (const offset of [...new Set(rules.reminderOffsets)].sort((a, b) => b - a)) {
    const day = offset === 0 ? lastWorkingDay : calendar.addWorkingDays(lastWorkingDay, -offset);
    const dueAt = at(day);
    if (dueAt < deadline) alarms.push({ kind: 'reminder', dueAt });
  }
  alarms.push({ kind: 'deadline', dueAt: new Date(deadline.getTime() + 1) });
  alarms.push({ kind: 'escalation', dueAt: at(calendar.addWorkingDays(deadlineDay, rules.escalationDays)) });
  return alarms.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}

export const alarmKey = (alarm: PlannedAlarm) => `${alarm.kind}@${alarm.dueAt.toISOString()}`;

/**
 * The next alarm to sleep until, given those already raised: a reminder whose time passed unraised
 * (the deadline moved, or the engine was down) is skipped, since a late reminder says the wrong thing;
 * the lateness and the escalation are raised even late. Null: nothing left but to wait.
 */
export function nextAlarm(alarms: PlannedAlarm[], raised: ReadonlySet<string>, now: Date): PlannedAlarm | null {
  for (const alarm of alarms) {
    if (raised.has(alarmKey(alarm))) continue;
    if (alarm.kind === 'reminder' && alarm.dueAt < now) continue;
    return alarm;
  }
  return null;
}
