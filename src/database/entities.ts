import { CycleEntity } from '../cycles/cycle.entity';
import { InboxTaskCandidateEntity, InboxTaskEntity } from '../inbox/inbox-task.entity';
import { ReportEvidenceEntity } from '../reports/report-evidence.entity';
import { ReportReviewEntity } from '../reports/report-review.entity';
import { ReportVersionEntity } from '../reports/report-version.entity';
import { ReportEntity } from '../reports/report.entity';
import { IssuedDocumentEntity } from '../documents/issuing/issued-document.entity';
import { NumberCounterEntity } from '../documents/numbering/number-counter.entity';
import { DataSetEntity } from '../organization/data-set.entity';
import { DivisionEntity } from '../organization/division.entity';
import { PersonEntity } from '../organization/person.entity';
import { RoleAssignmentEntity } from '../organization/role-assignment.entity';
import { UnitEntity } from '../organization/unit.entity';
import { SessionEntity } from '../identity/sessions/session.entity';
import { LoginThrottleEntity } from '../identity/throttle/login-throttle.entity';
import { AuditChainHeadEntity, AuditEventEntity } from '../audit/audit-event.entity';
import { WORKFLOW_ENTITIES } from '../workflow/embedded/workflow.entities';
import { StoredDocumentEntity } from '../documents/store/stored-document.entity';
import { DocumentIncidentEntity } from '../documents/issuing/document-incident.entity';
import { DocumentDeliveryEntity } from '../documents/issuing/document-delivery.entity';
import { OutgoingRegisterEntryEntity } from '../documents/registers/outgoing-register-entry.entity';
import { IncomingRegisterEntryEntity } from '../documents/registers/incoming-register-entry.entity';
import { RegisterClosingEntity } from '../documents/registers/register-closing.entity';
import { ConsolidationEntity, DraftDocumentEntity, UrgeLetterEntity } from '../consolidation/consolidation.entity';
import { DeadlineAlarmEntity } from '../deadlines/deadline-alarm.entity';
import { NotificationEntity } from '../notifications/notification.entity';
import { OutgoingMailEntity } from '../notifications/mail-outbox.entity';
import { SchedulerLeaseEntity } from '../scheduling/scheduler-lease.entity';
import { PendingSignatureEntity } from '../documents/signing/pending-signature.entity';
import { SigningCredentialEntity } from '../signing/admin/signing-credential.entity';

/**
 * Every TypeORM entity of the application. The schema itself comes from `migrations/`;
 * this list only tells TypeORM how rows map to classes.
 */
export const ALL_ENTITIES: Function[] = [
  DataSetEntity,
  UnitEntity,
  DivisionEntity,
  PersonEntity,
  RoleAssignmentEntity,
  SessionEntity,
  LoginThrottleEntity,
  AuditEventEntity,
  AuditChainHeadEntity,
  ...WORKFLOW_ENTITIES,
  NumberCounterEntity,
  IssuedDocumentEntity,
  StoredDocumentEntity,
  CycleEntity,
  ReportEntity,
  ReportVersionEntity,
  ReportReviewEntity,
  ReportEvidenceEntity,
  InboxTaskEntity,
  InboxTaskCandidateEntity,
  DocumentIncidentEntity,
  DocumentDeliveryEntity,
  OutgoingRegisterEntryEntity,
  IncomingRegisterEntryEntity,
  RegisterClosingEntity,
  ConsolidationEntity,
  UrgeLetterEntity,
  DraftDocumentEntity,
  DeadlineAlarmEntity,
  NotificationEntity,
  OutgoingMailEntity,
  SchedulerLeaseEntity,
  PendingSignatureEntity,
  SigningCredentialEntity,
];
