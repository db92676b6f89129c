import { DataSource, EntityManager } from 'typeorm';
import { DivisionEntity } from '../../organization/division.entity';
import { UnitEntity } from '../../organization/unit.entity';
import { Clock } from '../../shared/clock';
import { VIETNAM_TIME_ZONE, civilDateOf, isoCivilDate } from '../../shared/civil-date';
import { IssuedDocumentEntity, IssueState } from '../issuing/issued-document.entity';
import { writeTransaction } from '../../database/write-transaction';
import { numberAndSymbol } from './document-symbol';
import { NumberCounterEntity } from './number-counter.entity';

/** One numbering series: numbers start at 1 on 1 January and are unique and consecutive within it. */
export interface NumberSeries {
  unitId: number;
  /** Civil year in the configured zone (Asia/Ho_Chi_Minh). */
  year: number;
  register: string;
}

export interface NumberingOptions {
  /** Zone of the civil year and issue date (AppConfig.civilTimeZone). */
  zone?: string;
  /**
   * TEST SEAM ONLY — never set outside the concurrency test that proves the lock matters: reads
   * the counter without locking it, so concurrent transactions can take the same number.
   */
  unsafeWithoutCounterLock?: boolean;
}

export class DocumentNotFoundError extends Error {
  readonly code = 'DOCUMENT_NOT_FOUND';
  constructor(readonly documentId: string) {
    super(`No issued document with id ${documentId}`);
    this.name = 'DocumentNotFoundError';
  }
}

/**
 * Gap-free numbering. A counter row per (unit, year, register) is locked for the rest of the
 * transaction (SELECT … FOR UPDATE on MariaDB; on SQLite a write to it takes the single writer
 * lock first), and the number is written into the document in that same transaction, so a
 * rollback gives the number back and a commit uses it: no gaps, no doubles. The unique index
 * (unit, year, register, number) on the documents is the last guard.
 */
export class NumberingService {
  private readonly zone: string;
  /** Series whose counter this process created (MariaDB). */
  private readonly seriesCreated = new Set<string>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly options: NumberingOptions = {},
  ) {
    this.zone = options.zone ?? VIETNAM_TIME_ZONE;
  }

  /**
   * Gives the approved document its number, symbol and issue date (the civil date, in the zone,
   * of now). Idempotent: a document that has a number keeps it.
   */
  async assignNumber(documentId: string): Promise<IssuedDocumentEntity> {
    const documents = this.dataSource.getRepository(IssuedDocumentEntity);
    const found = await documents.findOneBy({ id: documentId });
    if (!found) throw new DocumentNotFoundError(documentId);
    if (found.number !== null) return found;

    const now = this.clock.now();
    const series: NumberSeries = { unitId: found.unitId, year: civilDateOf(now, this.zone).year, register: found.register };
    const unit = await this.dataSource.getRepository(UnitEntity).findOneByOrFail({ id: found.unitId });
    const division = found.divisionId === null ? null : await this.dataSource.getRepository(DivisionEntity).findOneByOrFail({ id: found.divisionId });
    await this.ensureSeries(series);

    return writeTransaction(this.dataSource, async (manager) => {
      const take = await this.lockSeries(manager, series);
      const document = await this.lockDocument(manager, documentId);
      // Numbered by a concurrent or earlier run of this step: nothing to do (the lock is released by the commit).
      if (document.number !== null) return document;
      const number = take.last + 1;
      await this.writeCounter(manager, series, number);
      document.number = number;
      document.year = series.year;
      document.symbol = numberAndSymbol(number, { documentType: document.documentType, unitSymbol: unit.symbol, divisionSymbol: division?.symbol });
      document.issueDate = isoCivilDate(now, this.zone);
      document.numberedAt = now;
      document.state = IssueState.Numbered;
      document.updatedAt = now;
      await manager.getRepository(IssuedDocumentEntity).save(document);
      return document;
    });
  }

  /**
   * The next number of a series, inside the caller's transaction (the incoming register numbers
   * its rows this way). The caller must have called `ensureSeries` before its transaction.
   */
  async takeNext(manager: EntityManager, series: NumberSeries): Promise<number> {
    const { last } = await this.lockSeries(manager, series);
    await this.writeCounter(manager, series, last + 1);
    return last + 1;
  }

  /**
   * Creates the series' counter at 0 if it does not exist, in a short transaction of its own before the
   * one that numbers (MariaDB). Counters are never deleted, so each series is created once per process. On SQLite the numbering transaction creates
   * the counter itself, under the single writer lock it already holds: nothing to do here.
   */
  async ensureSeries(series: NumberSeries): Promise<void> {
    if (this.dataSource.options.type !== 'mysql') return;
    const key = seriesKey(series);
    if (this.seriesCreated.has(key)) return;
    await writeTransaction(this.dataSource, (manager) => manager.query('INSERT IGNORE INTO document_number_counters (unit_id, year, register, last_number) VALUES (?, ?, ?, 0)', [series.unitId, series.year, series.register]));
    this.seriesCreated.add(key);
  }

  /** The last number of a series (0 when none was given). */
  async lastNumber(series: NumberSeries): Promise<number> {
    const row = await this.dataSource.getRepository(NumberCounterEntity).findOneBy({ ...series });
    return row?.lastNumber ?? 0;
  }

  private async lockSeries(manager: EntityManager, series: NumberSeries): Promise<{ last: number }> {
    const where = 'unit_id = ? AND year = ? AND register = ?';
    const params = [series.unitId, series.year, series.register];
    const mysql = this.dataSource.options.type === 'mysql';
    if (!mysql) await manager.query(`INSERT OR IGNORE INTO document_number_counters (unit_id, year, register, last_number) VALUES (?, ?, ?, 0)`, params);
    if (!this.options.unsafeWithoutCounterLock && !mysql) {
      // SQLite locks the whole database for the first writer: write before reading, so no other
      // process can read the same last number (and a deferred transaction never has to upgrade).
      await manager.query(`UPDATE document_number_counters SET last_number = last_number WHERE ${where}`, params);
    }
    const lock = mysql && !this.options.unsafeWithoutCounterLock ? ' FOR UPDATE' : '';
    const rows: { last_number: number | string }[] = await manager.query(`SELECT last_number FROM document_number_counters WHERE ${where}${lock}`, params);
    if (rows.length === 0) {
      this.seriesCreated.delete(seriesKey(series)); // the next attempt creates it again
      throw new Error(`Number series ${series.unitId}/${series.year}/${series.register} has no counter (ensureSeries first)`);
    }
    return { last: Number(rows[0].last_number) };
  }

  private async writeCounter(manager: EntityManager, series: NumberSeries, last: number): Promise<void> {
    await manager.query('UPDATE document_number_counters SET last_number = ? WHERE unit_id = ? AND year = ? AND register = ?', [last, series.unitId, series.year, series.register]);
  }

  private async lockDocument(manager: EntityManager, documentId: string): Promise<IssuedDocumentEntity> {
    const query = manager.getRepository(IssuedDocumentEntity).createQueryBuilder('d').where('d.id = :documentId', { documentId });
    if (this.dataSource.options.type === 'mysql') query.setLock('pessimistic_write');
    const document = await query.getOne();
    if (!document) throw new DocumentNotFoundError(documentId);
    return document;
  }
}

const seriesKey = (series: NumberSeries) => `${series.unitId}/${series.year}/${series.register}`;
