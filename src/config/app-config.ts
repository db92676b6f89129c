/**
 * The application's configuration, parsed and validated once at start (see `loadAppConfig`).
 * Nothing else in the code base reads `process.env`.
 */
export type DatabaseKind = 'sqlite' | 'mysql';

export interface DatabaseConfig {
  kind: DatabaseKind;
  /** The URL as given, password masked: for logs and /health. */
  displayUrl: string;
  /** sqlite: absolute file path, or ':memory:'. */
  sqlitePath?: string;
  /** mysql / mariadb connection parts. */
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  database?: string;
}

export type WorkflowEngineKind = 'embedded' | 'zeebe';

/** The Camunda 8 connection (WORKFLOW_ENGINE=zeebe): Orchestration Cluster REST address and authentication. */
export interface ZeebeConfig {
  restAddress: string;
  auth:
    | { strategy: 'NONE' }
    | { strategy: 'BASIC'; username: string; password: string }
    | { strategy: 'OAUTH'; clientId: string; clientSecret: string; oauthUrl: string; audience: string | undefined };
  tenantId: string | undefined;
}
export type LogFormat = 'pretty' | 'json';
/** Where issued documents' files are kept: files under RUNTIME_DIR/documents, or rows in the database. */
export type DocumentStoreKind = 'filesystem' | 'database';

/** When the session cookie carries `Secure`: `auto` = when the request came over TLS (honouring TRUST_PROXY). */
export type CookieSecureMode = 'auto' | 'always' | 'never';

/** An OpenID Connect provider (e.g. the province's identity service), when one is configured. */
export interface OidcConfig {
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUrl: string;
}

/** Requests a minute allowed to one session and to one client address (0: that limit is off). */
export interface RateLimitConfig {
  perSessionPerMinute: number;
  perAddressPerMinute: number;
}

/** Sessions, login throttling and the HTTP edge (see docs/security.md). */
export interface SecurityConfig {
  cookieSecure: CookieSecureMode;
  /** Express `trust proxy`: false, true, a hop count, or addresses/subnets of the reverse proxies. */
  trustProxy: boolean | number | string;
  /** A session ends this long after login, whatever happens. */
  sessionMaxAgeMinutes: number;
  /** A session ends after this long without a request. */
  sessionIdleMinutes: number;
  /** Failed logins for one login name before it is locked for `loginLockoutMinutes`. */
  loginMaxFailures: number;
  /** Failed logins from one client address before it is locked for `loginLockoutMinutes`. */
  loginMaxFailuresPerIp: number;
  loginLockoutMinutes: number;
  /** General API rate limiting (token buckets, in memory). */
  rateLimit: RateLimitConfig;
  oidc: OidcConfig | null;
}

/** How e-mail leaves: `none` logs each mail instead of sending it; `smtp` sends through SMTP_URL. */
export type MailTransportKind = 'none' | 'smtp';

/** Outgoing e-mail (notifications; see docs/notifications.md). */
export interface MailConfig {
  transport: MailTransportKind;
  /** `smtp://user:password@host:port` or `smtps://…` (TLS from the first byte); set when transport is smtp. */
  smtpUrl: string | undefined;
  /** The same URL with the password masked, for logs. */
  smtpDisplayUrl: string | undefined;
  /** The From header: `Name <address>` or an address. */
  from: string;
}

/** DOCUMENT_SIGNING: `pkcs12` signs every issued document (the person, then the unit) from SIGNING_KEYSTORE; `unsigned` issues without signatures (pilots, explicitly). */
export type DocumentSigningKind = 'unsigned' | 'pkcs12';

/** Digital signatures on issued documents (docs/signing.md). */
export interface SigningConfig {
  mode: DocumentSigningKind;
  /** The keystore manifest (JSON) when mode is pkcs12. */
  keystore: string | undefined;
  /** PEM file of the certification authorities `iso-cycle verify` trusts, and that a signature made elsewhere must chain to. */
  trustAnchors: string | undefined;
  /** SIGNING_SECRET: encrypts the passphrases of PKCS#12 files administrators upload (never stored, never logged). */
  secret: string | undefined;
}

export abstract class AppConfig {
  abstract readonly database: DatabaseConfig;
  abstract readonly workflowEngine: WorkflowEngineKind;
  /** Set when `workflowEngine` is `zeebe`. */
  abstract readonly zeebe: ZeebeConfig | null;
  /** Chromium executable; undefined when none was configured or found (the renderer reports it when used). */
  abstract readonly chromiumPath: string | undefined;
  /** RENDERER_THREAD: Puppeteer on a thread of its own (on, default) or on the application's thread (off). */
  abstract readonly rendererThread: boolean;
  abstract readonly port: number;
  /** Data set to seed on first start: an id under data/organizations or a path to a JSON file. */
  abstract readonly seedOrganization: string;
  /** IANA zone in which every civil date (deadlines, document dates, numbering years) is computed. */
  abstract readonly civilTimeZone: string;
  /** Folder for runtime files (SQLite database, document store); git ignores it. */
  abstract readonly runtimeDir: string;
  abstract readonly logFormat: LogFormat;
  abstract readonly documentStore: DocumentStoreKind;
  /** A folder with the real Times New Roman (times.ttf, timesbd.ttf, timesi.ttf, timesbi.ttf); default: the bundled Tinos. */
  abstract readonly documentFontDir: string | undefined;
  abstract readonly security: SecurityConfig;
  abstract readonly signing: SigningConfig;
  abstract readonly mail: MailConfig;
  /** SCHEDULER_LEASE_SECONDS: how long a process's lease on once-across-processes work (mail outbox, cycle openings) lasts unless renewed. */
  abstract readonly schedulerLeaseMs: number;
}
