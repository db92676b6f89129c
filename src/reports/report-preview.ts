import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DocumentComposer } from '../documents/document-composer';
import { issuerOf } from '../documents/issuing/header-lines';
import { documentSymbol } from '../documents/numbering/document-symbol';
import { documentType } from '../documents/numbering/document-types';
import { PersonEntity } from '../organization/person.entity';
import { RoleAssignmentEntity } from '../organization/role-assignment.entity';
import { Role } from '../organization/roles';
import { Clock } from '../shared/clock';
import { formById } from './form/form-definition';
import { REPORT_DOCUMENT, reportDocumentContent, reportDocumentContext, reportSigner } from './report-document';
import { ReportEntity } from './report.entity';
import { periodOf } from './reports.service';

/**
 * The draft preview: the working draft in the official layout, marked "DỰ THẢO" and without a
 * number (a number is only given at issue). Signed in the head's name as a placeholder.
 */
@Injectable()
export class ReportPreview {
  constructor(
    private readonly dataSource: DataSource,
    private readonly composer: DocumentComposer,
    private readonly clock: Clock,
  ) {}

  async render(report: ReportEntity): Promise<Buffer> {
    const { unit, cycle, consolidatingUnit: consolidating, division } = await reportDocumentContext(this.dataSource, report);
    const head = await this.dataSource.getRepository(RoleAssignmentEntity).findOne({ where: { unitId: unit.id, role: Role.Head }, order: { id: 'ASC' } });
    const headPerson = head ? await this.dataSource.getRepository(PersonEntity).findOneBy({ id: head.personId }) : null;
    const type = documentType(REPORT_DOCUMENT.documentType);
    const data = {
      issuer: issuerOf(unit),
      typeName: type.name,
      subject: REPORT_DOCUMENT.subject(cycle.year),
      document: {
        symbol: documentSymbol({ documentType: REPORT_DOCUMENT.documentType, unitSymbol: unit.symbol, divisionSymbol: division?.symbol }),
        place: unit.placeName,
        date: this.clock.now().toISOString(),
      },
      ...reportDocumentContent({
        form: formById(report.formId),
        values: report.draftValues,
        unit,
        consolidatingUnit: consolidating,
        period: periodOf(cycle),
        year: cycle.year,
        signer: reportSigner(unit, { fullName: headPerson?.fullName ?? '', isDeputy: false, title: head?.title }),
        archiveDivision: division?.symbol ?? 'VP',
      }),
    };
    return (await this.composer.compose(REPORT_DOCUMENT.templateKind, data, { draft: true })).pdf;
  }
}
