import { ConfigurationError, loadAppConfig } from './load-app-config';

describe('loadAppConfig', () => {
  const root = '/srv/iso-cycle';

  it('gives the embedded defaults when nothing is set', () => {
    const config = loadAppConfig({}, root);
    expect(config.database).toEqual({ kind: 'sqlite', displayUrl: 'sqlite:/srv/iso-cycle/var/iso-cycle.sqlite', sqlitePath: '/srv/iso-cycle/var/iso-cycle.sqlite' });
    expect(config.workflowEngine).toBe('embedded');
    expect(config.port).toBe(3000);
    expect(config.seedOrganization).toBe('quang-ngai-2025');
    expect(config.civilTimeZone).toBe('Asia/Ho_Chi_Minh');
    expect(config.runtimeDir).toBe('/srv/iso-cycle/var');
    expect(config.logFormat).toBe('pretty');
    expect(config.documentStore).toBe('filesystem');
    expect(config.rendererThread).toBe(true);
  });

  it('keeps the renderer on the application\'s thread with RENDERER_THREAD=off', () => {
    expect(loadAppConfig({ RENDERER_THREAD: 'off' }, root).rendererThread).toBe(false);
    expect(loadAppConfig({ RENDERER_THREAD: 'on' }, root).rendererThread).toBe(true);
  });

  it('reads a MySQL/MariaDB URL into its parts and masks the password for display', () => {
    const config = loadAppConfig({ DATABASE_URL: 'mariadb://iso:s%40cret@db.local:3307/iso_cycle' }, root);
    expect(config.database).toEqual({ kind: 'mysql', displayUrl: 'mariadb://iso:***@db.local:3307/iso_cycle', host: 'db.local', port: 3307, username: 'iso', password: 's@cret', database: 'iso_cycle' });
  });

  it('logs JSON in production unless told otherwise', () => {
    expect(loadAppConfig({ NODE_ENV: 'production', DOCUMENT_SIGNING: 'unsigned' }, root).logFormat).toBe('json');
    expect(loadAppConfig({ NODE_ENV: 'production', DOCUMENT_SIGNING: 'unsigned', LOG_FORMAT: 'pretty' }, root).logFormat).toBe('pretty');
  });

  it.each([
    ['DATABASE_URL', 'postgres://x/y', /DATABASE_URL: scheme "postgres" is not supported/],
    ['DATABASE_URL', 'mysql://root@localhost', /DATABASE_URL: "mysql:\/\/root@localhost" names no database/],
    ['DATABASE_URL', 'not a url', /DATABASE_URL: "not a url" is not a URL/],
    ['WORKFLOW_ENGINE', 'camunda7', /WORKFLOW_ENGINE: "camunda7" is not one of "embedded", "zeebe"/],
    ['PORT', '70000', /PORT: "70000" is not a TCP port/],
    ['PORT', '3.5', /PORT: "3.5" is not a TCP port/],
    ['CIVIL_TIME_ZONE', 'Asia/Hanoi_City', /CIVIL_TIME_ZONE: "Asia\/Hanoi_City" is not an IANA time zone/],
    ['CHROMIUM_PATH', '/nowhere/chromium', /CHROMIUM_PATH: no file at "\/nowhere\/chromium"/],
    ['LOG_FORMAT', 'xml', /LOG_FORMAT: "xml" is not one of "pretty", "json"/],
    ['DOCUMENT_STORE', 's3', /DOCUMENT_STORE: "s3" is not one of "filesystem", "database"/],
    ['RENDERER_THREAD', 'yes', /RENDERER_THREAD: "yes" is not one of "on", "off"/],
    ['SESSION_COOKIE_SECURE', 'yes', /SESSION_COOKIE_SECURE: "yes" is not one of "auto", "always", "never"/],
    ['SESSION_IDLE_MINUTES', '0', /SESSION_IDLE_MINUTES: "0" is not a whole number from 1 to 43200/],
    ['LOGIN_MAX_FAILURES', 'five', /LOGIN_MAX_FAILURES: "five" is not a whole number from 1 to 1000/],
    ['RATE_LIMIT_PER_SESSION', '-1', /RATE_LIMIT_PER_SESSION: "-1" is not a whole number from 0 to 1000000/],
    ['RATE_LIMIT_PER_IP', '10/s', /RATE_LIMIT_PER_IP: "10\/s" is not a whole number from 0 to 1000000/],
    ['OIDC_ISSUER_URL', 'https://id.example.vn', /OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URL: missing \(OpenID Connect needs all of/],
  ])('rejects %s=%s with a message that names the variable and what was expected', (name, value, message) => {
    expect(() => loadAppConfig({ [name]: value }, root)).toThrow(message);
  });

  it('gives safe session and login-throttling defaults, and reads the proxy trust and OpenID Connect settings', () => {
    expect(loadAppConfig({}, root).security).toEqual({
      cookieSecure: 'auto',
      trustProxy: false,
      sessionMaxAgeMinutes: 720,
      sessionIdleMinutes: 60,
      loginMaxFailures: 5,
      loginMaxFailuresPerIp: 50,
      loginLockoutMinutes: 15,
      rateLimit: { perSessionPerMinute: 600, perAddressPerMinute: 6000 },
      oidc: null,
    });
    expect(loadAppConfig({ TRUST_PROXY: '1' }, root).security.trustProxy).toBe(1);
    expect(loadAppConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }, root).security.trustProxy).toBe('loopback, 10.0.0.0/8');
    const oidc = { OIDC_ISSUER_URL: 'https://id.example.vn/realms/qn', OIDC_CLIENT_ID: 'iso-cycle', OIDC_CLIENT_SECRET: 's', OIDC_REDIRECT_URL: 'https://iso.example.vn/api/auth/oidc/callback' };
    expect(loadAppConfig(oidc, root).security.oidc).toEqual({ issuerUrl: oidc.OIDC_ISSUER_URL, clientId: 'iso-cycle', clientSecret: 's', redirectUrl: oidc.OIDC_REDIRECT_URL });
    expect(() => loadAppConfig({ ...oidc, OIDC_REDIRECT_URL: 'iso.example.vn/callback' }, root)).toThrow(/OIDC_REDIRECT_URL: "iso.example.vn\/callback" is not an http\(s\) URL/);
  });

  it('reports every bad value at once', () => {
    try {
      loadAppConfig({ PORT: 'x', WORKFLOW_ENGINE: 'y' }, root);
      fail('expected a ConfigurationError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).problems).toHaveLength(2);
    }
  });
});

describe('loadAppConfig: Camunda 8 (WORKFLOW_ENGINE=zeebe)', () => {
  const root = '/srv/iso-cycle';

  it('reads no Zeebe connection for the embedded engine', () => {
    expect(loadAppConfig({ ZEEBE_REST_ADDRESS: 'not a url' }, root).zeebe).toBeNull();
  });

  it('reads the REST address and each authentication', () => {
    expect(loadAppConfig({ WORKFLOW_ENGINE: 'zeebe', ZEEBE_REST_ADDRESS: 'http://camunda:8080' }, root).zeebe).toEqual({ restAddress: 'http://camunda:8080', auth: { strategy: 'NONE' }, tenantId: undefined });
    expect(loadAppConfig({ WORKFLOW_ENGINE: 'zeebe', ZEEBE_REST_ADDRESS: 'http://camunda:8080', ZEEBE_AUTH: 'basic', ZEEBE_USERNAME: 'demo', ZEEBE_PASSWORD: 'mật-khẩu' }, root).zeebe?.auth)
      .toEqual({ strategy: 'BASIC', username: 'demo', password: 'mật-khẩu' });
    const oauth = { WORKFLOW_ENGINE: 'zeebe', ZEEBE_REST_ADDRESS: 'https://hcm-1.zeebe.camunda.io/abc', ZEEBE_AUTH: 'oauth', ZEEBE_CLIENT_ID: 'iso', ZEEBE_CLIENT_SECRET: 's', ZEEBE_OAUTH_URL: 'https://login.cloud.camunda.io/oauth/token', ZEEBE_TENANT_ID: 'qn' };
    expect(loadAppConfig(oauth, root).zeebe).toEqual({ restAddress: oauth.ZEEBE_REST_ADDRESS, auth: { strategy: 'OAUTH', clientId: 'iso', clientSecret: 's', oauthUrl: oauth.ZEEBE_OAUTH_URL, audience: undefined }, tenantId: 'qn' });
  });

  it.each([
    [{}, /ZEEBE_REST_ADDRESS: required when WORKFLOW_ENGINE=zeebe/],
    [{ ZEEBE_REST_ADDRESS: 'camunda:26500' }, /ZEEBE_REST_ADDRESS: "camunda:26500" is not an http\(s\) URL/],
    [{ ZEEBE_REST_ADDRESS: 'http://camunda:8080', ZEEBE_AUTH: 'token' }, /ZEEBE_AUTH: "token" is not one of "none", "basic", "oauth"/],
    [{ ZEEBE_REST_ADDRESS: 'http://camunda:8080', ZEEBE_AUTH: 'basic', ZEEBE_USERNAME: 'demo' }, /ZEEBE_PASSWORD: required when ZEEBE_AUTH=basic/],
    [{ ZEEBE_REST_ADDRESS: 'http://camunda:8080', ZEEBE_AUTH: 'oauth', ZEEBE_CLIENT_ID: 'iso' }, /ZEEBE_CLIENT_SECRET, ZEEBE_OAUTH_URL: required when ZEEBE_AUTH=oauth/],
    [{ ZEEBE_REST_ADDRESS: 'http://camunda:8080', ZEEBE_AUTH: 'oauth', ZEEBE_CLIENT_ID: 'iso', ZEEBE_CLIENT_SECRET: 's', ZEEBE_OAUTH_URL: 'keycloak' }, /ZEEBE_OAUTH_URL: "keycloak" is not an http\(s\) URL/],
  ])('rejects %j with a message that names the variable', (env, message) => {
    expect(() => loadAppConfig({ WORKFLOW_ENGINE: 'zeebe', ...env }, root)).toThrow(message);
  });
});
