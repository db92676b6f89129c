import { CycleEntity } from '../cycles/cycle.entity';
import { ApprovedDocument } from '../documents/issuing/issued-documents';
import { issuerOf } from '../documents/issuing/header-lines';
import { DivisionEntity } from '../organization/division.entity';
import { UnitEntity } from '../organization/unit.entity';
import { reportSigner } from '../reports/report-document';

/**
 * The urge letter (công văn đôn đốc) a consolidating unit sends to the units below it whose report is
 * late: which letter asked for the reports, by when, who is still missing and in what state, the new
 * date. Signed by the unit's head.
 */
export function urgeLetter(input: {
  documentId: string;
  cycle: CycleEntity;
  issuer: UnitEntity;
  /** Where the issuer itself reports (told in the letter who will hear of the missing units). */
  receiver: UnitEntity | null;
  division: DivisionEntity | null;
  signer: { personId: number; fullName: string; title: string | null };
  lateUnits: UnitEntity[];
  statuses: Map<number, { statusLabel: string; deadline: string }>;
  asOf: Date;
  request: { numberSymbol: string; date: string; issuerName: string } | null;
  /** YYYY-MM-DD. */
  newDeadline: string;
  approvedBy: number;
}): ApprovedDocument {
  const { cycle, issuer, receiver, division, lateUnits } = input;
  const deadline = input.statuses.get(lateUnits[0].id)?.deadline ?? cycle.deadlineAt.toISOString();
  return {
    id: input.documentId,
    unitId: issuer.id,
    documentType: 'cong-van',
    templateKind: 'urge-letter',
    subject: `đôn đốc báo cáo kết quả duy trì, cải tiến Hệ thống quản lý chất lượng theo TCVN ISO 9001:2015 năm ${cycle.year}`,
    divisionId: division?.id ?? null,
    signerPersonId: input.signer.personId,
    signerName: input.signer.fullName,
    recipients: lateUnits.map((u) => ({ unitId: u.id, name: u.officialName })),
    approvedBy: input.approvedBy,
    content: {
      issuer: { ...issuerOf(issuer), shortName: issuer.officialName },
      reportsTo: receiver?.officialName ?? 'cấp có thẩm quyền',
      addressees: lateUnits.map((u) => u.officialName),
      request: input.request ?? { numberSymbol: '(chưa có số)', date: cycle.openedAt.toISOString(), issuerName: issuer.officialName },
      cycle: { year: cycle.year, deadline },
      asOf: input.asOf.toISOString(),
      lateUnits: lateUnits.map((u) => ({ name: u.officialName, status: input.statuses.get(u.id)?.statusLabel ?? 'Chưa gửi báo cáo' })),
      newDeadline: input.newDeadline,
      submission: { channel: 'qua hệ thống iso-cycle' },
      closing: ['Đề nghị các cơ quan, đơn vị nghiêm túc thực hiện.'],
      signer: reportSigner(issuer, { fullName: input.signer.fullName, isDeputy: false, title: input.signer.title }),
      recipients: { list: [...(receiver ? [`${receiver.officialName} (b/c)`] : []), 'Như trên'], archiveDivision: division?.symbol ?? 'VP' },
    },
  };
}
