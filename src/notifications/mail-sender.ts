/** One e-mail, plain UTF-8 text. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** `<…@…>`, the same on every attempt, so that a receiver can recognise a repeated delivery. */
  messageId: string;
}

export interface MailReceipt {
  /** The adapter that took the mail: `smtp`, `none`. */
  transport: string;
  messageId: string;
}

/**
 * The mail port: how an e-mail leaves the application. Adapters (chosen by MAIL_TRANSPORT):
 * `SmtpMailSender` (nodemailer over SMTP) and `LogMailSender` (logs, sends nothing).
 * `send` resolves once the transport has accepted the mail, throws `MailRejectedError` when the
 * mail can never be delivered as it is (the server refused the recipient for good), and throws any
 * other error for a failure worth retrying (server down, timeout, temporary refusal).
 */
export abstract class MailSender {
  abstract readonly transport: string;
  abstract send(mail: OutgoingMail): Promise<MailReceipt>;
  /** Releases connections; called when the application stops. */
  async close(): Promise<void> {}
}

/** A permanent refusal (SMTP 5xx on the recipient or the message): retrying the same mail cannot help. */
export class MailRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MailRejectedError';
  }
}
