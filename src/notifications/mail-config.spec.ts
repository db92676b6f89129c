import { loadAppConfig } from '../config/load-app-config';
import { LogMailSender } from './log-mail-sender';
import { createMailSender } from './mail-sender.factory';
import { SmtpMailSender } from './smtp-mail-sender';
import { retryDelayMs } from './mail-outbox-dispatcher';

describe('mail configuration', () => {
  const root = '/srv/iso-cycle';

  it('logs instead of sending when nothing is configured', () => {
    const { mail } = loadAppConfig({}, root);
    expect(mail).toEqual({ transport: 'none', smtpUrl: undefined, smtpDisplayUrl: undefined, from: 'iso-cycle <no-reply@iso-cycle.invalid>' });
    expect(createMailSender(mail)).toBeInstanceOf(LogMailSender);
  });

  it('reads an SMTP relay and a Vietnamese sender, and masks the password for logs', async () => {
    const { mail } = loadAppConfig({ MAIL_TRANSPORT: 'smtp', SMTP_URL: 'smtps://iso:p%40ss@mail.quangngai.gov.vn:465', MAIL_FROM: 'Sở KH&CN Quảng Ngãi <iso@skhcn.quangngai.gov.vn>' }, root);
    expect(mail).toEqual({ transport: 'smtp', smtpUrl: 'smtps://iso:p%40ss@mail.quangngai.gov.vn:465', smtpDisplayUrl: 'smtps://iso:***@mail.quangngai.gov.vn:465', from: 'Sở KH&CN Quảng Ngãi <iso@skhcn.quangngai.gov.vn>' });
    const sender = createMailSender(mail);
    expect(sender).toBeInstanceOf(SmtpMailSender);
    await sender.close();
  });

  it.each([
    [{ MAIL_TRANSPORT: 'sendmail' }, /MAIL_TRANSPORT: "sendmail" is not one of "none", "smtp"/],
    [{ MAIL_TRANSPORT: 'smtp', MAIL_FROM: 'iso@skhcn.quangngai.gov.vn' }, /SMTP_URL: missing \(MAIL_TRANSPORT=smtp sends through it/],
    [{ MAIL_TRANSPORT: 'smtp', SMTP_URL: 'smtp://mail.local' }, /MAIL_FROM: missing \(MAIL_TRANSPORT=smtp needs the sender/],
    [{ SMTP_URL: 'http://mail.local' }, /SMTP_URL: scheme "http" is not smtp or smtps/],
    [{ SMTP_URL: 'mail.local:25' }, /SMTP_URL: scheme "mail.local" is not smtp or smtps/],
    [{ SMTP_URL: 'not a url' }, /SMTP_URL: "not a url" is not a URL/],
    [{ MAIL_FROM: 'Sở KH&CN' }, /MAIL_FROM: "Sở KH&CN" is not an address/],
    [{ MAIL_FROM: 'iso@skhcn\r\nBcc: x@y.z' }, /MAIL_FROM: "iso@skhcn[\s\S]*" is not an address/],
  ])('rejects %j with a message naming the variable', (env, message) => {
    expect(() => loadAppConfig(env, root)).toThrow(message);
  });

  it('waits longer after each failed attempt, up to an hour', () => {
    expect([1, 2, 3, 4, 7, 8, 20].map((n) => retryDelayMs(n) / 60_000)).toEqual([1, 2, 4, 8, 60, 60, 60]);
  });
});
