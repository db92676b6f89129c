import { Logger } from '@nestjs/common';
import { MailReceipt, MailSender, OutgoingMail } from './mail-sender';

/** MAIL_TRANSPORT=none: each mail is written to the log instead of being sent (development, demos). */
export class LogMailSender extends MailSender {
  readonly transport = 'none';
  private readonly logger = new Logger('Mail');

  async send(mail: OutgoingMail): Promise<MailReceipt> {
    this.logger.log(`not sent (MAIL_TRANSPORT=none): to ${mail.to}: ${mail.subject}`);
    return { transport: this.transport, messageId: mail.messageId };
  }
}
