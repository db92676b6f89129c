import { DataSource } from 'typeorm';

/** The triggers of migration AuditAppendOnly that keep the audit trail append-only in the database. */
export const AUDIT_APPEND_ONLY_TRIGGERS = ['audit_events_no_update', 'audit_events_no_delete', 'audit_chain_head_no_delete', 'audit_chain_head_forward'];

/**
 * Drops the append-only triggers, as an administrator with DDL rights could: the tampering tests
 * play that administrator, whom only the hash chain catches. Also the test-only switch
 * (AUDIT_APPEND_ONLY_OFF=1) that shows the append-only test can go red.
 */
export async function dropAuditAppendOnlyTriggers(dataSource: DataSource): Promise<void> {
  for (const name of AUDIT_APPEND_ONLY_TRIGGERS) await dataSource.query(`DROP TRIGGER IF EXISTS ${name}`);
}
