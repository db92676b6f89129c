import { MailConfig } from '../config/app-config';
import { LogMailSender } from './log-mail-sender';
import { MailSender } from './mail-sender';
import { SmtpMailSender } from './smtp-mail-sender';

/** The adapter MAIL_TRANSPORT names (the configuration was validated at start). */
export function createMailSender(config: MailConfig): MailSender {
  if (config.transport === 'smtp') return new SmtpMailSender(config.smtpUrl!, config.from);
  return new LogMailSender();
}
