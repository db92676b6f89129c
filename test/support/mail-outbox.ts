import { DataSource } from 'typeorm';
import { OutgoingMailEntity } from '../../src/notifications/mail-outbox.entity';

/**
 * Waits until the application's outbox dispatcher has sent every pending mail. Tests that compare
 * the database before and after something call it first: the outbox delivering earlier work in the
 * background would otherwise look like a change.
 */
export async function drainMailOutbox(dataSource: DataSource, timeoutMs = 60_000): Promise<void> {
  for (let waited = 0; (await dataSource.getRepository(OutgoingMailEntity).countBy({ status: 'pending' })) > 0; waited += 100) {
    if (waited > timeoutMs) throw new Error('the mail outbox did not drain');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
