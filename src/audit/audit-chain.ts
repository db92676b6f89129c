import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import type { AuditEventEntity } from './audit-event.entity';

/** What the first event links to. */
export const GENESIS_HASH = '0'.repeat(64);

/** The stored fields of an event that its hash covers: all but the hash itself. */
export type AuditLinkContent = Omit<AuditEventEntity, 'hash'>;

/**
 * How one link of the chain is computed: SHA-256 over the previous hash and the event's content.
 * A class (and a DI token) so that a test can swap it for one that protects nothing, and watch the
 * tampering test go red.
 */
export class AuditHasher {
  hash(link: AuditLinkContent): string {
    return createHash('sha256')
      .update(link.prevHash)
      .update('\n')
      .update(
        canonicalJson({
          seq: Number(link.seq),
          at: link.at,
          actorPersonId: link.actorPersonId,
          actorLogin: link.actorLogin,
          action: link.action,
          subjectType: link.subjectType,
          subjectId: link.subjectId,
          unitId: link.unitId,
          cycleId: link.cycleId,
          beforeDigest: link.beforeDigest,
          afterDigest: link.afterDigest,
          detail: link.detail,
        }),
      )
      .digest('hex');
  }
}
