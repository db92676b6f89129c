import { listRoutes } from '../../src/access/route-inventory';
import { CycleEntity } from '../../src/cycles/cycle.entity';
import { InboxProjection } from '../../src/inbox/inbox-projection';
import { InboxTaskEntity } from '../../src/inbox/inbox-task.entity';
import { ReportsService } from '../../src/reports/reports.service';
import { ConsolidationEntity } from '../../src/consolidation/consolidation.entity';
import { CONSOLIDATION_CLOSED_MESSAGE, consolidationKey } from '../../src/consolidation/consolidation-process';
import { ConsolidationService } from '../../src/consolidation/consolidation.service';
import { WorkflowEngine } from '../../src/workflow/workflow-engine';
import { insertCycle } from '../support/cycle-fixture';
import { DEMO_PASSWORD } from '../../src/organization/import/demo-people';
import { PersonEntity } from '../../src/organization/person.entity';
import { RoleAssignmentEntity } from '../../src/organization/role-assignment.entity';
import { ALL_ROLES, Role } from '../../src/organization/roles';
import { UnitEntity } from '../../src/organization/unit.entity';
import { ApiClient, ApiResponse, startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';

/**
 * The access matrix: every route × every role × the actor's own unit / another unit, each case
 * allowed or denied, plus anonymous callers. Every route the application registers must have a row
 * here (a new route without one fails this file), and every row has at least one deny case.
 *
 * Allowed: the answer is neither 401 nor 403 (nor 5xx): the policy let the request through, whatever
 * the service then said. Denied: 403 `forbidden` for a signed-in person, 401 for anonymous callers.
 */
type Outcome = 'allow' | 'deny';

/** What a case acts on: a unit, a spare person who holds a role in it (for routes about people), the unit's report and its open task. */
interface Target {
  unit: UnitEntity;
  person: PersonEntity;
  reportId: number;
  taskKey: string;
  /** The 2026 cycle of the unit's data set. */
  cycleId: number;
  /** The consolidation at the unit, or (a unit with none below it) at the unit it reports to. */
  consolidationId: number;
}

interface Call {
  path: string;
  body?: unknown;
}

type MatrixRow =
  /** Anyone may call it (no session needed). */
  | { access: 'public'; call: () => Call }
  /** Anyone, through the login page's form: refused without the page's form token, let through with it. */
  | { access: 'sign-in-form'; call: () => Call }
  /** Any signed-in person, about themselves; anonymous denied. `freshSession`: the call ends or spends the session. */
  | { access: 'signed-in'; call: () => Call; freshSession?: boolean }
  /** By role: [own unit, other unit] per role; roles not listed are denied on both. */
  | { access: 'by-role'; call: (target: Target) => Call; roles: Partial<Record<Role, [Outcome, Outcome]>> };

const OWN_ONLY: [Outcome, Outcome] = ['allow', 'deny'];
/** Who reads a report: its unit's people, and the consolidators above it. */
const REPORT_READERS: Partial<Record<Role, [Outcome, Outcome]>> = {
  [Role.Staff]: OWN_ONLY,
  [Role.DivisionHead]: OWN_ONLY,
  [Role.Head]: OWN_ONLY,
  [Role.Deputy]: OWN_ONLY,
  [Role.Clerk]: OWN_ONLY,
  [Role.Consolidator]: OWN_ONLY,
};

const MATRIX: Record<string, MatrixRow> = {
  'GET /health': { access: 'public', call: () => ({ path: '/health' }) },
  'POST /api/auth/login': { access: 'public', call: () => ({ path: '/api/auth/login', body: { login: 'staff.21172@quang-ngai-2025', password: DEMO_PASSWORD } }) },
  // OpenID Connect is not configured in this application: both answer 404, which the policy let through.
  'GET /api/auth/oidc/start': { access: 'public', call: () => ({ path: '/api/auth/oidc/start' }) },
  'GET /api/auth/oidc/callback': { access: 'public', call: () => ({ path: '/api/auth/oidc/callback?code=x&state=y' }) },
  'POST /api/auth/logout': { access: 'signed-in', call: () => ({ path: '/api/auth/logout' }), freshSession: true },
  'GET /api/auth/me': { access: 'signed-in', call: () => ({ path: '/api/auth/me' }) },
  'POST /api/auth/password': { access: 'signed-in', call: () => ({ path: '/api/auth/password', body: { currentPassword: 'not-my-password', newPassword: 'a-new-long-password' } }) },
  'POST /api/admin/people/:id/password-reset': {
    access: 'by-role',
    call: ({ person }) => ({ path: `/api/admin/people/${person.id}/password-reset`, body: { newPassword: 'reset-in-the-matrix' } }),
    roles: { [Role.Administrator]: OWN_ONLY },
  },
  'GET /api/admin/people': {
    access: 'by-role',
    call: ({ unit }) => ({ path: `/api/admin/people?unitId=${unit.id}&q=matrix` }),
    roles: { [Role.Administrator]: OWN_ONLY },
  },
  'GET /api/reports/:id': { access: 'by-role', call: ({ reportId }) => ({ path: `/api/reports/${reportId}` }), roles: REPORT_READERS },
  'GET /api/reports': { access: 'by-role', call: ({ unit }) => ({ path: `/api/reports?unitId=${unit.id}` }), roles: REPORT_READERS },
  'GET /api/reports/:id/document': { access: 'by-role', call: ({ reportId }) => ({ path: `/api/reports/${reportId}/document` }), roles: REPORT_READERS },
  'GET /api/reports/:id/process': { access: 'by-role', call: ({ reportId }) => ({ path: `/api/reports/${reportId}/process` }), roles: REPORT_READERS },
  'GET /api/reports/:id/versions': { access: 'by-role', call: ({ reportId }) => ({ path: `/api/reports/${reportId}/versions` }), roles: REPORT_READERS },
  'GET /api/reports/:id/diff': { access: 'by-role', call: ({ reportId }) => ({ path: `/api/reports/${reportId}/diff?from=1&to=2` }), roles: REPORT_READERS },
  'PUT /api/reports/:id/draft': { access: 'by-role', call: ({ reportId }) => ({ path: `/api/reports/${reportId}/draft`, body: { figures: {} } }), roles: { [Role.Staff]: OWN_ONLY } },
  'POST /api/reports/:id/submit': { access: 'by-role', call: ({ reportId }) => ({ path: `/api/reports/${reportId}/submit` }), roles: { [Role.Staff]: OWN_ONLY } },
  'POST /api/reports/:id/review': {
    access: 'by-role',
    call: ({ reportId }) => ({ path: `/api/reports/${reportId}/review`, body: { decision: 'approved' } }),
    roles: { [Role.DivisionHead]: OWN_ONLY, [Role.Head]: OWN_ONLY, [Role.Deputy]: OWN_ONLY },
  },
  'POST /api/reports/:id/prefill': { access: 'by-role', call: ({ reportId }) => ({ path: `/api/reports/${reportId}/prefill` }), roles: { [Role.Staff]: OWN_ONLY } },
  'GET /api/reports/:id/preview': {
    access: 'by-role',
    call: ({ reportId }) => ({ path: `/api/reports/${reportId}/preview` }),
    roles: { [Role.Staff]: OWN_ONLY, [Role.DivisionHead]: OWN_ONLY, [Role.Head]: OWN_ONLY, [Role.Deputy]: OWN_ONLY, [Role.Clerk]: OWN_ONLY },
  },
  'POST /api/reports/:id/evidence': { access: 'by-role', call: ({ reportId }) => ({ path: `/api/reports/${reportId}/evidence` }), roles: { [Role.Staff]: OWN_ONLY } },
  'GET /api/reports/:id/evidence': { access: 'by-role', call: ({ reportId }) => ({ path: `/api/reports/${reportId}/evidence` }), roles: REPORT_READERS },
  'GET /api/reports/:id/evidence/:evidenceId': { access: 'by-role', call: ({ reportId }) => ({ path: `/api/reports/${reportId}/evidence/1` }), roles: REPORT_READERS },
  // Administration (#9): administrators of the target's data set; each allowed call is refused by the
  // service without changing anything (the year is open, no such data set, no file, the same roles, nobody to take over).
  'GET /api/admin/overview': { access: 'by-role', call: ({ unit }) => ({ path: `/api/admin/overview?unitId=${unit.id}` }), roles: { [Role.Administrator]: OWN_ONLY } },
  'POST /api/admin/cycles': { access: 'by-role', call: ({ unit }) => ({ path: '/api/admin/cycles', body: { unitId: unit.id, year: 2026 } }), roles: { [Role.Administrator]: OWN_ONLY } },
  // A data set is imported before anyone holds a role in it: any administrator passes.
  'POST /api/admin/data-sets/import': { access: 'by-role', call: () => ({ path: '/api/admin/data-sets/import', body: { dataSetId: 'no-such-data-set' } }), roles: { [Role.Administrator]: ['allow', 'allow'] } },
  // A file that is not shipped: any administrator (the service refuses writing over a data set they do not administer); this body has no file (422).
  'POST /api/admin/data-sets/upload': { access: 'by-role', call: () => ({ path: '/api/admin/data-sets/upload', body: {} }), roles: { [Role.Administrator]: ['allow', 'allow'] } },
  'POST /api/admin/people/import': { access: 'by-role', call: ({ unit }) => ({ path: `/api/admin/people/import?unitId=${unit.id}`, body: {} }), roles: { [Role.Administrator]: OWN_ONLY } },
  'PUT /api/admin/people/:id/roles': { access: 'by-role', call: ({ person, unit }) => ({ path: `/api/admin/people/${person.id}/roles`, body: { unitId: unit.id, roles: ['staff'] } }), roles: { [Role.Administrator]: OWN_ONLY } },
  'GET /api/admin/people/:id/tasks': { access: 'by-role', call: ({ person }) => ({ path: `/api/admin/people/${person.id}/tasks` }), roles: { [Role.Administrator]: OWN_ONLY } },
  'POST /api/admin/people/:id/reassign-tasks': { access: 'by-role', call: ({ person }) => ({ path: `/api/admin/people/${person.id}/reassign-tasks`, body: { toLogin: 'nobody.matrix@quang-ngai-2025' } }), roles: { [Role.Administrator]: OWN_ONLY } },
  // The form's rules on unsaved values: whoever reads the report (an empty draft answers 422: required fields).
  'POST /api/reports/:id/validation': { access: 'by-role', call: ({ reportId }) => ({ path: `/api/reports/${reportId}/validation`, body: { figures: {} } }), roles: REPORT_READERS },
  // A unit's registers: its own people.
  'GET /api/units/:unitId/registers': { access: 'by-role', call: ({ unit }) => ({ path: `/api/units/${unit.id}/registers?kind=outgoing&year=2026` }), roles: REPORT_READERS },
  'GET /api/units/:unitId/registers.xlsx': { access: 'by-role', call: ({ unit }) => ({ path: `/api/units/${unit.id}/registers.xlsx?kind=incoming&year=2026` }), roles: REPORT_READERS },
  'GET /api/inbox': { access: 'signed-in', call: () => ({ path: '/api/inbox' }) },
  // Consolidation: the consolidator's own is the standing agency's; every unit-role actor sits in a
  // commune, whose target is the standing agency's consolidation, outside a commune's reach.
  'GET /api/consolidations': {
    access: 'by-role',
    call: ({ unit }) => ({ path: `/api/consolidations?unitId=${unit.id}` }),
    roles: { [Role.Head]: OWN_ONLY, [Role.Deputy]: OWN_ONLY, [Role.Clerk]: OWN_ONLY, [Role.Consolidator]: OWN_ONLY },
  },
  'GET /api/consolidations/:id/progress': { access: 'by-role', call: ({ consolidationId }) => ({ path: `/api/consolidations/${consolidationId}/progress` }), roles: { [Role.Consolidator]: OWN_ONLY } },
  'GET /api/consolidations/:id/urge-letters': { access: 'by-role', call: ({ consolidationId }) => ({ path: `/api/consolidations/${consolidationId}/urge-letters` }), roles: { [Role.Consolidator]: OWN_ONLY } },
  'GET /api/consolidations/:id/tables.xlsx': { access: 'by-role', call: ({ consolidationId }) => ({ path: `/api/consolidations/${consolidationId}/tables.xlsx` }), roles: { [Role.Consolidator]: OWN_ONLY } },
  // Nobody is late in the matrix: the consolidator passes the policy and is refused (409).
  'POST /api/consolidations/:id/urge': { access: 'by-role', call: ({ consolidationId }) => ({ path: `/api/consolidations/${consolidationId}/urge`, body: {} }), roles: { [Role.Consolidator]: OWN_ONLY } },
  'PUT /api/consolidations/:id/units-deadline': { access: 'by-role', call: ({ consolidationId }) => ({ path: `/api/consolidations/${consolidationId}/units-deadline`, body: { deadline: null } }), roles: { [Role.Consolidator]: OWN_ONLY } },
  'POST /api/consolidations/:id/close': { access: 'by-role', call: ({ consolidationId }) => ({ path: `/api/consolidations/${consolidationId}/close` }), roles: { [Role.Consolidator]: OWN_ONLY } },
  // A paper report is entered by the unit above the report's unit: every actor's own target report (a
  // commune's, or the standing agency's, which goes to the province) is out of their reach.
  'POST /api/reports/:id/paper': { access: 'by-role', call: ({ reportId }) => ({ path: `/api/reports/${reportId}/paper`, body: { values: '{}', reference: 'x' } }), roles: {} },
  // The standing agency reaches every unit of its data set, its own report included: it sets the province's deadlines.
  'PUT /api/reports/:id/deadline': {
    access: 'by-role',
    call: ({ reportId }) => ({ path: `/api/reports/${reportId}/deadline`, body: { deadline: null } }),
    roles: { [Role.Consolidator]: OWN_ONLY, [Role.Administrator]: OWN_ONLY },
  },
  'PUT /api/cycles/:id/deadline': { access: 'by-role', call: ({ cycleId }) => ({ path: `/api/cycles/${cycleId}/deadline`, body: { deadline: '2026-12-31T23:59:59+07:00' } }), roles: { [Role.Administrator]: OWN_ONLY } },
  'GET /api/cycles/:id/top-report-draft': {
    access: 'by-role',
    call: ({ cycleId }) => ({ path: `/api/cycles/${cycleId}/top-report-draft` }),
    roles: { [Role.Consolidator]: OWN_ONLY, [Role.Administrator]: OWN_ONLY },
  },
  // A person's own notifications: another person's (or none) answers 404, which the policy let through.
  'GET /api/notifications': { access: 'signed-in', call: () => ({ path: '/api/notifications' }) },
  'POST /api/notifications/:id/read': { access: 'signed-in', call: () => ({ path: '/api/notifications/1/read' }) },
  'POST /api/notifications/read-all': { access: 'signed-in', call: () => ({ path: '/api/notifications/read-all' }) },
  // The draft task is offered to the unit's staff: others of the unit pass the policy but are refused as non-candidates.
  'POST /api/tasks/:taskKey/claim': { access: 'by-role', call: ({ taskKey }) => ({ path: `/api/tasks/${taskKey}/claim` }), roles: { [Role.Staff]: OWN_ONLY } },
  // Any worker of the unit passes the policy; only the holder gets the task released (others: 409).
  'POST /api/tasks/:taskKey/unclaim': {
    access: 'by-role',
    call: ({ taskKey }) => ({ path: `/api/tasks/${taskKey}/unclaim` }),
    roles: { [Role.Staff]: OWN_ONLY, [Role.DivisionHead]: OWN_ONLY, [Role.Head]: OWN_ONLY, [Role.Deputy]: OWN_ONLY, [Role.Clerk]: OWN_ONLY, [Role.Consolidator]: OWN_ONLY },
  },
  'POST /api/tasks/:taskKey/assign': {
    access: 'by-role',
    call: ({ taskKey, person }) => ({ path: `/api/tasks/${taskKey}/assign`, body: { login: person.login } }),
    roles: { [Role.Head]: OWN_ONLY, [Role.Administrator]: OWN_ONLY },
  },
  'GET /api/units/:unitId/audit-events': {
    access: 'by-role',
    call: ({ unit }) => ({ path: `/api/units/${unit.id}/audit-events` }),
    roles: { [Role.Staff]: OWN_ONLY, [Role.DivisionHead]: OWN_ONLY, [Role.Head]: OWN_ONLY, [Role.Deputy]: OWN_ONLY, [Role.Consolidator]: OWN_ONLY, [Role.Administrator]: OWN_ONLY },
  },
  // The server-rendered pages (src/web): the same policies as the API routes they stand beside.
  'GET /': { access: 'public', call: () => ({ path: '/' }) },
  'GET /login': { access: 'public', call: () => ({ path: '/login' }) },
  'POST /login': { access: 'sign-in-form', call: () => ({ path: '/login', body: { login: 'staff.21172@quang-ngai-2025', password: DEMO_PASSWORD } }) },
  'POST /logout': { access: 'signed-in', call: () => ({ path: '/logout' }), freshSession: true },
  'GET /inbox': { access: 'signed-in', call: () => ({ path: '/inbox' }) },
  'GET /account': { access: 'signed-in', call: () => ({ path: '/account' }) },
  'POST /account/password': { access: 'signed-in', call: () => ({ path: '/account/password', body: { currentPassword: 'not-my-password', newPassword: 'a-new-long-password', repeatPassword: 'a-new-long-password' } }) },
  'POST /tasks/:taskKey/claim': { access: 'by-role', call: ({ taskKey }) => ({ path: `/tasks/${taskKey}/claim` }), roles: { [Role.Staff]: OWN_ONLY } },
  'POST /tasks/:taskKey/unclaim': {
    access: 'by-role',
    call: ({ taskKey }) => ({ path: `/tasks/${taskKey}/unclaim` }),
    roles: { [Role.Staff]: OWN_ONLY, [Role.DivisionHead]: OWN_ONLY, [Role.Head]: OWN_ONLY, [Role.Deputy]: OWN_ONLY, [Role.Clerk]: OWN_ONLY, [Role.Consolidator]: OWN_ONLY },
  },
  'POST /tasks/:taskKey/assign': {
    access: 'by-role',
    call: ({ taskKey, person }) => ({ path: `/tasks/${taskKey}/assign`, body: { login: person.login } }),
    roles: { [Role.Head]: OWN_ONLY, [Role.Administrator]: OWN_ONLY },
  },
  // The report page: the policies of GET /api/reports/:id and the API routes its forms stand beside.
  'GET /report': { access: 'by-role', call: ({ reportId }) => ({ path: `/report?id=${reportId}` }), roles: REPORT_READERS },
  'POST /reports/:id/draft': { access: 'by-role', call: ({ reportId }) => ({ path: `/reports/${reportId}/draft`, body: { action: 'save' } }), roles: { [Role.Staff]: OWN_ONLY } },
  'POST /reports/:id/prefill': { access: 'by-role', call: ({ reportId }) => ({ path: `/reports/${reportId}/prefill` }), roles: { [Role.Staff]: OWN_ONLY } },
  'POST /reports/:id/review': {
    access: 'by-role',
    call: ({ reportId }) => ({ path: `/reports/${reportId}/review`, body: { decision: 'approved' } }),
    roles: { [Role.DivisionHead]: OWN_ONLY, [Role.Head]: OWN_ONLY, [Role.Deputy]: OWN_ONLY },
  },
  'POST /reports/:id/evidence': { access: 'by-role', call: ({ reportId }) => ({ path: `/reports/${reportId}/evidence` }), roles: { [Role.Staff]: OWN_ONLY } },
  // As POST /api/reports/:id/paper: the receiving unit's consolidator or clerk (the matrix's targets have none).
  'POST /reports/:id/paper': { access: 'by-role', call: ({ reportId }) => ({ path: `/reports/${reportId}/paper`, body: { reference: 'x' } }), roles: {} },
  // The dashboard, documents and process pages: the policies of GET /api/consolidations, GET /api/reports/:id/process and the consolidation routes their forms stand beside.
  // A commune's head, deputy or clerk passes on their own unit (which consolidates nothing: the page says so).
  'GET /progress': {
    access: 'by-role',
    call: ({ unit }) => ({ path: `/progress?unitId=${unit.id}` }),
    roles: { [Role.Head]: OWN_ONLY, [Role.Deputy]: OWN_ONLY, [Role.Clerk]: OWN_ONLY, [Role.Consolidator]: OWN_ONLY },
  },
  // Nobody is late in the matrix (409 page); closing without the confirmation box is refused (422 page): nothing changes.
  'POST /consolidations/:id/urge': { access: 'by-role', call: ({ consolidationId }) => ({ path: `/consolidations/${consolidationId}/urge`, body: {} }), roles: { [Role.Consolidator]: OWN_ONLY } },
  'POST /consolidations/:id/units-deadline': { access: 'by-role', call: ({ consolidationId }) => ({ path: `/consolidations/${consolidationId}/units-deadline`, body: { deadline: 'not a date' } }), roles: { [Role.Consolidator]: OWN_ONLY } },
  'POST /consolidations/:id/close': { access: 'by-role', call: ({ consolidationId }) => ({ path: `/consolidations/${consolidationId}/close`, body: {} }), roles: { [Role.Consolidator]: OWN_ONLY } },
  'POST /reports/:id/deadline': {
    access: 'by-role',
    call: ({ reportId }) => ({ path: `/reports/${reportId}/deadline`, body: { deadline: 'not a date' } }),
    roles: { [Role.Consolidator]: OWN_ONLY, [Role.Administrator]: OWN_ONLY },
  },
  'GET /documents': { access: 'signed-in', call: () => ({ path: '/documents' }) },
  'GET /process': { access: 'by-role', call: ({ reportId }) => ({ path: `/process?report=${reportId}` }), roles: REPORT_READERS },
  // The administrator's page (src/web/pages/admin.page.ts): as /api/admin. Any administrator opens the page (it shows only
  // the data sets they administer); each form is refused by the service (422/409 page) or finds nothing to remove (404 page).
  'GET /admin': { access: 'by-role', call: ({ unit }) => ({ path: `/admin?unitId=${unit.id}` }), roles: { [Role.Administrator]: ['allow', 'allow'] } },
  'POST /admin/cycles': { access: 'by-role', call: ({ unit }) => ({ path: '/admin/cycles', body: { unitId: unit.id, year: 2026 } }), roles: { [Role.Administrator]: OWN_ONLY } },
  'POST /admin/data-sets/import': { access: 'by-role', call: () => ({ path: '/admin/data-sets/import', body: { dataSetId: 'no-such-data-set' } }), roles: { [Role.Administrator]: ['allow', 'allow'] } },
  'POST /admin/data-sets/upload': { access: 'by-role', call: () => ({ path: '/admin/data-sets/upload', body: {} }), roles: { [Role.Administrator]: ['allow', 'allow'] } },
  'POST /admin/people/import': { access: 'by-role', call: ({ unit }) => ({ path: `/admin/people/import?unitId=${unit.id}`, body: {} }), roles: { [Role.Administrator]: OWN_ONLY } },
  'POST /admin/people/:id/password': { access: 'by-role', call: ({ person }) => ({ path: `/admin/people/${person.id}/password`, body: { newPassword: 'short' } }), roles: { [Role.Administrator]: OWN_ONLY } },
  'POST /admin/people/:id/roles': { access: 'by-role', call: ({ person, unit }) => ({ path: `/admin/people/${person.id}/roles`, body: { unitId: unit.id, roles: ['staff'] } }), roles: { [Role.Administrator]: OWN_ONLY } },
  'POST /admin/people/:id/reassign-tasks': { access: 'by-role', call: ({ person }) => ({ path: `/admin/people/${person.id}/reassign-tasks`, body: { toLogin: 'nobody.matrix@quang-ngai-2025' } }), roles: { [Role.Administrator]: OWN_ONLY } },
  'POST /admin/signing/units/:unitId': { access: 'by-role', call: ({ unit }) => ({ path: `/admin/signing/units/${unit.id}`, body: {} }), roles: { [Role.Administrator]: OWN_ONLY } },
  'POST /admin/signing/people': { access: 'by-role', call: ({ unit }) => ({ path: `/admin/signing/people?signingUnitId=${unit.id}`, body: {} }), roles: { [Role.Administrator]: OWN_ONLY } },
  'POST /admin/signing/units/:unitId/remove': { access: 'by-role', call: ({ unit }) => ({ path: `/admin/signing/units/${unit.id}/remove` }), roles: { [Role.Administrator]: OWN_ONLY } },
  'POST /admin/signing/people/:id/remove': { access: 'by-role', call: ({ person }) => ({ path: `/admin/signing/people/${person.id}/remove` }), roles: { [Role.Administrator]: OWN_ONLY } },
  // Signatures made elsewhere: each person reaches only the documents waiting for their own signature (others: 404).
  'GET /api/signatures': { access: 'signed-in', call: () => ({ path: '/api/signatures' }) },
  'GET /api/signatures/:documentId': { access: 'signed-in', call: () => ({ path: '/api/signatures/00000000-0000-4000-8000-000000000000' }) },
  'GET /api/signatures/:documentId/pdf': { access: 'signed-in', call: () => ({ path: '/api/signatures/00000000-0000-4000-8000-000000000000/pdf' }) },
  'POST /api/signatures/:documentId': { access: 'signed-in', call: () => ({ path: '/api/signatures/00000000-0000-4000-8000-000000000000', body: { cms: 'AAAA' } }) },
  // The signer's page (src/web/pages/signatures.page.ts): as /api/signatures, each person's own documents only (others: 404 page).
  'GET /signatures': { access: 'signed-in', call: () => ({ path: '/signatures' }) },
  'GET /signatures/:documentId/digest': { access: 'signed-in', call: () => ({ path: '/signatures/00000000-0000-4000-8000-000000000000/digest' }) },
  'GET /signatures/:documentId/signed-attributes': { access: 'signed-in', call: () => ({ path: '/signatures/00000000-0000-4000-8000-000000000000/signed-attributes' }) },
  'POST /signatures/:documentId': { access: 'signed-in', call: () => ({ path: '/signatures/00000000-0000-4000-8000-000000000000', body: { text: 'AAAA' } }) },
  // Certificates and images: administrators of the data set; the bodies are refused (422) or there is nothing to remove (404).
  'GET /api/admin/signing/credentials': { access: 'by-role', call: ({ unit }) => ({ path: `/api/admin/signing/credentials?unitId=${unit.id}` }), roles: { [Role.Administrator]: OWN_ONLY } },
  'PUT /api/admin/signing/people/:id/certificate': { access: 'by-role', call: ({ person }) => ({ path: `/api/admin/signing/people/${person.id}/certificate`, body: { certificate: 'not a certificate' } }), roles: { [Role.Administrator]: OWN_ONLY } },
  'PUT /api/admin/signing/people/:id/signature-image': { access: 'by-role', call: ({ person }) => ({ path: `/api/admin/signing/people/${person.id}/signature-image`, body: { png: 'AAAA' } }), roles: { [Role.Administrator]: OWN_ONLY } },
  'DELETE /api/admin/signing/people/:id': { access: 'by-role', call: ({ person }) => ({ path: `/api/admin/signing/people/${person.id}` }), roles: { [Role.Administrator]: OWN_ONLY } },
  'PUT /api/admin/signing/units/:unitId/certificate': { access: 'by-role', call: ({ unit }) => ({ path: `/api/admin/signing/units/${unit.id}/certificate`, body: {} }), roles: { [Role.Administrator]: OWN_ONLY } },
  'PUT /api/admin/signing/units/:unitId/seal': { access: 'by-role', call: ({ unit }) => ({ path: `/api/admin/signing/units/${unit.id}/seal`, body: { png: 'AAAA', diameterMm: 36 } }), roles: { [Role.Administrator]: OWN_ONLY } },
  'DELETE /api/admin/signing/units/:unitId': { access: 'by-role', call: ({ unit }) => ({ path: `/api/admin/signing/units/${unit.id}` }), roles: { [Role.Administrator]: OWN_ONLY } },
};

/**
 * Who plays each role, and which unit is "own" and "other" for them. Unit roles sit in a commune;
 * the consolidator and the administrator sit at the standing agency, which reaches every unit of its
 * data set, so their "other" unit lies in another data set.
 */
const ACTORS: Record<Role, { unit: [string, string]; other: [string, string] }> = {
  [Role.Staff]: { unit: ['quang-ngai-2025', '21172'], other: ['quang-ngai-2025', '21025'] },
  [Role.DivisionHead]: { unit: ['quang-ngai-2025', '21172'], other: ['quang-ngai-2025', '21025'] },
  [Role.Head]: { unit: ['quang-ngai-2025', '21172'], other: ['quang-ngai-2025', '21025'] },
  [Role.Deputy]: { unit: ['quang-ngai-2025', '21172'], other: ['quang-ngai-2025', '21025'] },
  [Role.Clerk]: { unit: ['quang-ngai-2025', '21172'], other: ['quang-ngai-2025', '21025'] },
  [Role.Consolidator]: { unit: ['quang-ngai-2025', 'skhcn'], other: ['quang-ngai-2021', '21040'] },
  [Role.Administrator]: { unit: ['quang-ngai-2025', 'skhcn'], other: ['quang-ngai-2021', '21040'] },
};

/** A server-rendered page (src/web): it refuses with a 403 page, and sends anonymous callers to the login page. */
const isPage = (path: string) => !path.startsWith('/api/') && path !== '/health';
const sentToLogin = (r: ApiResponse) => r.status === 303 && (r.headers.get('location') ?? '').startsWith('/login?next=');
const isAllowed = (r: ApiResponse) => r.status !== 401 && r.status !== 403 && r.status < 500 && !sentToLogin(r);
const isDenied = (r: ApiResponse, signedIn: boolean, page: boolean) =>
  signedIn ? r.status === 403 && (page ? typeof r.body === 'string' && r.body.includes('Không có quyền') : r.body?.error?.code === 'forbidden') : page ? sentToLogin(r) : r.status === 401;
const methodOf = (key: string) => key.split(' ')[0];

describe.each(TEST_DATABASE_KINDS)('access matrix: every route × role × own/other unit [%s]', (kind) => {
  let t: TestApp;
  const targets = new Map<string, Target>();
  const sessions = new Map<Role, ApiClient>();
  const cycles = new Map<string, CycleEntity>();

  const signIn = async (role: Role): Promise<ApiClient> => {
    const [dataSetId, code] = ACTORS[role].unit;
    const client = new ApiClient(t.baseUrl);
    const response = await client.login(`${role}.${code}@${dataSetId}`, DEMO_PASSWORD);
    if (response.status !== 200) throw new Error(`could not sign in as ${role}: ${response.status} ${JSON.stringify(response.body)}`);
    return client;
  };

  /** A person who holds a role in the unit and plays no part otherwise, so a case may change them. */
  const targetIn = async ([dataSetId, code]: [string, string]): Promise<Target> => {
    const key = `${dataSetId}/${code}`;
    if (!targets.has(key)) {
      const unit = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId, code });
      const template = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login: `staff.${code}@${dataSetId}` });
      await t.dataSource.getRepository(PersonEntity).insert({ login: `matrix-target.${code}@${dataSetId}`, fullName: 'Người Thử', passwordHash: template.passwordHash, active: true });
      const person = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login: `matrix-target.${code}@${dataSetId}` });
      await t.dataSource.getRepository(RoleAssignmentEntity).insert({ personId: person.id, unitId: unit.id, role: Role.Staff, title: null, divisionId: null });
      const cycle = cycles.get(dataSetId)!;
      const report = await t.app.get(ReportsService).startReport(cycle, unit);
      // A consolidating unit drafts once its period is closed: release its report as closing would.
      await t.app.get(WorkflowEngine).publishMessage({ name: CONSOLIDATION_CLOSED_MESSAGE, correlationKey: consolidationKey(cycle.id, unit.id), variables: {}, timeToLiveMs: 60_000 });
      await t.app.get(WorkflowEngine).whenIdle();
      await t.app.get(InboxProjection).settled();
      const task = await t.dataSource.getRepository(InboxTaskEntity).findOneByOrFail({ subject: `report:${report.id}`, state: 'open' });
      const consolidation =
        (await t.dataSource.getRepository(ConsolidationEntity).findOneBy({ cycleId: cycle.id, unitId: unit.id })) ??
        (await t.dataSource.getRepository(ConsolidationEntity).findOneByOrFail({ cycleId: cycle.id, unitId: unit.reportsToId! }));
      targets.set(key, { unit, person, reportId: report.id, taskKey: task.taskKey, cycleId: cycle.id, consolidationId: consolidation.id });
    }
    return targets.get(key)!;
  };

  const send = (client: ApiClient, key: string, call: Call) => client.request(methodOf(key), call.path, call.body === undefined && methodOf(key) !== 'GET' ? { body: {} } : { body: call.body });

  beforeAll(async () => {
    t = await startTestApp(kind, { dataSets: ['quang-ngai-2025', 'quang-ngai-2021'], security: { loginMaxFailuresPerIp: 100000 }, runtime: true });
    for (const dataSetId of ['quang-ngai-2025', 'quang-ngai-2021']) {
      cycles.set(dataSetId, await insertCycle(t.dataSource, dataSetId));
      await t.app.get(ConsolidationService).startConsolidations(cycles.get(dataSetId)!);
    }
    for (const role of ALL_ROLES) sessions.set(role, await signIn(role));
  });
  afterAll(() => t.close());

  it('has a row for every registered route, and no row for a route that does not exist', () => {
    const registered = listRoutes(t.app).map((r) => `${r.method} ${r.path}`);
    expect(registered.filter((key) => !(key in MATRIX))).toEqual([]);
    expect(Object.keys(MATRIX).filter((key) => !registered.includes(key))).toEqual([]);
  });

  it('matches each route’s declared policy kind', () => {
    for (const route of listRoutes(t.app)) {
      const row = MATRIX[`${route.method} ${route.path}`];
      if (!row) continue;
      const declared = typeof route.policy === 'object' ? 'by-role' : route.policy;
      expect(`${route.method} ${route.path}: ${declared}`).toBe(`${route.method} ${route.path}: ${row.access}`);
    }
  });

  it.each(Object.entries(MATRIX))('%s', async (key, row) => {
    const mismatches: string[] = [];
    const page = isPage(key.split(' ')[1]);
    const check = (label: string, response: ApiResponse, expected: Outcome, signedIn: boolean) => {
      const ok = expected === 'allow' ? isAllowed(response) : isDenied(response, signedIn, page);
      if (!ok) mismatches.push(`${label}: expected ${expected}, got ${response.status} ${JSON.stringify(response.body)?.slice(0, 200)}`);
    };
    let denyCases = 0;

    if (row.access === 'public') {
      check('anonymous', await send(new ApiClient(t.baseUrl), key, row.call()), 'allow', false);
    } else if (row.access === 'sign-in-form') {
      const call = row.call();
      const refused = await send(new ApiClient(t.baseUrl), key, call);
      if (!(refused.status === 403 && String(refused.body).includes('mã chống giả mạo'))) mismatches.push(`without the form token: expected deny, got ${refused.status}`);
      denyCases++;
      const formPage = await fetch(`${t.baseUrl}/login`);
      const cookie = formPage.headers.getSetCookie().find((c) => c.startsWith('iso_cycle_form='))!.split(';')[0];
      const withToken = new ApiClient(t.baseUrl);
      check('anonymous with the form token', await withToken.request('POST', call.path, { body: { ...(call.body as object), _csrf: cookie.split('=')[1] }, headers: { cookie } }), 'allow', false);
    } else if (row.access === 'signed-in') {
      for (const role of ALL_ROLES) {
        const client = row.freshSession ? await signIn(role) : sessions.get(role)!;
        check(role, await send(client, key, row.call()), 'allow', true);
      }
      check('anonymous', await send(new ApiClient(t.baseUrl), key, row.call()), 'deny', false);
      denyCases++;
    } else {
      for (const role of ALL_ROLES) {
        const [own, other] = row.roles[role] ?? ['deny', 'deny'];
        check(`${role} on own unit`, await send(sessions.get(role)!, key, row.call(await targetIn(ACTORS[role].unit))), own, true);
        check(`${role} on other unit`, await send(sessions.get(role)!, key, row.call(await targetIn(ACTORS[role].other))), other, true);
        denyCases += Number(own === 'deny') + Number(other === 'deny');
      }
      check('anonymous', await send(new ApiClient(t.baseUrl), key, row.call(await targetIn(ACTORS[Role.Staff].unit))), 'deny', false);
      denyCases++;
      expect(denyCases).toBeGreaterThan(1);
    }
    if (row.access !== 'public') expect(denyCases).toBeGreaterThan(0);
    expect(mismatches).toEqual([]);
  });
});
