import { DataSource } from 'typeorm';
import { CycleEntity } from '../../src/cycles/cycle.entity';

/** A 2026 cycle on a data set (deadline 14/11 23:59:59.999 Vietnam time), as opening will create it. */
export async function insertCycle(dataSource: DataSource, dataSetId: string, year = 2026): Promise<CycleEntity> {
  const cycles = dataSource.getRepository(CycleEntity);
  await cycles.insert({
    year,
    dataSetId,
    deadlineAt: new Date(`${year}-11-14T16:59:59.999Z`),
    periodStart: `${year - 1}-11-15`,
    periodEnd: `${year}-11-14`,
    status: 'open',
    openedAt: new Date(`${year}-10-01T02:00:00Z`),
    openedBy: null,
    reminderOffsets: [5, 1],
    escalationDays: 2,
  });
  return cycles.findOneByOrFail({ dataSetId, year });
}
