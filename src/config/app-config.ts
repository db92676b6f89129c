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
export type LogFormat = 'pretty' | 'json';

export abstract class AppConfig {
  abstract readonly database: DatabaseConfig;
  abstract readonly workflowEngine: WorkflowEngineKind;
  /** Chromium executable; undefined when none was configured or found (the renderer reports it when used). */
  abstract readonly chromiumPath: string | undefined;
  abstract readonly port: number;
  /** Data set to seed on first start: an id under data/organizations or a path to a JSON file. */
  abstract readonly seedOrganization: string;
  /** IANA zone in which every civil date (deadlines, document dates, numbering years) is computed. */
  abstract readonly civilTimeZone: string;
  /** Folder for runtime files (SQLite database, document store); git ignores it. */
  abstract readonly runtimeDir: string;
  abstract readonly logFormat: LogFormat;
}
