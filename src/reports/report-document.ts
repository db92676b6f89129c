import { DataSource } from 'typeorm';
import { CycleEntity } from '../cycles/cycle.entity';
import { Signer } from '../documents/templates/signer';
import { DivisionEntity } from '../organization/division.entity';
import { UnitEntity } from '../organization/unit.entity';
import { FormDefinition } from './form/form-definition';
import { DataPeriod } from './form/report-validation';
import { ReportValues, isFilled } from './form/report-values';

/** Type and subject of every yearly report, issued as BÁO CÁO. */
export const REPORT_DOCUMENT = {
  /** Key of the document-type table (Báo cáo → BC). */
  documentType: 'bao-cao',
  /** Template folder under templates/. */
  templateKind: 'unit-report',
  subject: (year: number) => `Kết quả duy trì, cải tiến Hệ thống quản lý chất lượng theo Tiêu chuẩn quốc gia TCVN ISO 9001:2015 năm ${year}`,
};

/** The person who approved, in the capacity they signed: the head for himself, or a deputy "KT." the head. */
export function reportSigner(unit: UnitEntity, signer: { fullName: string; isDeputy: boolean; title?: string | null }): Signer {
  if (!signer.isDeputy) return { title: signer.title ?? unit.headTitle, name: signer.fullName };
  return { prefix: 'KT.', headTitle: unit.headTitle, title: signer.title ?? unit.deputyTitle, name: signer.fullName };
}

/**
 * The unit-report template's content from the approved figures: one group per form section, one
 * row per figure (blank figures shown as "-"), the narratives split into paragraphs.
 */
export function reportDocumentContent(input: {
  form: FormDefinition;
  values: ReportValues;
  unit: UnitEntity;
  consolidatingUnit: UnitEntity | null;
  period: DataPeriod;
  year: number;
  signer: Signer;
  archiveDivision: string;
}): Record<string, unknown> {
  const { form, values, unit, consolidatingUnit } = input;
  const figures = form.sections.map((section) => ({
    title: section.title,
    rows: section.fields.map((field) => {
      const value = values.figures[section.key]?.[field.key];
      return { label: field.label, unit: field.unit ?? '', value: isFilled(value) ? value : null };
    }),
  }));
  const receiver = consolidatingUnit?.officialName;
  return {
    period: { from: input.period.start, to: input.period.end },
    introduction: [
      `Thực hiện chế độ báo cáo hằng năm về việc duy trì, cải tiến Hệ thống quản lý chất lượng (HTQLCL) theo Tiêu chuẩn quốc gia TCVN ISO 9001:2015 năm ${input.year}, ${unit.officialName} báo cáo như sau:`,
    ],
    figures,
    narratives: reportNarratives(values),
    signer: input.signer,
    recipients: { list: receiver ? [receiver] : [], archiveDivision: input.archiveDivision },
  };
}

/** The narratives as the documents print them: one paragraph per line, "no proposals" said when there are none. */
export function reportNarratives(values: ReportValues): { results: string[]; shortcomings: string[]; proposals: string[] } {
  const paragraphs = (key: string) =>
    (values.narratives[key] ?? '')
      .split(/\n\s*\n|\r?\n/)
      .map((p) => p.trim())
      .filter((p) => p !== '');
  const proposals = paragraphs('proposals');
  return { results: paragraphs('results'), shortcomings: paragraphs('shortcomings'), proposals: proposals.length > 0 ? proposals : ['Không có kiến nghị.'] };
}

/** What a report's document says about where it comes from and goes to. */
export interface ReportDocumentContext {
  unit: UnitEntity;
  cycle: CycleEntity;
  consolidatingUnit: UnitEntity | null;
  /** The unit's first division: it drafts and keeps the file copy ("Lưu: VT, TĐC."). */
  division: DivisionEntity | null;
}

export async function reportDocumentContext(dataSource: DataSource, report: { unitId: number; cycleId: number }): Promise<ReportDocumentContext> {
  const [unit, cycle, division] = await Promise.all([
    dataSource.getRepository(UnitEntity).findOneByOrFail({ id: report.unitId }),
    dataSource.getRepository(CycleEntity).findOneByOrFail({ id: report.cycleId }),
    dataSource.getRepository(DivisionEntity).findOne({ where: { unitId: report.unitId }, order: { id: 'ASC' } }),
  ]);
  const consolidatingUnit = unit.reportsToId === null ? null : await dataSource.getRepository(UnitEntity).findOneByOrFail({ id: unit.reportsToId });
  return { unit, cycle, consolidatingUnit, division };
}
