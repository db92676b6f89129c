import { arrivedLate, progressStatus } from './consolidation-progress';

const report = { status: 'drafting' as const, sentAt: null, onPaper: false, lateSince: null };

describe('consolidation progress', () => {
  it('gives the working state until the deadline timer marks the report late', () => {
    expect(progressStatus({ ...report, status: 'not-started' }, false)).toBe('not-started');
    expect(progressStatus(report, false)).toBe('drafting');
    expect(progressStatus({ ...report, status: 'approved' }, false)).toBe('in-review');
    expect(progressStatus({ ...report, status: 'returned' }, false)).toBe('returned');
    expect(progressStatus({ ...report, lateSince: new Date() }, false)).toBe('late');
  });

  it('is missing once the period closed without it, and submitted once sent or entered from paper', () => {
    expect(progressStatus({ ...report, lateSince: new Date() }, true)).toBe('missing');
    expect(progressStatus({ ...report, sentAt: new Date() }, true)).toBe('submitted');
    expect(progressStatus({ ...report, onPaper: true }, false)).toBe('submitted');
  });

  it('counts a report late when the timer marked it or it was sent after the deadline', () => {
    const deadline = new Date('2026-11-14T17:00:00Z');
    expect(arrivedLate({ sentAt: new Date('2026-11-14T16:00:00Z'), lateSince: null }, deadline)).toBe(false);
    expect(arrivedLate({ sentAt: new Date('2026-11-14T18:00:00Z'), lateSince: null }, deadline)).toBe(true);
    expect(arrivedLate({ sentAt: new Date('2026-11-14T16:00:00Z'), lateSince: deadline }, deadline)).toBe(true);
  });
});
