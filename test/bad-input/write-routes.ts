import fc from 'fast-check';
import { ChangePasswordDto, LoginDto, ResetPasswordDto } from '../../src/identity/dto/auth.dto';

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
export interface WriteRoute {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  as: string | null;
  dto?: Function;
  params?: Record<string, { personLogin: string } | { value: string }>;
  max: number;
  wellFormed?: Record<string, fc.Arbitrary<string>>;
}

const wrongPassword = fc.string({ minLength: 12, maxLength: 40 }).filter((s) => s !== 'iso-cycle-demo');

export const WRITE_ROUTES: WriteRoute[] = [
  { method: 'POST', path: '/api/auth/login', as: null, dto: LoginDto, max: 256, wellFormed: { login: fc.string({ minLength: 1, maxLength: 120 }), password: wrongPassword } },
  { method: 'POST', path: '/api/auth/password', as: 'staff.21172@quang-ngai-2025', dto: ChangePasswordDto, max: 256, wellFormed: { currentPassword: wrongPassword, newPassword: wrongPassword } },
  { method: 'POST', path: '/api/admin/people/:id/password-reset', as: 'administrator.skhcn@quang-ngai-2025', dto: ResetPasswordDto, params: { id: { personLogin: 'staff.21025@quang-ngai-2025' } }, max: 256 },
];

/** Write routes that take no payload at all, with the reason. */
export const NO_PAYLOAD: Record<string, string> = {
  'POST /api/auth/logout': 'ends the session; no body or parameters to get wrong (its CSRF check is covered by the login tests)',
};

/**
 * Write routes whose lines are still to be written by their owners, named here so that the gap is
 * visible and no other route can slip in unnoticed. Their bodies are not plain string fields:
 * draft figures are objects that a draft may legitimately hold half-filled, evidence is a multipart
 * upload; the owner decides what "invalid" means there and adds the generators.
 */
export const AWAITING_LINES: Record<string, string> = {
  'PUT /api/reports/:id/draft': 'reports: object-typed figures/narratives; a half-filled draft is valid',
  'POST /api/reports/:id/submit': 'reports: no body; :id needs a report fixture',
  'POST /api/reports/:id/review': 'reports: decision enum + optional comment; :id needs a report in review',
  'POST /api/reports/:id/prefill': 'reports: no body; :id needs a report fixture',
  'POST /api/reports/:id/evidence': 'reports: multipart upload, not JSON',
  'POST /api/tasks/:taskKey/claim': 'inbox: no body; :taskKey needs an open task',
  'POST /api/tasks/:taskKey/unclaim': 'inbox: no body; :taskKey needs a claimed task',
  'POST /api/tasks/:taskKey/assign': 'inbox: { login }; :taskKey needs an open task',
};
