import { DateTime } from 'luxon';
import { FormDefinition, figuresOf } from './form-definition';
import { DataPeriod } from './report-validation';
import { ReportValues } from './report-values';

/** A small seeded generator (mulberry32): the same seed gives the same reports. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A complete, consistent report with plausible figures, for simulations and tests: every required
 * field filled, every rule respected, every date inside the data period.
 */
export function generateReportValues(form: FormDefinition, random: () => number, period: DataPeriod, unitName = 'đơn vị'): ReportValues {
  const int = (max: number) => Math.floor(random() * (max + 1));
  const start = DateTime.fromISO(period.start);
  const days = Math.max(0, DateTime.fromISO(period.end).diff(start, 'days').days);
  const dateInPeriod = () => start.plus({ days: int(Math.floor(days)) }).toISODate()!;
  const values: ReportValues = { figures: {}, narratives: {} };
  for (const { section, field } of figuresOf(form)) {
    const bucket = (values.figures[section.key] ??= {});
    switch (field.type) {
      case 'boolean':
        bucket[field.key] = random() < 0.85;
        break;
      case 'integer':
        bucket[field.key] = int(field.key === 'underAuthority' ? 400 : 60);
        break;
      case 'money':
        bucket[field.key] = int(200) * 1_000_000;
        break;
      case 'date':
        bucket[field.key] = field.withinPeriod ? dateInPeriod() : start.minus({ years: 1 + int(5) }).toISODate()!;
        break;
      case 'choice':
        bucket[field.key] = field.choices![field.choices!.length - 1];
        break;
      case 'text':
        // Within the field's limit, whatever the unit's name ("Ban Quản lý Khu kinh tế Dung Quất và …" is long).
        bucket[field.key] = `Nội dung ${field.label.toLocaleLowerCase('vi')} của ${unitName}`.slice(0, field.maxLength ?? undefined).trim();
        break;
    }
  }
  // Consistency: a limited figure never exceeds its limit.
  for (const rule of form.rules) {
    const [fs, ff] = rule.field.split('.');
    const [ls, lf] = rule.limit.split('.');
    const limit = values.figures[ls][lf] as number;
    values.figures[fs][ff] = Math.min(values.figures[fs][ff] as number, Math.floor(limit * random()));
  }
  // Optional re-announcement: rarely, and then with its reason.
  if (values.figures.announcement && random() > 0.1) {
    values.figures.announcement.reannouncementDate = null;
    values.figures.announcement.reannouncementReason = null;
  }
  for (const narrative of form.narratives) {
    values.narratives[narrative.key] = `${narrative.label} tại ${unitName} trong kỳ báo cáo.`;
  }
  return values;
}
