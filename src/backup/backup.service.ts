import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createConnection, Connection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { ALL_MIGRATIONS } from '../../migrations';
import { AuditHasher } from '../audit/audit-chain';
import { AuditTrail } from '../audit/audit-trail.service';
import { AppConfig, DatabaseConfig } from '../config/app-config';
import { createDataSource, dataSourceOptions } from '../database/data-source-options';
import { createDocumentStore } from '../documents/store/document-store.factory';
import { sha256Hex } from '../documents/store/document-store';
import { FilesystemDocumentStore } from '../documents/store/filesystem-document-store';
import { StoreVerifier } from '../documents/store/store-verifier';
import { EvidenceFiles } from '../reports/evidence-files';
import { Clock } from '../shared/clock';

/** The backup folder's description of itself, written last: a folder without it is not a backup. */
export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  createdAt: string;
  database: { kind: 'sqlite' | 'mysql'; file: string; sha256: string; source: string };
  /** Migrations applied to the database when it was copied, oldest first. */
  migrations: string[];
  /** Rows per table, counted in the copied snapshot. */
  tables: Record<string, number>;
  /** The audit chain's head in the snapshot. */
  audit: { seq: number; hash: string };
  /** Issued documents' files (from the filesystem store) and evidence files, each with its SHA-256. */
  files: { path: string; sha256: string; bytes: number }[];
}

export const BACKUP_FORMAT = 'iso-cycle-backup/1';
const MANIFEST = 'manifest.json';
const SQLITE_FILE = 'database.sqlite';
const MYSQL_FILE = 'database.jsonl';
const MIGRATIONS_TABLE = 'schema_migrations';

/** A backup or a restore that cannot go on; the message says why and what to do. */
export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

/** What the snapshot says, read from the copied database itself. */
interface SnapshotFacts {
  migrations: string[];
  tables: Record<string, number>;
  audit: { seq: number; hash: string };
  /** Issued documents whose file the store holds (their SHA-256 is recorded). */
  documentIds: string[];
  evidence: string[];
}

export interface RestoreReport {
  tables: number;
  rows: number;
  auditEvents: number;
  documents: number;
  evidence: number;
  problems: string[];
}

/**
 * Backup and restore of the database and the document store (docs/security.md, "Backups").
 * - SQLite: the online backup API (better-sqlite3), a consistent copy taken while the server runs.
 * - MariaDB/MySQL: a logical export in one consistent-snapshot transaction (every row of every
 *   table as a JSON line), restored into a fresh database by the same migrations, then the rows.
 * The files of the filesystem document store and the evidence files that the snapshot refers to
 * are copied after the database, so the backup holds every file its database names. Restore is into
 * a fresh database and an empty runtime folder only, and ends by verifying what it restored.
 */
export class BackupService {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async backup(out: string): Promise<BackupManifest> {
    if (existsSync(out) && readdirSync(out).length > 0) throw new BackupError(`${out} is not empty: back up into a new folder`);
    mkdirSync(out, { recursive: true });
    const db = this.config.database;
    const file = db.kind === 'sqlite' ? SQLITE_FILE : MYSQL_FILE;
    const facts = db.kind === 'sqlite' ? await backupSqlite(db, join(out, file)) : await exportMysql(db, join(out, file));

    const files: BackupManifest['files'] = [];
    const keep = (path: string, bytes: Buffer) => {
      mkdirSync(join(out, path, '..'), { recursive: true });
      writeFileSync(join(out, path), bytes);
      files.push({ path, sha256: sha256Hex(bytes), bytes: bytes.length });
    };
    if (this.config.documentStore === 'filesystem' && facts.documentIds.length > 0) {
      const store = new FilesystemDocumentStore(join(this.config.runtimeDir, 'documents'));
      for (const id of facts.documentIds) {
        const stored = await store.get(id);
        if (!stored) throw new BackupError(`issued document ${id} is recorded as stored but missing from ${store.description}: run verify-store`);
        keep(`documents/${id}.pdf`, stored.pdf);
        keep(`documents/${id}.json`, Buffer.from(JSON.stringify({ documentId: id, kind: stored.kind, templateVersion: stored.templateVersion, data: stored.data, sha256: stored.sha256, storedAt: stored.storedAt.toISOString() })));
      }
    }
    const evidence = new EvidenceFiles(this.config);
    for (const sha256 of facts.evidence) keep(`evidence/${sha256}`, await evidence.get(sha256));

    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      createdAt: this.clock.now().toISOString(),
      database: { kind: db.kind, file, sha256: await sha256OfFile(join(out, file)), source: db.displayUrl },
      migrations: facts.migrations,
      tables: facts.tables,
      audit: facts.audit,
      files,
    };
    writeFileSync(join(out, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  }

  async restore(from: string): Promise<RestoreReport> {
    const manifest = await readBackup(from);
    const db = this.config.database;
    if (manifest.database.kind !== db.kind) throw new BackupError(`the backup is of a ${manifest.database.kind} database; DATABASE_URL names a ${db.kind} one (restore into the same kind)`);
    const known = ALL_MIGRATIONS.map((migration) => (migration as unknown as { name: string }).name);
    const unknown = manifest.migrations.filter((name) => !known.includes(name));
    if (unknown.length > 0) throw new BackupError(`the backup was made by a newer iso-cycle (migrations ${unknown.join(', ')} are unknown here): restore with that version`);
    if (db.kind === 'sqlite') assertFreshSqlite(db);
    else await assertFreshMysql(db);
    for (const folder of ['documents', 'evidence']) {
      const target = join(this.config.runtimeDir, folder);
      if (existsSync(target) && readdirSync(target).length > 0) throw new BackupError(`${target} is not empty: restore into an empty RUNTIME_DIR`);
    }

    if (db.kind === 'sqlite') await restoreSqlite(db, join(from, manifest.database.file));
    else await importMysql(db, join(from, manifest.database.file), manifest.migrations);

    const dataSource = createDataSource(db);
    await dataSource.initialize();
    try {
      const store = createDocumentStore(this.config.documentStore, this.config.runtimeDir, dataSource);
      const evidence = new EvidenceFiles(this.config);
      let documents = 0;
      let evidenceFiles = 0;
      for (const entry of manifest.files) {
        if (entry.path.startsWith('evidence/')) {
          await evidence.put(readFileSync(join(from, entry.path)));
          evidenceFiles++;
        } else if (entry.path.endsWith('.json')) {
          const meta = JSON.parse(readFileSync(join(from, entry.path), 'utf8'));
          const pdf = readFileSync(join(from, `documents/${meta.documentId}.pdf`));
          await store.put({ documentId: meta.documentId, pdf, kind: meta.kind, templateVersion: meta.templateVersion, data: meta.data }, new Date(meta.storedAt));
          documents++;
        }
      }
      return { ...(await this.verify(dataSource, manifest)), documents, evidence: evidenceFiles };
    } finally {
      await dataSource.destroy();
    }
  }

  /** After a restore: row counts as in the manifest, the audit chain intact up to the same head, every document and evidence file matching its hash. */
  private async verify(dataSource: DataSource, manifest: BackupManifest): Promise<Omit<RestoreReport, 'documents' | 'evidence'>> {
    const problems: string[] = [];
    let rows = 0;
    for (const [table, expected] of Object.entries(manifest.tables)) {
      const [row] = await dataSource.query(`SELECT COUNT(*) AS n FROM ${quote(dataSource, table)}`);
      const actual = Number(row.n);
      rows += actual;
      if (actual !== expected) problems.push(`table ${table}: ${actual} rows, the backup has ${expected}`);
    }
    const audit = await new AuditTrail(dataSource, this.clock, new AuditHasher()).verify();
    if (!audit.intact) problems.push(`audit trail broken at event ${audit.firstBroken.seq}: ${audit.firstBroken.reason}`);
    else if (audit.events !== manifest.audit.seq || (audit.events > 0 && audit.lastHash !== manifest.audit.hash)) problems.push(`audit trail ends at event ${audit.events}, the backup's at ${manifest.audit.seq}`);
    const store = await new StoreVerifier(dataSource, createDocumentStore(this.config.documentStore, this.config.runtimeDir, dataSource)).verify();
    for (const mismatch of store.mismatches) problems.push(`document ${mismatch.symbol ?? mismatch.documentId}: ${mismatch.problem}`);
    const evidence = new EvidenceFiles(this.config);
    const referenced: { sha256: string }[] = await dataSource.query('SELECT DISTINCT sha256 FROM report_evidence');
    for (const { sha256 } of referenced) await evidence.get(sha256).catch((error: Error) => problems.push(`evidence: ${error.message}`));
    return { tables: Object.keys(manifest.tables).length, rows, auditEvents: audit.events, problems };
  }
}

/** Reads and checks a backup folder: the manifest, and every file against its SHA-256. */
export async function readBackup(from: string): Promise<BackupManifest> {
  const path = join(from, MANIFEST);
  if (!existsSync(path)) throw new BackupError(`${from} holds no ${MANIFEST}: not a complete iso-cycle backup`);
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as BackupManifest;
  if (manifest.format !== BACKUP_FORMAT) throw new BackupError(`${path}: format "${manifest.format}" is not ${BACKUP_FORMAT}`);
  const database = join(from, manifest.database.file);
  if (!existsSync(database) || (await sha256OfFile(database)) !== manifest.database.sha256) throw new BackupError(`${database} is missing or does not match its SHA-256 in the manifest: the backup is damaged`);
  for (const entry of manifest.files) {
    const file = join(from, entry.path);
    if (!existsSync(file) || sha256Hex(readFileSync(file)) !== entry.sha256) throw new BackupError(`${file} is missing or does not match its SHA-256 in the manifest: the backup is damaged`);
  }
  return manifest;
}

function sha256OfFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

function quote(dataSource: DataSource, name: string): string {
  return dataSource.options.type === 'mysql' ? `\`${name}\`` : `"${name}"`;
}

// ---------------------------------------------------------------- SQLite

async function backupSqlite(db: DatabaseConfig, target: string): Promise<SnapshotFacts> {
  if (!db.sqlitePath || db.sqlitePath === ':memory:' || !existsSync(db.sqlitePath)) throw new BackupError(`no SQLite database at ${db.sqlitePath}`);
  const source = new Database(db.sqlitePath, { readonly: true, fileMustExist: true });
  try {
    // The online backup API: pages copied while the server goes on writing; the copy is one consistent state.
    await source.backup(target);
  } finally {
    source.close();
  }
  const copy = new Database(target);
  try {
    // The copy keeps the source's WAL mode; one self-contained file is what a backup should be.
    copy.pragma('journal_mode = DELETE');
    const all = <T>(sql: string) => copy.prepare(sql).all() as T[];
    const tables = all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").map((t) => t.name);
    return await factsOf(tables, (table) => Number((copy.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number }).n), all);
  } finally {
    copy.close();
  }
}

function assertFreshSqlite(db: DatabaseConfig): void {
  const path = db.sqlitePath!;
  if (path === ':memory:') throw new BackupError('DATABASE_URL names an in-memory SQLite database: restore into a file');
  if (existsSync(path) && statSync(path).size > 0) throw new BackupError(`${path} exists: restore into a new database file (move the old one away first)`);
  for (const suffix of ['-wal', '-shm', '-journal']) if (existsSync(path + suffix)) throw new BackupError(`${path + suffix} exists: restore into a new database file`);
}

async function restoreSqlite(db: DatabaseConfig, backupFile: string): Promise<void> {
  assertFreshSqlite(db);
  const path = db.sqlitePath!;
  mkdirSync(join(path, '..'), { recursive: true });
  const temporary = `${path}.restoring`;
  copyFileSync(backupFile, temporary);
  renameSync(temporary, path);
}

// ---------------------------------------------------------------- MariaDB / MySQL

function connect(db: DatabaseConfig, database?: string): Promise<Connection> {
  // Values exactly as stored: dates and big numbers as strings, blobs as buffers.
  return createConnection({ host: db.host, port: db.port, user: db.username, password: db.password, database, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true, charset: 'utf8mb4' });
}

/** A JSON line per row: `{"t": table, "r": {column: value}}`; buffers as `{"$base64": "…"}`. */
function encodeValue(value: unknown): unknown {
  return Buffer.isBuffer(value) ? { $base64: value.toString('base64') } : value;
}
function decodeValue(value: unknown): unknown {
  return value !== null && typeof value === 'object' && '$base64' in (value as object) ? Buffer.from((value as { $base64: string }).$base64, 'base64') : value;
}

async function exportMysql(db: DatabaseConfig, target: string): Promise<SnapshotFacts> {
  const connection = await connect(db, db.database);
  const lines: string[] = [];
  try {
    await connection.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    // Every read below sees the same committed state, however the server goes on writing.
    await connection.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
    const [tableRows] = await connection.query("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY table_name");
    const tables = (tableRows as { name: string }[]).map((t) => t.name);
    const counts = new Map<string, number>();
    for (const table of tables) {
      const [rows] = await connection.query(`SELECT * FROM \`${table}\``);
      for (const row of rows as Record<string, unknown>[]) {
        lines.push(JSON.stringify({ t: table, r: Object.fromEntries(Object.entries(row).map(([k, v]) => [k, encodeValue(v)])) }));
      }
      counts.set(table, (rows as unknown[]).length);
    }
    const cached = new Map<string, unknown[]>();
    const all = async <T>(sql: string) => {
      if (!cached.has(sql)) cached.set(sql, (await connection.query(sql))[0] as unknown[]);
      return cached.get(sql) as T[];
    };
    const facts = await factsOfAsync(tables, (table) => counts.get(table)!, all);
    await connection.query('COMMIT');
    writeFileSync(target, lines.length > 0 ? `${lines.join('\n')}\n` : '');
    return facts;
  } finally {
    await connection.end();
  }
}

/** The target database has no table (it is created when missing). */
async function assertFreshMysql(db: DatabaseConfig): Promise<void> {
  const admin = await connect(db);
  try {
    await admin.query(`CREATE DATABASE IF NOT EXISTS \`${db.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    const [existing] = await admin.query('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ?', [db.database]);
    if (Number((existing as { n: number }[])[0].n) > 0) throw new BackupError(`database ${db.database} is not empty: restore into a fresh database`);
  } finally {
    await admin.end();
  }
}

async function importMysql(db: DatabaseConfig, file: string, migrations: string[]): Promise<void> {
  await assertFreshMysql(db);
  // The schema as the backup had it: its migrations, no more (the next `serve` applies newer ones).
  const schema = new DataSource({ ...dataSourceOptions(db), migrations: ALL_MIGRATIONS.filter((m) => migrations.includes((m as unknown as { name: string }).name)) } as never);
  await schema.initialize();
  await schema.runMigrations({ transaction: 'each' });
  await schema.destroy();

  const connection = await connect(db, db.database);
  try {
    await connection.query('SET FOREIGN_KEY_CHECKS = 0');
    await connection.query('START TRANSACTION');
    // Rows that migrations seed are replaced by the backup's; the audit head moves last, once its event exists.
    const [tableRows] = await connection.query("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'");
    for (const { name } of tableRows as { name: string }[]) if (![MIGRATIONS_TABLE, 'audit_chain_head', 'audit_events'].includes(name)) await connection.query(`DELETE FROM \`${name}\``);
    let head: Record<string, unknown> | undefined;
    let batch: { table: string; columns: string[]; rows: unknown[][] } | undefined;
    const flush = async () => {
      if (!batch || batch.rows.length === 0) return;
      const placeholders = batch.rows.map(() => `(${batch!.columns.map(() => '?').join(', ')})`).join(', ');
      await connection.query(`INSERT INTO \`${batch.table}\` (${batch.columns.map((c) => `\`${c}\``).join(', ')}) VALUES ${placeholders}`, batch.rows.flat());
      batch.rows = [];
    };
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line === '') continue;
      const { t: table, r: row } = JSON.parse(line) as { t: string; r: Record<string, unknown> };
      if (table === MIGRATIONS_TABLE) continue;
      if (table === 'audit_chain_head') {
        head = row;
        continue;
      }
      const columns = Object.keys(row);
      if (!batch || batch.table !== table || batch.columns.join() !== columns.join() || batch.rows.length >= 200) {
        await flush();
        batch = { table, columns, rows: [] };
      }
      batch.rows.push(columns.map((c) => decodeValue(row[c])));
    }
    await flush();
    if (head) await connection.query('UPDATE audit_chain_head SET seq = ?, hash = ? WHERE id = ?', [head.seq, head.hash, head.id]);
    await connection.query('COMMIT');
  } finally {
    await connection.end();
  }
}

// ---------------------------------------------------------------- facts of a snapshot

async function factsOfAsync(tables: string[], count: (table: string) => number, all: <T>(sql: string) => Promise<T[]>): Promise<SnapshotFacts> {
  const has = (table: string) => tables.includes(table);
  const migrations = has(MIGRATIONS_TABLE) ? (await all<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id`)).map((m) => m.name) : [];
  if (migrations.length === 0) throw new BackupError('the database has no applied migrations: nothing to back up (run `iso-cycle migrate` or `serve` first)');
  const [head] = await all<{ seq: number | string; hash: string }>('SELECT seq, hash FROM audit_chain_head WHERE id = 1');
  const documentIds = (await all<{ id: string }>('SELECT id FROM issued_documents WHERE sha256 IS NOT NULL ORDER BY id')).map((d) => d.id);
  const evidence = has('report_evidence') ? (await all<{ sha256: string }>('SELECT DISTINCT sha256 FROM report_evidence ORDER BY sha256')).map((e) => e.sha256) : [];
  return { migrations, tables: Object.fromEntries(tables.map((t) => [t, count(t)])), audit: { seq: Number(head?.seq ?? 0), hash: head?.hash ?? '' }, documentIds, evidence };
}

function factsOf(tables: string[], count: (table: string) => number, all: <T>(sql: string) => T[]): Promise<SnapshotFacts> {
  return factsOfAsync(tables, count, async <T>(sql: string) => all<T>(sql));
}
