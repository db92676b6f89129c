import { DivisionEntity } from '../organization/division.entity';
import { UnitEntity } from '../organization/unit.entity';
import { ApprovedDocument } from '../documents/issuing/issued-documents';
import { issuerOf } from '../documents/issuing/header-lines';
import { deterministicUuid } from '../shared/deterministic-uuid';
import { CycleEntity } from './cycle.entity';

/** Addressee lines of the request letter, by the levels of the units it goes to, in the data set's order. */
const ADDRESSEES_BY_LEVEL: Record<string, string> = {
  'provincial-agency': 'Các sở, ban, ngành thuộc UBND tỉnh',
  district: 'UBND các huyện, thị xã, thành phố',
  commune: 'UBND các xã, phường, thị trấn, đặc khu',
};

/** The request letter's document id: one letter per cycle. */
export const requestLetterId = (cycle: { id: number }) => deterministicUuid(`cycle:${cycle.id}:request-letter`);

/**
 * The standing agency's request-to-report letter (công văn) of a cycle, sent to every reporting unit:
 * what to report, for which period, by which deadline. Issued once per cycle (its id derives from the
 * cycle), signed by the agency's head.
 */
export function requestLetter(input: {
  cycle: CycleEntity;
  standingAgency: UnitEntity;
  province: UnitEntity;
  division: DivisionEntity;
  reportingUnits: UnitEntity[];
  signer: { personId: number; fullName: string; title: string };
}): ApprovedDocument {
  const { cycle, standingAgency, province, division, reportingUnits, signer } = input;
  const levels = [...new Set(reportingUnits.map((u) => u.level))];
  const addressees = levels.map((level) => ADDRESSEES_BY_LEVEL[level]).filter((line): line is string => line !== undefined);
  return {
    id: requestLetterId(cycle),
    unitId: standingAgency.id,
    documentType: 'cong-van',
    templateKind: 'request-to-report-letter',
    subject: `báo cáo kết quả duy trì, cải tiến Hệ thống quản lý chất lượng theo TCVN ISO 9001:2015 năm ${cycle.year}`,
    divisionId: division.id,
    signerPersonId: signer.personId,
    signerName: signer.fullName,
    recipients: reportingUnits.filter((u) => u.id !== standingAgency.id).map((u) => ({ unitId: u.id, name: u.officialName })),
    content: {
      issuer: { ...issuerOf(standingAgency), shortName: standingAgency.officialName },
      reportsTo: province.officialName,
      addressees,
      addresseesShort: 'các cơ quan, đơn vị',
      cycle: { year: cycle.year, period: { from: cycle.periodStart, to: cycle.periodEnd }, deadline: cycle.deadlineAt.toISOString() },
      basis: [
        'Thực hiện Quyết định số 19/2014/QĐ-TTg ngày 05/3/2014 của Thủ tướng Chính phủ về việc áp dụng Hệ thống quản lý chất lượng theo Tiêu chuẩn quốc gia TCVN ISO 9001:2008 vào hoạt động của các cơ quan, tổ chức thuộc hệ thống hành chính nhà nước và Thông tư số 26/2014/TT-BKHCN ngày 10/10/2014 của Bộ Khoa học và Công nghệ quy định chi tiết thi hành Quyết định số 19/2014/QĐ-TTg;',
      ],
      requestedContent: [
        '1. Tình hình công bố, công bố lại Hệ thống quản lý chất lượng; số thủ tục hành chính thuộc thẩm quyền và số thủ tục được áp dụng; việc cập nhật quy trình khi văn bản pháp luật thay đổi.',
        '2. Kết quả đánh giá nội bộ, xem xét của lãnh đạo, hành động khắc phục, cải tiến; mục tiêu chất lượng; đào tạo; kinh phí và việc áp dụng ISO điện tử.',
        '3. Tồn tại, hạn chế, nguyên nhân và kiến nghị, đề xuất.',
        'Đối với cơ quan, đơn vị có đơn vị báo cáo về mình: báo cáo riêng số liệu của cơ quan, đơn vị mình và số liệu tổng hợp của các đơn vị đó.',
      ],
      submission: { channel: 'qua hệ thống iso-cycle', contact: `${division.name}, ${standingAgency.officialName}` },
      closing: [`${standingAgency.officialName} đề nghị các cơ quan, đơn vị quan tâm, phối hợp thực hiện.`],
      signer: { title: signer.title, name: signer.fullName },
      recipients: { list: [`${province.officialName} (b/c)`], archiveDivision: division.symbol },
    },
  };
}
