import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { SigningConfig, DocumentSigningKind } from './app-config';
import { AppConfig, MailConfig, MailTransportKind, DocumentStoreKind, CookieSecureMode, DatabaseConfig, LogFormat, OidcConfig, SecurityConfig, WorkflowEngineKind, ZeebeConfig } from './app-config';

/** Thrown when one or more configuration values are wrong; the message names every variable at fault. */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

type Env = Record<string, string | undefined>;

/** Every variable the application reads, documented in .env.example. */
export const CONFIG_VARIABLES = ['DATABASE_URL', 'WORKFLOW_ENGINE',
  'ZEEBE_REST_ADDRESS', 'ZEEBE_AUTH', 'ZEEBE_CLIENT_ID', 'ZEEBE_CLIENT_SECRET', 'ZEEBE_OAUTH_URL', 'ZEEBE_TOKEN_AUDIENCE', 'ZEEBE_USERNAME', 'ZEEBE_PASSWORD', 'ZEEBE_TENANT_ID',
  'CHROMIUM_PATH', 'PORT', 'SEED_ORGANIZATION', 'CIVIL_TIME_ZONE', 'RUNTIME_DIR', 'LOG_FORMAT', 'NODE_ENV',
  'SESSION_COOKIE_SECURE', 'TRUST_PROXY', 'SESSION_MAX_AGE_MINUTES', 'SESSION_IDLE_MINUTES',
  'DOCUMENT_SIGNING', 'SIGNING_KEYSTORE', 'SIGNING_TRUST_ANCHORS', 'SIGNING_SECRET',
  'LOGIN_MAX_FAILURES', 'LOGIN_MAX_FAILURES_PER_IP', 'LOGIN_LOCKOUT_MINUTES', 'RATE_LIMIT_PER_SESSION', 'RATE_LIMIT_PER_IP',
  'OIDC_ISSUER_URL', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_REDIRECT_URL', 'DOCUMENT_STORE', 'DOCUMENT_FONT_DIR',
  'MAIL_TRANSPORT', 'SMTP_URL', 'MAIL_FROM', 'SCHEDULER_LEASE_SECONDS', 'RENDERER_THREAD'] as const;

/** Where Debian, Ubuntu and other distributions install Chromium or Chrome. */
const CHROMIUM_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
  '/snap/bin/chromium',
];

/**
 * Reads the environment into typed, validated values. Every problem is collected, so that one start
 * tells the operator everything that is wrong, each with the variable and what was expected.
 */
export function loadAppConfig(env: Env = process.env, projectRoot = process.cwd()): AppConfig {
  const problems: string[] = [];
  const read = (name: string) => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };

  const runtimeDir = resolvePath(read('RUNTIME_DIR') ?? 'var', projectRoot);
  const database = parseDatabaseUrl(read('DATABASE_URL') ?? `sqlite:${resolve(runtimeDir, 'iso-cycle.sqlite')}`, projectRoot, problems);

  const workflowEngine = oneOf<WorkflowEngineKind>('WORKFLOW_ENGINE', read('WORKFLOW_ENGINE') ?? 'embedded', ['embedded', 'zeebe'], problems);
  const zeebe = parseZeebe(read, workflowEngine, problems);

  let chromiumPath = read('CHROMIUM_PATH');
  if (chromiumPath !== undefined && !existsSync(chromiumPath)) {
    problems.push(`CHROMIUM_PATH: no file at "${chromiumPath}" (expected the path of a Chromium or Chrome executable)`);
  }
  chromiumPath ??= CHROMIUM_CANDIDATES.find((candidate) => existsSync(candidate));
  const rendererThread = oneOf<'on' | 'off'>('RENDERER_THREAD', read('RENDERER_THREAD') ?? 'on', ['on', 'off'], problems) === 'on';

  const port = parsePort(read('PORT') ?? '3000', problems);
  const seedOrganization = read('SEED_ORGANIZATION') ?? 'quang-ngai-2025';

  const civilTimeZone = read('CIVIL_TIME_ZONE') ?? 'Asia/Ho_Chi_Minh';
  if (!isKnownTimeZone(civilTimeZone)) {
    problems.push(`CIVIL_TIME_ZONE: "${civilTimeZone}" is not an IANA time zone (expected e.g. Asia/Ho_Chi_Minh)`);
  }

  const defaultLogFormat: LogFormat = read('NODE_ENV') === 'production' ? 'json' : 'pretty';
  const logFormat = oneOf<LogFormat>('LOG_FORMAT', read('LOG_FORMAT') ?? defaultLogFormat, ['pretty', 'json'], problems);

  const security = parseSecurity(read, problems);
  const documentFontDir = read('DOCUMENT_FONT_DIR');
  if (documentFontDir !== undefined && !existsSync(documentFontDir)) problems.push(`DOCUMENT_FONT_DIR: no folder at "${documentFontDir}" (expected a folder with times.ttf, timesbd.ttf, timesi.ttf, timesbi.ttf)`);
  const documentStore = oneOf<DocumentStoreKind>('DOCUMENT_STORE', read('DOCUMENT_STORE') ?? 'filesystem', ['filesystem', 'database'], problems);
  const mail = parseMail(read, problems);

  const signing = parseSigning(read, problems);
  const schedulerLeaseMs = wholeNumber('SCHEDULER_LEASE_SECONDS', read('SCHEDULER_LEASE_SECONDS'), 30, 5, 3600, problems) * 1000;

  if (problems.length > 0) throw new ConfigurationError(problems);
  return Object.freeze({ signing, database, workflowEngine, zeebe, chromiumPath, rendererThread, port, seedOrganization, civilTimeZone, runtimeDir, logFormat, security, documentStore, documentFontDir, mail, schedulerLeaseMs });
}

/**
 * Signing has no silent default in production: an operator says `pkcs12` (with the keystore) or,
 * for a pilot, `unsigned`. Elsewhere (development, tests, the demo) it defaults to `unsigned`.
 */
function parseSigning(read: (name: string) => string | undefined, problems: string[]): SigningConfig {
  const given = read('DOCUMENT_SIGNING');
  if (given === undefined && read('NODE_ENV') === 'production') problems.push('DOCUMENT_SIGNING: required in production (pkcs12 to sign every issued document from SIGNING_KEYSTORE, or unsigned for a pilot that issues unsigned documents)');
  const mode = oneOf<DocumentSigningKind>('DOCUMENT_SIGNING', given ?? 'unsigned', ['unsigned', 'pkcs12'], problems);
  const keystore = read('SIGNING_KEYSTORE');
  const secret = read('SIGNING_SECRET');
  if (secret !== undefined && secret.length < 16) problems.push('SIGNING_SECRET: at least 16 characters (it encrypts the passphrases of uploaded PKCS#12 files)');
  if (mode === 'pkcs12' && keystore === undefined && secret === undefined) problems.push('SIGNING_KEYSTORE: required when DOCUMENT_SIGNING=pkcs12 unless SIGNING_SECRET is set for certificates uploaded by administrators (the path of the keystore manifest, a JSON file; see docs/signing.md)');
  if (keystore !== undefined && !existsSync(keystore)) problems.push(`SIGNING_KEYSTORE: no file at "${keystore}" (expected the keystore manifest, a JSON file)`);
  const trustAnchors = read('SIGNING_TRUST_ANCHORS');
  if (trustAnchors !== undefined && !existsSync(trustAnchors)) problems.push(`SIGNING_TRUST_ANCHORS: no file at "${trustAnchors}" (expected a PEM file of trusted CA certificates)`);
  return { mode, keystore, trustAnchors, secret };
}

function parseSecurity(read: (name: string) => string | undefined, problems: string[]): SecurityConfig {
  const minutes = (name: string, fallback: number, max: number) => wholeNumber(name, read(name), fallback, 1, max, problems);
  return {
    cookieSecure: oneOf<CookieSecureMode>('SESSION_COOKIE_SECURE', read('SESSION_COOKIE_SECURE') ?? 'auto', ['auto', 'always', 'never'], problems),
    trustProxy: parseTrustProxy(read('TRUST_PROXY')),
    sessionMaxAgeMinutes: minutes('SESSION_MAX_AGE_MINUTES', 12 * 60, 30 * 24 * 60),
    sessionIdleMinutes: minutes('SESSION_IDLE_MINUTES', 60, 30 * 24 * 60),
    loginMaxFailures: wholeNumber('LOGIN_MAX_FAILURES', read('LOGIN_MAX_FAILURES'), 5, 1, 1000, problems),
    loginMaxFailuresPerIp: wholeNumber('LOGIN_MAX_FAILURES_PER_IP', read('LOGIN_MAX_FAILURES_PER_IP'), 50, 1, 100000, problems),
    loginLockoutMinutes: minutes('LOGIN_LOCKOUT_MINUTES', 15, 24 * 60),
    rateLimit: {
      perSessionPerMinute: wholeNumber('RATE_LIMIT_PER_SESSION', read('RATE_LIMIT_PER_SESSION'), 600, 0, 1_000_000, problems),
      perAddressPerMinute: wholeNumber('RATE_LIMIT_PER_IP', read('RATE_LIMIT_PER_IP'), 6000, 0, 1_000_000, problems),
    },
    oidc: parseOidc(read, problems),
  };
}

/**
 * The Camunda 8 connection, read only when WORKFLOW_ENGINE=zeebe: the Orchestration Cluster REST
 * address and how to authenticate (`none`, `basic` for a self-managed cluster with basic auth,
 * `oauth` for SaaS or Identity/Keycloak).
 */
function parseZeebe(read: (name: string) => string | undefined, engine: WorkflowEngineKind, problems: string[]): ZeebeConfig | null {
  if (engine !== 'zeebe') return null;
  const restAddress = read('ZEEBE_REST_ADDRESS');
  if (restAddress === undefined) problems.push('ZEEBE_REST_ADDRESS: required when WORKFLOW_ENGINE=zeebe (the Camunda 8 REST address, e.g. http://camunda:8080)');
  else if (!isHttpUrl(restAddress)) problems.push(`ZEEBE_REST_ADDRESS: "${restAddress}" is not an http(s) URL (expected e.g. http://camunda:8080)`);
  const strategy = oneOf<'none' | 'basic' | 'oauth'>('ZEEBE_AUTH', read('ZEEBE_AUTH') ?? 'none', ['none', 'basic', 'oauth'], problems);
  const required = (names: string[]) => {
    const missing = names.filter((name) => read(name) === undefined);
    if (missing.length > 0) problems.push(`${missing.join(', ')}: required when ZEEBE_AUTH=${strategy}`);
    return missing.length === 0;
  };
  let auth: ZeebeConfig['auth'] = { strategy: 'NONE' };
  if (strategy === 'basic' && required(['ZEEBE_USERNAME', 'ZEEBE_PASSWORD'])) auth = { strategy: 'BASIC', username: read('ZEEBE_USERNAME')!, password: read('ZEEBE_PASSWORD')! };
  if (strategy === 'oauth' && required(['ZEEBE_CLIENT_ID', 'ZEEBE_CLIENT_SECRET', 'ZEEBE_OAUTH_URL'])) {
    const oauthUrl = read('ZEEBE_OAUTH_URL')!;
    if (!isHttpUrl(oauthUrl)) problems.push(`ZEEBE_OAUTH_URL: "${oauthUrl}" is not an http(s) URL (expected the token endpoint, e.g. https://login.cloud.camunda.io/oauth/token)`);
    auth = { strategy: 'OAUTH', clientId: read('ZEEBE_CLIENT_ID')!, clientSecret: read('ZEEBE_CLIENT_SECRET')!, oauthUrl, audience: read('ZEEBE_TOKEN_AUDIENCE') };
  }
  return { restAddress: restAddress ?? '', auth, tenantId: read('ZEEBE_TENANT_ID') };
}

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** `false` (default: no proxy), `true`, a hop count, or a comma list of proxy addresses/subnets (`loopback, 10.0.0.0/8`). */
function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

function wholeNumber(name: string, value: string | undefined, fallback: number, min: number, max: number, problems: string[]): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    problems.push(`${name}: "${value}" is not a whole number from ${min} to ${max}`);
    return fallback;
  }
  return n;
}

/** OpenID Connect is optional, but all four values or none: half a configuration is a mistake. */
function parseOidc(read: (name: string) => string | undefined, problems: string[]): OidcConfig | null {
  const names = ['OIDC_ISSUER_URL', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_REDIRECT_URL'] as const;
  const values = names.map((name) => read(name));
  if (values.every((v) => v === undefined)) return null;
  const missing = names.filter((_, i) => values[i] === undefined);
  if (missing.length > 0) {
    problems.push(`${missing.join(', ')}: missing (OpenID Connect needs all of ${names.join(', ')}, or none)`);
    return null;
  }
  const [issuerUrl, clientId, clientSecret, redirectUrl] = values as string[];
  for (const [name, url] of [['OIDC_ISSUER_URL', issuerUrl], ['OIDC_REDIRECT_URL', redirectUrl]] as const) {
    if (!/^https?:\/\/[^\s]+$/.test(url)) problems.push(`${name}: "${url}" is not an http(s) URL`);
  }
  return { issuerUrl, clientId, clientSecret, redirectUrl };
}

/** Default sender for the `none` transport; `smtp` needs a real MAIL_FROM (a relay refuses a reserved domain). */
const DEFAULT_MAIL_FROM = 'iso-cycle <no-reply@iso-cycle.invalid>';
/** `Name <local@domain>` or `local@domain`; the name may be Vietnamese (encoded in the header by the mailer). */
const MAIL_FROM_PATTERN = /^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)$/u;

function parseMail(read: (name: string) => string | undefined, problems: string[]): MailConfig {
  const transport = oneOf<MailTransportKind>('MAIL_TRANSPORT', read('MAIL_TRANSPORT') ?? 'none', ['none', 'smtp'], problems);
  const smtpUrl = read('SMTP_URL');
  const from = read('MAIL_FROM');
  let smtpDisplayUrl: string | undefined;
  if (smtpUrl !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(smtpUrl);
    } catch {
      problems.push(`SMTP_URL: "${smtpUrl}" is not a URL (expected smtp://user:password@host:port or smtps://…)`);
    }
    if (parsed && parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') problems.push(`SMTP_URL: scheme "${parsed.protocol.replace(/:$/, '')}" is not smtp or smtps`);
    else if (parsed && parsed.hostname === '') problems.push(`SMTP_URL: "${maskPassword(parsed)}" names no host`);
    if (parsed) smtpDisplayUrl = maskPassword(parsed);
  }
  if (transport === 'smtp' && smtpUrl === undefined) problems.push('SMTP_URL: missing (MAIL_TRANSPORT=smtp sends through it: smtp://user:password@host:port or smtps://…)');
  if (transport === 'smtp' && from === undefined) problems.push('MAIL_FROM: missing (MAIL_TRANSPORT=smtp needs the sender, e.g. "Sở KH&CN Quảng Ngãi <iso@skhcn.quangngai.gov.vn>")');
  if (from !== undefined && !MAIL_FROM_PATTERN.test(from)) problems.push(`MAIL_FROM: "${from}" is not an address (expected "Name <user@domain>" or user@domain)`);
  return { transport, smtpUrl, smtpDisplayUrl, from: from ?? DEFAULT_MAIL_FROM };
}

function resolvePath(path: string, root: string): string {
  return isAbsolute(path) ? path : resolve(root, path);
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[], problems: string[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.push(`${name}: "${value}" is not one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  return allowed[0];
}

function parsePort(value: string, problems: string[]): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    problems.push(`PORT: "${value}" is not a TCP port (expected a whole number from 1 to 65535)`);
    return 3000;
  }
  return port;
}

function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * `sqlite:<path>` / `sqlite::memory:` for the embedded database; `mysql://user:pass@host:port/db`
 * or `mariadb://…` for a server.
 */
export function parseDatabaseUrl(url: string, projectRoot: string, problems: string[]): DatabaseConfig {
  const expected = 'expected sqlite:<file>, mysql://user:password@host:port/database or mariadb://…';
  if (url.startsWith('sqlite:')) {
    const rest = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (rest === '') {
      problems.push(`DATABASE_URL: "${url}" names no file (${expected})`);
      return { kind: 'sqlite', displayUrl: url, sqlitePath: ':memory:' };
    }
    const sqlitePath = rest === ':memory:' ? rest : resolvePath(rest, projectRoot);
    return { kind: 'sqlite', displayUrl: `sqlite:${sqlitePath}`, sqlitePath };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    problems.push(`DATABASE_URL: "${url}" is not a URL (${expected})`);
    return { kind: 'sqlite', displayUrl: url, sqlitePath: ':memory:' };
  }
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    problems.push(`DATABASE_URL: scheme "${parsed.protocol.replace(/:$/, '')}" is not supported (${expected})`);
    return { kind: 'sqlite', displayUrl: url, sqlitePath: ':memory:' };
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database === '') problems.push(`DATABASE_URL: "${maskPassword(parsed)}" names no database (${expected})`);
  const port = parsed.port === '' ? 3306 : Number(parsed.port);
  return {
    kind: 'mysql',
    displayUrl: maskPassword(parsed),
    host: parsed.hostname,
    port,
    username: decodeURIComponent(parsed.username) || 'root',
    password: decodeURIComponent(parsed.password),
    database,
  };
}

function maskPassword(url: URL): string {
  const copy = new URL(url.toString());
  if (copy.password) copy.password = '***';
  return copy.toString();
}
