// What the pages' enhancement scripts share: the JSON API client (session cookie + the CSRF token
// the server wrote into the page's form) with its errors in Vietnamese, and how a person types
// numbers and dates. The pages themselves are rendered on the server and work without any script.

const VIETNAMESE_LETTERS = /[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]/i;

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
