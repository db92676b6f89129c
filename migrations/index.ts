import { Utf8mb4Database1764230400000 } from './1764230400000-Utf8mb4Database';
import { Organization1764230500000 } from './1764230500000-Organization';
import { IdentityAccessAudit1764233000000 } from './1764233000000-IdentityAccessAudit';
import { IssuedDocuments1764232000000 } from './1764232000000-IssuedDocuments';
import { WorkflowEngine1764231000000 } from './1764231000000-WorkflowEngine';
import { CyclesAndReports1764234000000 } from './1764234000000-CyclesAndReports';
import { UnitDivisionReview1764235000000 } from './1764235000000-UnitDivisionReview';
import { DocumentStore1764232100000 } from './1764232100000-DocumentStore';
import { IssueRegisters1764232200000 } from './1764232200000-IssueRegisters';
import { AuditAppendOnly1795803270793 } from './1795803270793-AuditAppendOnly';
import { CycleDeadlinesAndConsolidation1795803306170 } from './1795803306170-CycleDeadlinesAndConsolidation';
import { Notifications1795803513997 } from './1795803513997-Notifications';
import { WorkflowCallActivities1795803619775 } from './1795803619775-WorkflowCallActivities';
import { DeferredSignaturesAndCredentials1795814161630 } from './1795814161630-DeferredSignaturesAndCredentials';
import { SchedulerLeases1795815043756 } from './1795815043756-SchedulerLeases';

/** Every migration, oldest first. A committed migration is never rewritten: add a new one. */
export const ALL_MIGRATIONS: Function[] = [Utf8mb4Database1764230400000, Organization1764230500000, WorkflowEngine1764231000000, IssuedDocuments1764232000000, DocumentStore1764232100000, IssueRegisters1764232200000, IdentityAccessAudit1764233000000, CyclesAndReports1764234000000, UnitDivisionReview1764235000000, AuditAppendOnly1795803270793, CycleDeadlinesAndConsolidation1795803306170, Notifications1795803513997, WorkflowCallActivities1795803619775, DeferredSignaturesAndCredentials1795814161630, SchedulerLeases1795815043756];
