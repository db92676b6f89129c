/**
 * The scale-out test's test-only switch (SCALE_OUT_GUARDS_OFF=1): preloaded into the application
 * processes, it turns off what makes the mail outbox's sending run once across processes — every
 * process believes it holds every lease, and a mail is sent without the conditional UPDATE that
 * takes it (it is read while pending, sent, then recorded). Two processes then send the same mail,
 * and test/workflow/zeebe/scale-out.spec.ts must see the duplicate. Never loaded by the application.
 */
const { SchedulerLeases } = require('../../../../src/scheduling/scheduler-leases.ts');
const { MailOutboxDispatcher } = require('../../../../src/notifications/mail-outbox-dispatcher.ts');
const { OutgoingMailEntity } = require('../../../../src/notifications/mail-outbox.entity.ts');

SchedulerLeases.prototype.take = async function takeWithoutLease() {
  return true;
};

MailOutboxDispatcher.prototype.takeMails = async function takeWithoutClaim(ids) {
  const pending = await Promise.all(ids.map((id) => this.dataSource.getRepository(OutgoingMailEntity).findOneBy({ id, status: 'pending' })));
  return pending.filter((mail) => mail !== null);
};
