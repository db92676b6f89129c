import { ArgumentsHost, Catch, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiErrorFilter } from '../http/api-error.filter';
import { UnauthenticatedError } from '../shared/errors';
import { PageRenderer } from './views/page-renderer';

const VIETNAMESE_LETTERS = /[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]/i;

/** What a page says for an error, by status, when the service's message is not Vietnamese. */
const PAGE_MESSAGES: Record<number, { title: string; text: string }> = {
  400: { title: 'Yêu cầu không hợp lệ', text: 'Yêu cầu gửi lên không hợp lệ.' },
  403: { title: 'Không có quyền', text: 'Bạn không có quyền xem trang này hoặc thực hiện thao tác này.' },
  404: { title: 'Không tìm thấy', text: 'Không tìm thấy trang hoặc dữ liệu yêu cầu.' },
  409: { title: 'Không thực hiện được', text: 'Thao tác không thực hiện được ở trạng thái hiện tại.' },
  413: { title: 'Tệp quá lớn', text: 'Tệp hoặc nội dung gửi lên quá lớn.' },
  415: { title: 'Định dạng không được chấp nhận', text: 'Định dạng tệp hoặc nội dung không được chấp nhận.' },
  422: { title: 'Dữ liệu chưa hợp lệ', text: 'Có ô nhập chưa hợp lệ.' },
  429: { title: 'Quá nhiều yêu cầu', text: 'Quá nhiều yêu cầu: hãy chờ một chút rồi thử lại.' },
  500: { title: 'Lỗi hệ thống', text: 'Có lỗi không mong muốn. Lỗi đã được ghi lại.' },
};

const CSRF_MESSAGE = 'Phiên làm việc đã thay đổi (mã chống giả mạo không khớp): hãy tải lại trang rồi thử lại.';

/**
 * The pages' errors: the same decision as the API's (ApiErrorFilter.translate: one mapping of
 * errors to statuses), shown as a page in Vietnamese. Without a session a page sends the person to
 * the login page and back (303); a refusal is a 403 page, never the data.
 */
@Catch()
@Injectable()
export class PageErrorFilter extends ApiErrorFilter {
  constructor(private readonly pages: PageRenderer) {
    super();
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    if (response.headersSent) return;
    if (exception instanceof UnauthenticatedError) {
      const referer = request.get('referer');
      const next = request.method === 'GET' ? request.originalUrl : referer && sameSite(referer, request) ? pathOf(referer) : '/inbox';
      response.redirect(303, `/login?next=${encodeURIComponent(next)}`);
      return;
    }
    const { status, body, headers } = this.translate(exception, request);
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    const known = PAGE_MESSAGES[status] ?? PAGE_MESSAGES[status >= 500 ? 500 : 400];
    const serverMessage = body.error.code === 'csrf-token-invalid' ? CSRF_MESSAGE : VIETNAMESE_LETTERS.test(body.error.message) ? body.error.message : known.text;
    const fieldMessages = (body.error.fields ?? []).map((f) => f.message).filter((m) => VIETNAMESE_LETTERS.test(m));
    this.pages.send(
      response,
      'error',
      { title: known.title, messages: [{ kind: 'error', text: serverMessage }, ...fieldMessages.map((text) => ({ kind: 'error' as const, text }))] },
      { message: 'Hãy quay lại trang trước, hoặc về danh sách việc cần làm.', reference: body.error.reference, back: request.get('referer') && sameSite(request.get('referer')!, request) ? request.get('referer') : '/inbox' },
      status,
    );
  }
}

function pathOf(url: string): string {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

function sameSite(referer: string, request: Request): boolean {
  try {
    return new URL(referer).host === request.get('host');
  } catch {
    return false;
  }
}
