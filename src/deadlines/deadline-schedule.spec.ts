import { WorkingDayCalendar } from '../cycles/working-days';
import { alarmKey, deadlineAlarms, nextAlarm } from './deadline-schedule';

const calendar = WorkingDayCalendar.fromData();
const zone = 'Asia/Ho_Chi_Minh';
// 14/11/2026 23:59:59.999 Vietnam time is a Saturday; 15/11 a Sunday.
const deadline = new Date('2026-11-14T16:59:59.999Z');

describe('deadline alarms', () => {
  it('reminds on working days counted back from the last working day, then lateness, then escalation', () => {
    const alarms = deadlineAlarms(deadline, { reminderOffsets: [1, 5], escalationDays: 2 }, calendar, zone);
    expect(alarms.map((a) => [a.kind, a.dueAt.toISOString()])).toEqual([
      ['reminder', '2026-11-06T01:00:00.000Z'], // Fri 13/11 less 5 working days: Fri 6/11, 08:00
      ['reminder', '2026-11-12T01:00:00.000Z'], // Thu 12/11 08:00
      ['deadline', '2026-11-14T17:00:00.000Z'],
      ['escalation', '2026-11-17T01:00:00.000Z'], // two working days after Sat 14/11: Mon 16, Tue 17
    ]);
  });

  it('skips public holidays (2/9/2026) when counting working days', () => {
    const early = new Date('2026-09-03T16:59:59.999Z'); // Thursday 3/9 end of day
    const [reminder] = deadlineAlarms(early, { reminderOffsets: [2], escalationDays: 1 }, calendar, zone);
    expect(reminder.dueAt.toISOString()).toBe('2026-08-28T01:00:00.000Z'); // 1/9 and 2/9 off, weekend 29–30/8: Fri 28/8
  });

  it('is computed in Vietnam time whatever the zone of the server', () => {
    const before = process.env.TZ;
    process.env.TZ = 'America/Los_Angeles';
    try {
      expect(deadlineAlarms(deadline, { reminderOffsets: [1], escalationDays: 2 }, calendar, zone)[0].dueAt.toISOString()).toBe('2026-11-12T01:00:00.000Z');
    } finally {
      process.env.TZ = before;
    }
  });

  it('plans the next alarm not yet raised, skipping reminders whose time passed', () => {
    const alarms = deadlineAlarms(deadline, { reminderOffsets: [5, 1], escalationDays: 2 }, calendar, zone);
    const raised = new Set([alarmKey(alarms[0])]);
    expect(nextAlarm(alarms, raised, new Date('2026-11-10T00:00:00Z'))?.kind).toBe('reminder');
    expect(nextAlarm(alarms, new Set(), new Date('2026-11-13T00:00:00Z'))?.kind).toBe('deadline');
    expect(nextAlarm(alarms, new Set(), new Date('2026-11-20T00:00:00Z'))?.kind).toBe('deadline');
    expect(nextAlarm(alarms, new Set(alarms.map(alarmKey)), new Date('2026-11-20T00:00:00Z'))).toBeNull();
  });

  it('answers a deadline asked again as the first time, from its own calendar, in copies the caller may change', () => {
    const rules = { reminderOffsets: [1], escalationDays: 2 };
    const first = deadlineAlarms(deadline, rules, calendar, zone);
    first[0].dueAt.setTime(0);
    first.pop();
    expect(deadlineAlarms(deadline, rules, calendar, zone).map((a) => a.dueAt.toISOString())).toEqual(['2026-11-12T01:00:00.000Z', '2026-11-14T17:00:00.000Z', '2026-11-17T01:00:00.000Z']);
    // The same key on another calendar (Thursday 12/11 a holiday there) is planned there.
    const withHoliday = new WorkingDayCalendar(['2026-11-12'], new Set([2026]));
    expect(deadlineAlarms(deadline, rules, withHoliday, zone)[0].dueAt.toISOString()).toBe('2026-11-11T01:00:00.000Z');
    // Other rules, same deadline: not the plan kept for the first.
    expect(deadlineAlarms(deadline, { reminderOffsets: [2], escalationDays: 2 }, calendar, zone)[0].dueAt.toISOString()).toBe('2026-11-11T01:00:00.000Z');
  });
});
