import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import { CSRF_HEADER } from '../access/access.guard';
import { AppConfig } from '../config/app-config';
import { SESSION_COOKIE } from '../identity/sessions/session-cookie';
import { Clock } from '../shared/clock';
import { ApiErrorFilter } from './api-error.filter';
import { createRateLimiter } from './rate-limit';
import { createValidationPipe } from './validation';

/**
 * JSON keys that class-transformer turns into prototype assignments instead of properties, so the
 * validation whitelist never sees them (found by the bad-input property tests): refused while
 * parsing, which answers 400.
 */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
function refusePrototypeKeys(key: string, value: unknown): unknown {
  if (PROTOTYPE_KEYS.has(key)) throw new SyntaxError(`the property "${key}" is not allowed`);
  return value;
}

/**
 * No payload of this API nests deeper than a few levels; a body nested thousands deep would
 * overflow the stack of the JSON reviver and of class-transformer (found by the bad-input property
 * tests). Checked on the raw bytes before parsing; refused with 400.
 */
export const MAX_JSON_DEPTH = 32;
function refuseDeepNesting(_request: unknown, _response: unknown, body: Buffer): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === 0x5c) i++; // backslash: skip the escaped character
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) throw Object.assign(new Error(`the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`), { status: 400, type: 'entity.too.deep' });
    } else if (byte === 0x5d || byte === 0x7d) depth--;
  }
}

/** Where Swagger UI is served; the OpenAPI document is at `${API_DOCS_PATH}-json`. */
export const API_DOCS_PATH = 'api/docs';

/**
 * Everything the HTTP application needs around the modules, in one place for `serve` and the
 * tests alike: proxy trust, security headers, rate limiting, cookies, validation at the edge, the one error
 * filter, and the OpenAPI document with Swagger UI. Call before `listen`/`init`.
 */
export function configureHttpApp(app: NestExpressApplication, config: AppConfig): void {
  // Behind a TLS-terminating proxy, this makes request.secure and request.ip tell the truth.
  app.set('trust proxy', config.security.trustProxy);
  app.use(helmet());
  // Before the body is read: a flood costs as little as possible.
  app.use(createRateLimiter(config.security.rateLimit, app.get(Clock)));
  app.useBodyParser('json', { limit: '100kb', verify: refuseDeepNesting, reviver: refusePrototypeKeys });
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
