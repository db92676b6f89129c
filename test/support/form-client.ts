import { request as httpRequest } from 'node:http';

export interface PageResponse {
  status: number;
  location: string | undefined;
  html: string;
}

/**
 * A browser without JavaScript: keeps the cookies it is given, sends forms urlencoded, reads the
 * hidden `_csrf` field of the page it got, and does not follow redirects (tests look at them).
 */
export class FormClient {
  private readonly cookies = new Map<string, string>();
  /** The `_csrf` field of the last page read. */
  csrf = '';

  constructor(private readonly baseUrl: string) {}

  get(path: string): Promise<PageResponse> {
    return this.send('GET', path);
  }

  /** Posts a form; `_csrf` is the last page's unless the fields name one. */
  post(path: string, fields: Record<string, string | string[]> = {}): Promise<PageResponse> {
    const form = new URLSearchParams();
    if (!('_csrf' in fields)) form.append('_csrf', this.csrf);
    for (const [name, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) form.append(name, v);
    return this.send('POST', path, form.toString());
  }

  /**
   * Posts a multipart form (a file upload) as a browser without JavaScript does; the form token is
   * not added to the fields: such a form carries it in its action's query (`?_csrf=`).
   */
  postMultipart(path: string, fields: Record<string, string>, files: Record<string, { name: string; type: string; content: Buffer }> = {}): Promise<PageResponse> {
    const boundary = `----form-client-${Date.now().toString(16)}`;
    const parts: Buffer[] = [];
    for (const [name, value] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
    for (const [name, file] of Object.entries(files)) {
      parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${name}"; filename="${file.name}"\r\ncontent-type: ${file.type}\r\n\r\n`), file.content, Buffer.from('\r\n'));
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    return this.send('POST', path, Buffer.concat(parts), `multipart/form-data; boundary=${boundary}`);
  }

  /** Signs in through the login page's form, as a person does. */
  async signIn(login: string, password: string): Promise<PageResponse> {
    await this.get('/login');
    const response = await this.post('/login', { login, password, next: '/inbox' });
    if (response.status !== 303) throw new Error(`sign-in as ${login} answered ${response.status}`);
    await this.get('/inbox');
    return response;
  }

  hasCookie(name: string): boolean {
    return this.cookies.has(name);
  }

  private send(method: string, path: string, body?: string | Buffer, contentType = 'application/x-www-form-urlencoded'): Promise<PageResponse> {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (body !== undefined) {
      headers['content-type'] = contentType;
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    return new Promise((resolve, reject) => {
      const req = httpRequest(`${this.baseUrl}${path}`, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          for (const line of res.headers['set-cookie'] ?? []) {
            const [pair, ...attributes] = line.split(';');
            const [name, ...rest] = pair.split('=');
            const value = rest.join('=');
            const expired = value === '' || attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a));
            if (expired) this.cookies.delete(name.trim());
            else this.cookies.set(name.trim(), value);
          }
          const html = Buffer.concat(chunks).toString('utf8');
          const token = /name="_csrf" value="([^"]*)"/.exec(html);
          if (token) this.csrf = token[1];
          resolve({ status: res.statusCode ?? 0, location: res.headers.location, html });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}
