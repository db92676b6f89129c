import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The database itself keeps the audit trail append-only (docs/security.md): an audit event can be
 * inserted, never changed or removed, and the chain head only moves forward to an event that exists.
 * This stops a bug or a careless UPDATE made through the application's own connection; an
 * administrator who drops the triggers is caught by the hash chain (`iso-cycle audit verify`).
 */
const REFUSED = {
  update: 'audit_events is append-only: an audit event cannot be changed',
  delete: 'audit_events is append-only: an audit event cannot be removed',
  headDelete: 'audit_chain_head cannot be removed',
  headMove: 'audit_chain_head may only move forward to an existing audit event',
};

/** The head may stay (the SQLite writer-lock touch sets seq = seq) or move forward to an event that exists with that hash. */
const HEAD_MOVE_REFUSED = `NEW.id <> OLD.id OR NEW.seq < OLD.seq OR (NEW.seq = OLD.seq AND NEW.hash <> OLD.hash)
  OR (NEW.seq > OLD.seq AND NOT EXISTS (SELECT 1 FROM audit_events WHERE seq = NEW.seq AND hash = NEW.hash))`;

export class AuditAppendOnly1795803270793 implements MigrationInterface {
  name = 'AuditAppendOnly1795803270793';

  async up(runner: QueryRunner): Promise<void> {
    if (runner.connection.options.type === 'mysql') {
      const refuse = (message: string) => `SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '${message}'`;
      await runner.query(`CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events FOR EACH ROW ${refuse(REFUSED.update)}`);
      await runner.query(`CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events FOR EACH ROW ${refuse(REFUSED.delete)}`);
      await runner.query(`CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head FOR EACH ROW ${refuse(REFUSED.headDelete)}`);
      await runner.query(`CREATE TRIGGER audit_chain_head_forward BEFORE UPDATE ON audit_chain_head FOR EACH ROW BEGIN IF ${HEAD_MOVE_REFUSED} THEN ${refuse(REFUSED.headMove)}; END IF; END`);
    } else {
      const refuse = (message: string) => `BEGIN SELECT RAISE(ABORT, '${message}'); END`;
      await runner.query(`CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events ${refuse(REFUSED.update)}`);
      await runner.query(`CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events ${refuse(REFUSED.delete)}`);
      await runner.query(`CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head ${refuse(REFUSED.headDelete)}`);
      await runner.query(`CREATE TRIGGER audit_chain_head_forward BEFORE UPDATE ON audit_chain_head WHEN ${HEAD_MOVE_REFUSED} ${refuse(REFUSED.headMove)}`);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const name of ['audit_chain_head_forward', 'audit_chain_head_no_delete', 'audit_events_no_delete', 'audit_events_no_update']) await runner.query(`DROP TRIGGER IF EXISTS ${name}`);
  }
}
