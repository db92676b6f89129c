import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import { CSRF_HEADER } from '../access/access.guard';
import { AppConfig } from '../config/app-config';
import { SESSION_COOKIE } from '../identity/sessions/session-cookie';
import { ApiErrorFilter } from './api-error.filter';
import { createValidationPipe } from './validation';

/** Where Swagger UI is served; the OpenAPI document is at `${API_DOCS_PATH}-json`. */
export const API_DOCS_PATH = 'api/docs';

/**
 * Everything the HTTP application needs around the modules, in one place for `serve` and the
 * tests alike: proxy trust, security headers, cookies, validation at the edge, the one error
 * filter, and the OpenAPI document with Swagger UI. Call before `listen`/`init`.
 */
export function configureHttpApp(app: NestExpressApplication, config: AppConfig): void {
  // Behind a TLS-terminating proxy, this makes request.secure and request.ip tell the truth.
  app.set('trust proxy', config.security.trustProxy);
  app.use(helmet());
  app.use(cookieParser());
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ApiErrorFilter());

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('iso-cycle API')
      .setDescription(
        'The yearly ISO 9001 reporting cycle. Sign in with POST /api/auth/login (session cookie); send the returned csrfToken ' +
          `in the ${CSRF_HEADER} header with every unsafe request. Errors: { error: { code, message, fields? } }.`,
      )
      .setVersion('1')
      .addCookieAuth(SESSION_COOKIE, { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE }, 'session')
      .build(),
  );
  SwaggerModule.setup(API_DOCS_PATH, app, document);
}
