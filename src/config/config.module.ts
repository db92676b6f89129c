import { Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config';
import { loadAppConfig } from './load-app-config';
import { Clock, SystemClock } from '../shared/clock';

/**
 * The validated configuration and the clock, available everywhere. `forRoot` takes an already
 * loaded configuration (tests and `simulate` pass their own); otherwise the environment is read once.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(options: { config?: AppConfig; clock?: Clock } = {}) {
    return {
      module: ConfigModule,
      providers: [
        { provide: AppConfig, useValue: options.config ?? loadAppConfig() },
        { provide: Clock, useValue: options.clock ?? new SystemClock() },
      ],
      exports: [AppConfig, Clock],
    };
  }
}
