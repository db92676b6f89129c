import { startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';

/** What the web module serves: the pages and bpmn-js's bundle, nothing outside them, and never in the API's way. */
(TEST_DATABASE_KINDS.includes('sqlite') ? describe : describe.skip)('web files [sqlite]', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
  });
  afterAll(() => t.close());

  const get = (path: string) => fetch(`${t.baseUrl}${path}`, { redirect: 'manual' });

  it('serves the pages by their short paths, in Vietnamese, under the content security policy', async () => {
    expect([(await get('/')).status, (await get('/')).headers.get('location')]).toEqual([303, '/inbox']);
    for (const path of ['/login']) {
      const response = await get(path);
      expect([path, response.status]).toEqual([path, 200]);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await response.text()).toContain('<html lang="vi">');
    }
    expect((await get('/js/app.js')).headers.get('content-type')).toMatch(/javascript/);
  });

  it('sends an anonymous visitor of a server-rendered page to the login page, and serves the process page’s script', async () => {
    for (const path of ['/inbox', '/report?id=1', '/account', '/progress', '/documents', '/process?report=1', '/admin', '/signatures']) {
      const response = await get(path);
      expect([path, response.status, response.headers.get('location')]).toEqual([path, 303, `/login?next=${encodeURIComponent(path)}`]);
    }
    expect((await get('/js/process.js')).status).toBe(200);
    for (const gone of ['/progress.html', '/documents.html', '/process.html', '/js/progress.js', '/js/progress-chart.js', '/js/documents.js', '/admin.html', '/signatures.html', '/js/admin.js', '/js/admin-signing.js', '/js/signatures.js']) expect([gone, (await get(gone)).status]).toEqual([gone, 404]);
  });

  it('serves the bpmn-js viewer bundle from the npm package', async () => {
    const response = await get('/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js');
    expect(response.status).toBe(200);
    expect((await response.text()).length).toBeGreaterThan(100_000);
    expect((await get('/vendor/bpmn-js/assets/bpmn-js.css')).status).toBe(200);
  });

  it('serves nothing outside web/ and bpmn-js/dist, and leaves /api to the API', async () => {
    for (const path of ['/vendor/bpmn-js/../../../package.json', '/vendor/bpmn-js/%2e%2e/%2e%2e/%2e%2e/package.json', '/../package.json', '/%2e%2e/src/main.ts', '/.env']) {
      const response = await get(path);
      expect([path, response.status]).toEqual([path, 404]);
    }
    const me = await get('/api/auth/me');
    expect(me.status).toBe(401);
    expect(await me.json()).toMatchObject({ error: { code: 'unauthenticated' } });
  });
});
