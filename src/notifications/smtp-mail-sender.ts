import { createTransport, Transporter } from 'nodemailer';
import { MailReceipt, MailRejectedError, MailSender, OutgoingMail } from './mail-sender';

/** What nodemailer attaches to an SMTP failure. */
interface SmtpFailure {
  message?: string;
  responseCode?: number;
  command?: string;
  code?: string;
}

/**
 * MAIL_TRANSPORT=smtp: nodemailer over SMTP_URL (STARTTLS when the server offers it on smtp://, TLS
 * from the start on smtps://), a small connection pool, bounded timeouts. Text is sent as UTF-8;
 * nodemailer encodes Vietnamese subjects as RFC 2047 words and bodies as quoted-printable or base64.
 */
export class SmtpMailSender extends MailSender {
  readonly transport = 'smtp';
  private readonly transporter: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    super();
    const url = new URL(smtpUrl);
    this.transporter = createTransport({
      host: url.hostname,
      port: url.port === '' ? (url.protocol === 'smtps:' ? 465 : 587) : Number(url.port),
      secure: url.protocol === 'smtps:',
      auth: url.username === '' ? undefined : { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) },
      pool: true,
      maxConnections: 2,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  async send(mail: OutgoingMail): Promise<MailReceipt> {
    try {
      const info = await this.transporter.sendMail({
        from: this.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        messageId: mail.messageId,
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
      return { transport: this.transport, messageId: info.messageId ?? mail.messageId };
    } catch (error) {
      const failure = error as SmtpFailure;
      const code = failure.responseCode;
      // 5xx is final, except on the connection and authentication, which an operator fixes.
      if (code !== undefined && code >= 500 && code < 600 && (failure.command === 'RCPT TO' || failure.command === 'DATA' || failure.code === 'EENVELOPE')) {
        throw new MailRejectedError(`${code} ${failure.message ?? ''}`.trim());
      }
      throw error;
    }
  }

  override async close(): Promise<void> {
    this.transporter.close();
  }
}
