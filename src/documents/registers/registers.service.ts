import { DataSource, Between, In, Not } from 'typeorm';
import { RoleAssignmentEntity } from '../../organization/role-assignment.entity';
import { Role } from '../../organization/roles';
import { UnitEntity } from '../../organization/unit.entity';
import { Clock } from '../../shared/clock';
import { VIETNAM_TIME_ZONE, civilDateFromIso, civilDateOf, officialShortDate } from '../../shared/civil-date';
import { FINAL_STATES, IssuedDocumentEntity } from '../issuing/issued-document.entity';
import { writeTransaction } from '../../database/write-transaction';
import { IncomingRegisterEntryEntity } from './incoming-register-entry.entity';
import { OutgoingRegisterEntryEntity } from './outgoing-register-entry.entity';
import { RegisterClosingEntity, RegisterKind } from './register-closing.entity';

/** Column headings of the outgoing register (sổ đăng ký văn bản đi), Decree 30/2020 Appendix IV. */
export const OUTGOING_COLUMNS = [
  'Số, ký hiệu văn bản',
  'Ngày tháng văn bản',
  'Tên loại và trích yếu nội dung văn bản',
  'Người ký',
  'Nơi nhận văn bản',
  'Đơn vị, người nhận bản lưu',
  'Số lượng bản',
  'Ngày chuyển',
  'Ký nhận',
  'Ghi chú',
] as const;

/** Column headings of the incoming register (sổ đăng ký văn bản đến). */
export const INCOMING_COLUMNS = [
  'Ngày đến',
  'Số đến',
  'Tác giả',
  'Số, ký hiệu',
  'Ngày tháng',
  'Tên loại và trích yếu nội dung',
  'Đơn vị hoặc người nhận',
  'Ngày chuyển',
  'Ký nhận',
  'Ghi chú',
] as const;

/** One printed row: the register's columns as text, in order. */
export type RegisterRow = string[];

export interface Register {
  kind: RegisterKind;
  unit: { id: number; officialName: string; parentBody: string | null; symbol: string };
  year: number;
  /** The period shown (YYYY-MM-DD, inclusive); the whole year by default. */
  period: { from: string; to: string };
  /** Cover: first and last number and date of the rows shown. */
  cover: { fromNumber: number | null; toNumber: number | null; fromDate: string | null; toDate: string | null; entries: number };
  closing: RegisterClosingEntity | null;
  columns: readonly string[];
  rows: RegisterRow[];
}

export class RegisterClosingRefusedError extends Error {
  readonly code = 'REGISTER_CLOSING_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'RegisterClosingRefusedError';
  }
}

/** A register's date: "05/01/2026", "09/9/2026" (Decree 30/2020's leading-zero rule); empty when none. */
export const printedDate = (iso: string | null) => (iso ? officialShortDate(civilDateFromIso(iso)) : '');
const printed = printedDate;

/** The outgoing and incoming registers of a unit, read from their rows; year-end closing. */
export class RegistersService {
  private readonly zone: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    options: { zone?: string } = {},
  ) {
    this.zone = options.zone ?? VIETNAM_TIME_ZONE;
  }

  async outgoing(unitId: number, year: number, period: Partial<Register['period']> = {}): Promise<Register> {
    const range = periodOf(year, period);
    const entries = await this.dataSource.getRepository(OutgoingRegisterEntryEntity).find({
      where: { unitId, year, issueDate: Between(range.from, range.to) },
      order: { register: 'ASC', number: 'ASC' },
    });
    const rows = entries.map((e) => [e.symbol, printed(e.issueDate), e.typeAndSubject, e.signer, e.recipients, e.fileKeeper, String(e.copies), printed(e.sentDate), '', e.notes ?? '']);
    return this.register('outgoing', unitId, year, range, rows, entries.map((e) => ({ number: e.number, date: e.issueDate })), OUTGOING_COLUMNS);
  }

  async incoming(unitId: number, year: number, period: Partial<Register['period']> = {}): Promise<Register> {
    const range = periodOf(year, period);
    const entries = await this.dataSource.getRepository(IncomingRegisterEntryEntity).find({
      where: { unitId, year, receivedDate: Between(range.from, range.to) },
      order: { incomingNumber: 'ASC' },
    });
    const rows = entries.map((e) => [printed(e.receivedDate), String(e.incomingNumber), e.sender, e.symbol, printed(e.documentDate), e.typeAndSubject, e.handler ?? '', printed(e.passedOnDate), '', e.notes ?? '']);
    return this.register('incoming', unitId, year, range, rows, entries.map((e) => ({ number: e.incomingNumber, date: e.receivedDate })), INCOMING_COLUMNS);
  }

  /**
   * Closes a unit's register for a year that has ended (Vietnam time), by one of its clerks. Every
   * document numbered that year must be finished (issued or voided) first. Closing fixes the cover;
   * closing again returns the same closing.
   */
  async closeYear(unitId: number, kind: RegisterKind, year: number, clerkPersonId: number): Promise<RegisterClosingEntity> {
    const isClerk = await this.dataSource.getRepository(RoleAssignmentEntity).existsBy({ personId: clerkPersonId, unitId, role: Role.Clerk });
    if (!isClerk) throw new RegisterClosingRefusedError(`Person ${clerkPersonId} is not a clerk (văn thư) of unit ${unitId}`);
    const existing = await this.dataSource.getRepository(RegisterClosingEntity).findOneBy({ unitId, registerKind: kind, year });
    if (existing) return existing;
    const now = this.clock.now();
    const currentYear = civilDateOf(now, this.zone).year;
    if (year >= currentYear) throw new RegisterClosingRefusedError(`The ${year} register cannot be closed before the year has ended (today is in ${currentYear}, Vietnam time)`);
    if (kind === 'outgoing') {
      const unfinished = await this.dataSource.getRepository(IssuedDocumentEntity).find({ where: { unitId, year, state: Not(In([...FINAL_STATES])) }, order: { number: 'ASC' } });
      if (unfinished.length > 0) {
        throw new RegisterClosingRefusedError(`The ${year} outgoing register cannot be closed: ${unfinished.map((d) => d.symbol).join(', ')} not finished (issue or void them first)`);
      }
    }
    const register = kind === 'outgoing' ? await this.outgoing(unitId, year) : await this.incoming(unitId, year);
    const closing = Object.assign(new RegisterClosingEntity(), {
      unitId,
      registerKind: kind,
      year,
      entryCount: register.cover.entries,
      firstNumber: register.cover.fromNumber,
      lastNumber: register.cover.toNumber,
      firstDate: register.cover.fromDate,
      lastDate: register.cover.toDate,
      closedAt: now,
      closedBy: clerkPersonId,
    });
    return writeTransaction(this.dataSource, async (manager) => {
      const repository = manager.getRepository(RegisterClosingEntity);
      const raced = await repository.findOneBy({ unitId, registerKind: kind, year });
      if (raced) return raced;
      await repository.insert(closing);
      return closing;
    });
  }

  private async register(
    kind: RegisterKind,
    unitId: number,
    year: number,
    period: Register['period'],
    rows: RegisterRow[],
    keys: { number: number; date: string }[],
    columns: readonly string[],
  ): Promise<Register> {
    const unit = await this.dataSource.getRepository(UnitEntity).findOneByOrFail({ id: unitId });
    const closing = await this.dataSource.getRepository(RegisterClosingEntity).findOneBy({ unitId, registerKind: kind, year });
    const numbers = keys.map((k) => k.number);
    const dates = keys.map((k) => k.date).sort();
    return {
      kind,
      unit: { id: unit.id, officialName: unit.officialName, parentBody: unit.parentBody, symbol: unit.symbol },
      year,
      period,
      cover: {
        fromNumber: numbers.length ? Math.min(...numbers) : null,
        toNumber: numbers.length ? Math.max(...numbers) : null,
        fromDate: dates[0] ?? null,
        toDate: dates[dates.length - 1] ?? null,
        entries: rows.length,
      },
      closing,
      columns,
      rows,
    };
  }
}

function periodOf(year: number, period: Partial<Register['period']>): Register['period'] {
  const from = period.from ?? `${year}-01-01`;
  const to = period.to ?? `${year}-12-31`;
  for (const [name, value] of [['from', from], ['to', to]] as const) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !value.startsWith(`${year}-`)) throw new RangeError(`period.${name} "${value}" is not a date of ${year} (YYYY-MM-DD)`);
  }
  return { from, to };
}
