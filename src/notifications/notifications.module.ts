import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { MailOutboxDispatcher } from './mail-outbox-dispatcher';
import { MailSender } from './mail-sender';
import { createMailSender } from './mail-sender.factory';
import { NotificationsController } from './notifications.controller';
import { Notifications } from './notifications.service';
import { Notifier } from './notifier';

/**
 * In-app notifications and their e-mails: `Notifier` for the modules that tell people something,
 * the person's own list over HTTP, and the outbox dispatcher (started by AppRuntime).
 */
@Module({
  controllers: [NotificationsController],
  providers: [Notifier, Notifications, MailOutboxDispatcher, { provide: MailSender, inject: [AppConfig], useFactory: (config: AppConfig) => createMailSender(config.mail) }],
  exports: [Notifier, MailOutboxDispatcher],
})
export class NotificationsModule {}
