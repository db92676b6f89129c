import fc from 'fast-check';
import { ChangePasswordDto, LoginDto, ResetPasswordDto } from '../../src/identity/dto/auth.dto';
import { AssignTaskDto } from '../../src/inbox/inbox.controller';
import { ReviewDto, SaveDraftDto } from '../../src/reports/dto/report.dto';
import { DeadlineDto, PaperReportDto, UrgeDto } from '../../src/consolidation/dto/consolidation.dto';
import { ImportDataSetDto, OpenCycleDto, ReassignTasksDto, SetRolesDto } from '../../src/administration/administration.dto';
import { CertificateUploadDto, ImageUploadDto, SealUploadDto, SignatureReturnDto } from '../../src/signing/signing.dto';

/**
 * Every write route of the application, for the bad-input property tests: one line per route.
 * - `as`: the demo login that sends the requests (null: anonymous, for public routes);
 * - `dto`: the body's DTO (its fields are read from the validation metadata);
 * - `params`: the route's parameters, each a fixture naming something that exists (by login: the
 *   person's id; otherwise the value as it is); the tests also send broken values in their place;
 * - `max`: the longest string any field of the DTO accepts;
 * - `wellFormed`: a well-formed value per field that must still not succeed (a wrong password).
 * A write route the application registers that is neither here nor in NO_PAYLOAD fails the test.
 */
/**
 * What a path parameter names: a person (by login: their id), the report of a unit in the 2026
 * cycle (by unit code: its id; `submitted`: a complete draft submitted for review), the open draft
 * task of a unit's report (its task key), or a value as is.
 */
export type ParamFixture = { personLogin: string } | { reportOfUnit: string } | { submittedReportOfUnit: string } | { draftTaskOfUnit: string } | { value: string };

export interface WriteRoute {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  as: string | null;
  dto?: Function;
  params?: Record<string, ParamFixture>;
  max: number;
  wellFormed?: Record<string, fc.Arbitrary<string>>;
}

const wrongPassword = fc.string({ minLength: 12, maxLength: 40 }).filter((s) => s !== 'iso-cycle-demo');

export const WRITE_ROUTES: WriteRoute[] = [
  { method: 'POST', path: '/api/auth/login', as: null, dto: LoginDto, max: 256, wellFormed: { login: fc.string({ minLength: 1, maxLength: 120 }), password: wrongPassword } },
  { method: 'POST', path: '/api/auth/password', as: 'staff.21172@quang-ngai-2025', dto: ChangePasswordDto, max: 256, wellFormed: { currentPassword: wrongPassword, newPassword: wrongPassword } },
  { method: 'POST', path: '/api/admin/people/:id/password-reset', as: 'administrator.skhcn@quang-ngai-2025', dto: ResetPasswordDto, params: { id: { personLogin: 'staff.21025@quang-ngai-2025' } }, max: 256 },
  // A half-filled (even empty) draft is a valid save: the fixture report is in review, so a draft that
  // passes the form's rules is still refused (409) and only the rules' 422s can come back otherwise.
  { method: 'PUT', path: '/api/reports/:id/draft', as: 'staff.21172@quang-ngai-2025', dto: SaveDraftDto, params: { id: { submittedReportOfUnit: '21172' } }, max: 100 },
  // The fixture report is not in review: even a well-formed decision is refused (409).
  { method: 'POST', path: '/api/reports/:id/review', as: 'head.21025@quang-ngai-2025', dto: ReviewDto, params: { id: { reportOfUnit: '21025' } }, max: 5000 },
  { method: 'POST', path: '/api/reports/:id/evidence', as: 'staff.21172@quang-ngai-2025', params: { id: { reportOfUnit: '21172' } }, max: 100 },
  // No such person: a well-formed login still changes nothing (404).
  { method: 'POST', path: '/api/tasks/:taskKey/assign', as: 'head.21172@quang-ngai-2025', dto: AssignTaskDto, params: { taskKey: { draftTaskOfUnit: '21172' } }, max: 120, wellFormed: { login: fc.stringMatching(/^nobody\.[a-z0-9]{1,20}@quang-ngai-2025$/) } },
  // Consolidation 1 is the standing agency's (the only one of the 2025 data set); nobody is late, so a
  // well-formed urge is refused (409). Deadlines: a well-formed one still fails the rules (past, or
  // after the unit's own deadline) or changes a deadline: only malformed bodies are generated here.
  { method: 'POST', path: '/api/consolidations/:id/urge', as: 'consolidator.skhcn@quang-ngai-2025', dto: UrgeDto, params: { id: { value: '1' } }, max: 10 },
  { method: 'PUT', path: '/api/consolidations/:id/units-deadline', as: 'consolidator.skhcn@quang-ngai-2025', dto: DeadlineDto, params: { id: { value: '1' } }, max: 40 },
  { method: 'PUT', path: '/api/reports/:id/deadline', as: 'consolidator.skhcn@quang-ngai-2025', dto: DeadlineDto, params: { id: { reportOfUnit: '21172' } }, max: 40 },
  { method: 'PUT', path: '/api/cycles/:id/deadline', as: 'administrator.skhcn@quang-ngai-2025', dto: DeadlineDto, params: { id: { value: '1' } }, max: 40 },
  // A paper report is a multipart upload of the values (JSON), the reference and the scan: without a
  // valid scan and complete values nothing is entered (422).
  { method: 'POST', path: '/api/reports/:id/paper', as: 'consolidator.skhcn@quang-ngai-2025', dto: PaperReportDto, params: { id: { reportOfUnit: '21172' } }, max: 255 },
  // Administration (#9). Opening a cycle: the ids and the year are whole numbers, never generated well-formed.
  { method: 'POST', path: '/api/admin/cycles', as: 'administrator.skhcn@quang-ngai-2025', dto: OpenCycleDto, max: 10 },
  // Only the data sets shipped with the application can be named: a well-formed id of none is refused (422).
  { method: 'POST', path: '/api/admin/data-sets/import', as: 'administrator.skhcn@quang-ngai-2025', dto: ImportDataSetDto, max: 63, wellFormed: { dataSetId: fc.stringMatching(/^nowhere-[a-z0-9]{1,20}$/) } },
  // A multipart upload whose data set comes from ?unitId=: without it the request names no unit (422).
  // The file's own checks (every row, all or nothing) are tested in test/administration.
  { method: 'POST', path: '/api/admin/people/import', as: 'administrator.skhcn@quang-ngai-2025', max: 100 },
  // A multipart data set file (no DTO): whatever the body, a request without a valid file imports nothing (422);
  // the importer's checks on the file itself (all or nothing, another's data set refused) are in test/administration/cycle-options-and-upload.spec.ts.
  { method: 'POST', path: '/api/admin/data-sets/upload', as: 'administrator.skhcn@quang-ngai-2025', max: 100 },
  { method: 'PUT', path: '/api/admin/people/:id/roles', as: 'administrator.skhcn@quang-ngai-2025', dto: SetRolesDto, params: { id: { personLogin: 'staff.21025@quang-ngai-2025' } }, max: 20 },
  // No such person to take over: a well-formed login still changes nothing (422).
  { method: 'POST', path: '/api/admin/people/:id/reassign-tasks', as: 'administrator.skhcn@quang-ngai-2025', dto: ReassignTasksDto, params: { id: { personLogin: 'staff.21025@quang-ngai-2025' } }, max: 120, wellFormed: { toLogin: fc.stringMatching(/^nobody\.[a-z0-9]{1,20}@quang-ngai-2025$/) } },
  // Saves nothing: values checked as a submission (an empty draft lacks the required fields: 422).
  { method: 'POST', path: '/api/reports/:id/validation', as: 'staff.21172@quang-ngai-2025', dto: SaveDraftDto, params: { id: { reportOfUnit: '21172' } }, max: 100 },
  // Signatures made elsewhere: no document waits for this head's signature, so even a well-formed CMS is 404;
  // what a bad CMS is refused with, while one waits, is tested in test/signing/deferred-signature.spec.ts.
  { method: 'POST', path: '/api/signatures/:documentId', as: 'head.21172@quang-ngai-2025', dto: SignatureReturnDto, params: { documentId: { value: '00000000-0000-4000-8000-000000000000' } }, max: 40000 },
  // Certificates and images: random text is never a PKCS#12 file, a certificate or a PNG (422); a PKCS#12 with a
  // passphrase needs SIGNING_SECRET, which this application lacks (409). Unit 1 is in the administrator's data set.
  { method: 'PUT', path: '/api/admin/signing/people/:id/certificate', as: 'administrator.skhcn@quang-ngai-2025', dto: CertificateUploadDto, params: { id: { personLogin: 'staff.21025@quang-ngai-2025' } }, max: 50000 },
  { method: 'PUT', path: '/api/admin/signing/people/:id/signature-image', as: 'administrator.skhcn@quang-ngai-2025', dto: ImageUploadDto, params: { id: { personLogin: 'staff.21025@quang-ngai-2025' } }, max: 90000 },
  { method: 'PUT', path: '/api/admin/signing/units/:unitId/certificate', as: 'administrator.skhcn@quang-ngai-2025', dto: CertificateUploadDto, params: { unitId: { value: '1' } }, max: 50000 },
  { method: 'PUT', path: '/api/admin/signing/units/:unitId/seal', as: 'administrator.skhcn@quang-ngai-2025', dto: SealUploadDto, params: { unitId: { value: '1' } }, max: 90000 },
];

/** Write routes that take no payload at all, with the reason. */
export const NO_PAYLOAD: Record<string, string> = {
  'POST /api/auth/logout': 'ends the session; no body or parameters to get wrong (its CSRF check is covered by the login tests)',
  'POST /api/reports/:id/submit': 'no body; :id goes through the shared IdPipe and the report resolver (bad ids: http-edge tests); what is submitted is the saved draft, checked by the form rules (report tests)',
  'POST /api/reports/:id/prefill': 'no body; :id as for submit; what is copied is last year\'s approved figures (report tests)',
  'POST /api/tasks/:taskKey/claim': 'no body; :taskKey is checked by the task resolver; claims are tested in the access matrix',
  'POST /api/tasks/:taskKey/unclaim': 'no body; as for claim',
  'POST /api/notifications/:id/read': 'no body; :id goes through the shared IdPipe; another person\'s notification is 404 (notification tests)',
  'POST /api/consolidations/:id/close': 'no body; :id goes through the shared IdPipe and the consolidation resolver; closing is tested in the cycle scenario',
  'POST /api/notifications/read-all': 'no body or parameters; marks only the caller\'s own notifications',
  'DELETE /api/admin/signing/people/:id': 'no body; :id goes through the shared IdPipe and the person resolver; removal is tested in test/signing/signing-admin.spec.ts',
  'DELETE /api/admin/signing/units/:unitId': 'no body; :unitId goes through the shared IdPipe; removal is tested in test/signing/signing-admin.spec.ts',
};

/**
 * The server-rendered pages' forms (src/web/pages): each hands its fields to the same service as the
 * API route named beside it (whose bad input the property tests cover), and answers with a page,
 * not the API's error shape; what each refuses, and that a refusal changes nothing, is tested in
 * the spec named.
 */
export const PAGE_FORMS: Record<string, string> = {
  'POST /login': 'AuthService.login, as POST /api/auth/login; test/web/server-pages.spec.ts (wrong password, no form token)',
  'POST /logout': 'AuthService.logout, as POST /api/auth/logout; no fields',
  'POST /account/password': 'AuthService.changePassword, as POST /api/auth/password; test/web/server-pages.spec.ts',
  'POST /tasks/:taskKey/claim': 'InboxTasks.claim, as POST /api/tasks/:taskKey/claim; no fields but `back`; test/web/server-pages.spec.ts',
  'POST /tasks/:taskKey/unclaim': 'InboxTasks.unclaim, as POST /api/tasks/:taskKey/unclaim; test/web/server-pages.spec.ts',
  'POST /tasks/:taskKey/assign': 'InboxTasks.assign, as POST /api/tasks/:taskKey/assign; the login checked by the same pattern (422 page)',
  'POST /admin/cycles': 'CycleAdministration.openCycle, as POST /api/admin/cycles (dates dd/mm/yyyy, reminder days as a list, a confirmation box); test/web/admin-page.spec.ts',
  'POST /admin/data-sets/import': 'CycleAdministration.importDataSet, as POST /api/admin/data-sets/import; test/web/admin-page.spec.ts',
  'POST /admin/data-sets/upload': 'CycleAdministration.importUploadedDataSet, as POST /api/admin/data-sets/upload (multipart); test/web/admin-page.spec.ts',
  'POST /admin/people/import': 'PeopleAdministration.importPeople, as POST /api/admin/people/import (multipart); test/web/admin-page.spec.ts',
  'POST /admin/people/:id/password': 'AuthService.resetPassword, as POST /api/admin/people/:id/password-reset (the same length bounds); test/web/admin-page.spec.ts',
  'POST /admin/people/:id/roles': 'PeopleAdministration.setRoles, as PUT /api/admin/people/:id/roles (roles outside ALL_ROLES refused); test/web/admin-page.spec.ts',
  'POST /admin/people/:id/reassign-tasks': 'PeopleAdministration.reassignTasks, as POST /api/admin/people/:id/reassign-tasks (the same login pattern); test/web/admin-page.spec.ts',
  'POST /admin/signing/units/:unitId': 'SigningCredentials.putUnitCertificate / putUnitSeal, as PUT /api/admin/signing/units/:unitId/certificate|seal (multipart files); test/web/admin-page.spec.ts',
  'POST /admin/signing/people': "SigningCredentials.putPersonCertificate / putPersonImage, as PUT /api/admin/signing/people/:id/… (multipart; the person must hold a role in ?signingUnitId=); test/web/admin-page.spec.ts",
  'POST /admin/signing/units/:unitId/remove': 'SigningCredentials.removeUnit, as DELETE /api/admin/signing/units/:unitId; no fields',
  'POST /signatures/:documentId': 'DeferredSigningService.submit, as POST /api/signatures/:documentId (multipart file or pasted base64/PEM; the same size bounds); test/web/signatures.spec.ts',
  'POST /admin/signing/people/:id/remove': 'SigningCredentials.removePerson, as DELETE /api/admin/signing/people/:id; no fields; test/web/admin-page.spec.ts',
  'POST /reports/:id/draft': 'ReportsService.saveDraft (+ submit when action=submit), as PUT /api/reports/:id/draft and POST /api/reports/:id/submit; the form rules at their fields (422 page); test/web/report-page.spec.ts',
  'POST /reports/:id/prefill': 'ReportsService.prefillFromPreviousYear, as POST /api/reports/:id/prefill; no fields; none to prefill from is a 404 message on the page',
  'POST /reports/:id/review': 'ReportsService.review, as POST /api/reports/:id/review; a return without a comment at its field (422 page); test/web/report-page.spec.ts',
  'POST /reports/:id/evidence': 'ReportsService.attachEvidence, as POST /api/reports/:id/evidence (multipart, _csrf in the query); test/web/report-page.spec.ts (no file, no token)',
  'POST /reports/:id/paper': 'ConsolidationService.enterPaperReport, as POST /api/reports/:id/paper (multipart, _csrf in the query); test/web/report-page.spec.ts (no reference)',
  'POST /consolidations/:id/urge': 'ConsolidationService.urgeLateUnits, as POST /api/consolidations/:id/urge; newDeadline dd/mm/yyyy or empty, a bad date at its field (422 page); test/web/progress-page.spec.ts',
  'POST /consolidations/:id/units-deadline': 'DeadlinesService.setUnitsDeadline, as PUT /api/consolidations/:id/units-deadline; a day that is not dd/mm/yyyy or breaks the deadline rules refused at its field (422 page); test/web/progress-page.spec.ts',
  'POST /consolidations/:id/close': 'ConsolidationService.close, as POST /api/consolidations/:id/close; refused without the confirm box (422 page); test/web/progress-page.spec.ts',
  'POST /reports/:id/deadline': 'DeadlinesService.setUnitDeadline, as PUT /api/reports/:id/deadline; deadline dd/mm/yyyy (end of that day in Vietnam), a bad or past date at its field (422 page); test/web/progress-page.spec.ts',
};

/**
 * Write routes whose lines are still to be written by their owners, named here so that the gap is
 * visible and no other route can slip in unnoticed. Their bodies are not plain string fields:
 * draft figures are objects that a draft may legitimately hold half-filled, evidence is a multipart
 * upload; the owner decides what "invalid" means there and adds the generators.
 */
/** Write routes whose lines are still to be written by their owners (none: keep it that way). */
export const AWAITING_LINES: Record<string, string> = {};
