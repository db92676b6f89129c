import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ApprovedDocument } from '../../../src/documents/issuing/issued-documents';
import { DivisionEntity } from '../../../src/organization/division.entity';
import { DataSetImporter } from '../../../src/organization/import/data-set-importer.service';
import { OrganizationService } from '../../../src/organization/organization.service';
import { UnitEntity } from '../../../src/organization/unit.entity';
import { ControlledClock } from '../../../src/shared/clock';

export interface SeededUnits {
  skhcn: UnitEntity;
  /** Phòng Tiêu chuẩn Đo lường Chất lượng of the standing agency: letters "…/SKHCN-TĐC". */
  tdc: DivisionEntity;
  /** The provincial People's Committee: the standing agency's consolidated report goes there. */
  province: UnitEntity;
  /** A commune (Tịnh Khê) that reports to the standing agency. */
  commune: UnitEntity;
}

/** The 2025 data set (two-level), and the units the document tests use. */
export async function seedQuangNgai2025(dataSource: DataSource): Promise<SeededUnits> {
  await new DataSetImporter(dataSource, new ControlledClock('2026-09-15T02:00:00Z')).importDataSet('quang-ngai-2025');
  const organization = new OrganizationService(dataSource);
  const skhcn = (await organization.unitByCode('quang-ngai-2025', 'skhcn'))!;
  const tdc = await dataSource.getRepository(DivisionEntity).findOneByOrFail({ unitId: skhcn.id, symbol: 'TĐC' });
  const province = (await organization.unitByCode('quang-ngai-2025', '51'))!;
  const commune = (await organization.unitByCode('quang-ngai-2025', '21211'))!;
  return { skhcn, tdc, province, commune };
}

/** A report of the standing agency to the provincial People's Committee, ready to issue. */
export function approvedReport(units: SeededUnits, overrides: Partial<ApprovedDocument> = {}): ApprovedDocument {
  return {
    id: randomUUID(),
    unitId: units.skhcn.id,
    documentType: 'bao-cao',
    templateKind: 'unit-report',
    subject: 'Kết quả duy trì, cải tiến HTQLCL năm 2026',
    divisionId: units.tdc.id,
    signerName: 'Trần Phước Hiền',
    recipients: [{ unitId: units.province.id, name: 'UBND tỉnh' }, { name: 'Lưu: VT, TĐC' }],
    content: { body: ['Sở Khoa học và Công nghệ báo cáo kết quả năm 2026.'] },
    ...overrides,
  };
}
