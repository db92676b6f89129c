// What every page shares: the API client (session cookie + CSRF token), the signed-in person,
// the page header, Vietnamese formats and labels, and a small DOM builder (no innerHTML: text
// from the server is always set as text).

const ZONE = 'Asia/Ho_Chi_Minh';
const VIETNAMESE_LETTERS = /[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]/i;

export const STATUS_LABELS = {
  'not-started': 'Chưa bắt đầu',
  drafting: 'Đang soạn thảo',
  'in-review': 'Đang xem xét',
  returned: 'Bị trả lại',
  approved: 'Đã phê duyệt',
  issued: 'Đã ban hành',
};

export const ROLE_LABELS = {
  staff: 'Chuyên viên',
  'division-head': 'Trưởng phòng',
  head: 'Thủ trưởng',
  deputy: 'Cấp phó',
  clerk: 'Văn thư',
  consolidator: 'Tổng hợp',
  administrator: 'Quản trị',
};

const MESSAGES_BY_CODE = {
  unauthenticated: 'Tên đăng nhập hoặc mật khẩu không đúng, hoặc phiên làm việc đã hết.',
  forbidden: 'Bạn không có quyền thực hiện thao tác này.',
  'csrf-token-invalid': 'Phiên làm việc đã thay đổi: hãy tải lại trang rồi thử lại.',
  'too-many-attempts': 'Đăng nhập sai quá nhiều lần: hãy thử lại sau ít phút.',
  'not-found': 'Không tìm thấy dữ liệu yêu cầu.',
  'validation-failed': 'Có ô nhập chưa hợp lệ: xem thông báo ở từng ô.',
};

const MESSAGES_BY_STATUS = {
  400: 'Yêu cầu không hợp lệ.',
  409: 'Thao tác không thực hiện được ở trạng thái hiện tại.',
  413: 'Tệp quá lớn.',
  415: 'Định dạng tệp không được chấp nhận.',
  429: 'Quá nhiều yêu cầu: hãy chờ một chút rồi thử lại.',
};

/** A refused API call: a message for people, and the field errors when the API named them. */
export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    const serverMessage = typeof error.message === 'string' ? error.message : '';
    const message = VIETNAMESE_LETTERS.test(serverMessage)
      ? serverMessage
      : MESSAGES_BY_CODE[error.code] || MESSAGES_BY_STATUS[status] || `Máy chủ báo lỗi (${status}). Hãy thử lại sau.`;
    super(message);
    this.status = status;
    this.code = error.code;
    this.fields = Array.isArray(error.fields) ? error.fields : [];
  }
}

let csrfToken = '';

/** Calls the JSON API; `body` may be a FormData (uploads). Throws ApiError unless 2xx. */
export async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  const text = await response.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

export function useCsrfToken(token) {
  csrfToken = token;
}

/** The signed-in person (roles per unit), or off to the login page. Renders the header. */
export async function signedIn() {
  try {
    const me = await api('GET', '/api/auth/me');
    useCsrfToken(me.csrfToken);
    renderHeader(me);
    return me;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      location.replace(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
      return new Promise(() => {}); // the page is leaving
    }
    throw error;
  }
}

export function hasRole(me, roles, unitId) {
  return me.roles.some((r) => roles.includes(r.role) && (unitId === undefined || r.unitId === unitId));
}

/** The units where the person holds a role, each once, in Vietnamese order. */
export function unitsOf(me) {
  const units = new Map();
  for (const r of me.roles) if (!units.has(r.unitId)) units.set(r.unitId, { id: r.unitId, code: r.unitCode, name: r.unitName });
  return [...units.values()].sort((a, b) => collator.compare(a.name, b.name));
}

function renderHeader(me) {
  const header = document.getElementById('site-header');
  if (!header) return;
  const current = location.pathname;
  const link = (href, text) => el('a', { href, 'aria-current': current === href ? 'page' : null }, text);
  const logout = el('button', { type: 'button', class: 'link-button', id: 'logout' }, 'Đăng xuất');
  logout.addEventListener('click', async () => {
    try {
      await api('POST', '/api/auth/logout');
    } finally {
      location.assign('/login');
    }
  });
  const roles = [...new Set(me.roles.map((r) => ROLE_LABELS[r.role] || r.role))].join(', ');
  header.replaceChildren(
    el('a', { class: 'brand', href: '/inbox' }, 'ISO 9001 – Báo cáo hằng năm'),
    el('nav', { 'aria-label': 'Chính' }, el('ul', {}, el('li', {}, link('/inbox', 'Việc cần làm')), el('li', {}, link('/documents', 'Báo cáo và văn bản')), hasRole(me, ['consolidator']) ? el('li', {}, link('/progress', 'Tiến độ tổng hợp')) : '', hasRole(me, ['head', 'deputy']) ? el('li', {}, link('/signatures', 'Ký số')) : '', hasRole(me, ['administrator']) ? el('li', {}, link('/admin', 'Quản trị')) : '')),
    el('p', { class: 'who' }, el('a', { href: '/account', id: 'who-name', title: 'Tài khoản và đổi mật khẩu' }, me.fullName), roles ? ` (${roles})` : '', ' ', logout),
  );
}

/** Builds an element: attributes (null/false skipped, `on*` as listeners), then children (strings become text). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

const collator = new Intl.Collator('vi');
export const compareVietnamese = (a, b) => collator.compare(a, b);

const numberFormat = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 });
/** 1.234,5 */
export function formatNumber(value) {
  return typeof value === 'number' && Number.isFinite(value) ? numberFormat.format(value) : '';
}

const dateFormat = new Intl.DateTimeFormat('vi-VN', { timeZone: ZONE, day: '2-digit', month: '2-digit', year: 'numeric' });
const dateTimeFormat = new Intl.DateTimeFormat('vi-VN', { timeZone: ZONE, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });

/** An instant as dd/mm/yyyy in Vietnam. */
export function formatDate(instant) {
  return instant ? dateFormat.format(new Date(instant)) : '';
}

/** An instant as HH:mm dd/mm/yyyy in Vietnam. */
export function formatDateTime(instant) {
  if (!instant) return '';
  const parts = Object.fromEntries(dateTimeFormat.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return `${parts.hour}:${parts.minute} ${parts.day}/${parts.month}/${parts.year}`;
}

/** A civil date YYYY-MM-DD as dd/mm/yyyy. */
export function formatCivilDate(isoDate) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate || '');
  return match ? `${match[3]}/${match[2]}/${match[1]}` : isoDate || '';
}

/** dd/mm/yyyy (or d/m/yyyy) as YYYY-MM-DD; anything else is returned as typed, for the API to refuse at its field. */
export function parseCivilDate(text) {
  const match = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(text);
  return match ? `${match[3]}-${match[2].padStart(2, '0')}-${match[1].padStart(2, '0')}` : text.trim();
}

/** "1.234" or "1 234" as 1234; anything else is returned as typed, for the API to refuse at its field. */
export function parseWholeNumber(text) {
  const compact = text.replace(/[.\s]/g, '');
  return /^-?\d+$/.test(compact) ? Number(compact) : text.trim();
}

/** Announces a message in the page's live region (`#messages`). */
export function announce(message, kind = 'info') {
  const region = document.getElementById('messages');
  if (!region) return;
  region.replaceChildren(el('p', { class: `message message-${kind}` }, message));
  if (kind === 'error') region.focus();
}

/** Runs a page's main function, and shows what went wrong instead of a blank page. */
export function runPage(main) {
  main().catch((error) => {
    announce(error instanceof ApiError ? error.message : 'Có lỗi khi tải trang. Hãy tải lại trang.', 'error');
    if (!(error instanceof ApiError)) console.error(error);
  });
}

export function param(name) {
  return new URLSearchParams(location.search).get(name);
}
