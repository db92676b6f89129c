import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { writeTransaction } from '../../database/write-transaction';
import { Clock } from '../../shared/clock';
import { TooManyAttemptsError } from '../../shared/errors';
import { LoginThrottleEntity } from './login-throttle.entity';

/**
 * Login throttling with temporary lockout, per login name and per client address: after N failures
 * within the lockout period, further attempts are refused until it has passed, without checking
 * the password. Counted in the database, so a restart lifts nothing.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** Throws TooManyAttemptsError while the login name or the address is locked. */
  async assertOpen(login: string, address: string | null): Promise<void> {
    const rows = await this.dataSource.getRepository(LoginThrottleEntity).findBy({ key: In(keys(login, address)) });
    const now = this.clock.now().getTime();
    const lockedUntil = Math.max(0, ...rows.map((r) => r.lockedUntil?.getTime() ?? 0));
    if (lockedUntil > now) throw new TooManyAttemptsError(Math.ceil((lockedUntil - now) / 1000));
  }

  /** Counts a failure against the login name and the address; locks each that reaches its limit. */
  async recordFailure(login: string, address: string | null): Promise<void> {
    const { loginMaxFailures, loginMaxFailuresPerIp, loginLockoutMinutes } = this.config.security;
    const lockoutMs = loginLockoutMinutes * 60_000;
    await writeTransaction(this.dataSource, async (manager) => {
      const now = this.clock.now();
      for (const key of keys(login, address)) {
        const limit = key.startsWith('login:') ? loginMaxFailures : loginMaxFailuresPerIp;
        const row = await manager.getRepository(LoginThrottleEntity).findOne({ where: { key }, lock: lockFor(manager.connection.options.type) });
        const fresh = !row || row.windowStartedAt.getTime() + lockoutMs <= now.getTime();
        const failures = fresh ? 1 : row.failures + 1;
        const next: LoginThrottleEntity = {
          key,
          failures,
          windowStartedAt: fresh ? now : row.windowStartedAt,
          lockedUntil: failures >= limit ? new Date(now.getTime() + lockoutMs) : fresh ? null : row.lockedUntil,
        };
        if (row) await manager.update(LoginThrottleEntity, { key }, next);
        else await manager.insert(LoginThrottleEntity, next);
      }
    });
  }

  /** A successful login clears its login name's count (not the address's: one good password does not vouch for the rest). */
  async clear(login: string): Promise<void> {
    await this.dataSource.getRepository(LoginThrottleEntity).delete({ key: loginKey(login) });
  }
}

const loginKey = (login: string) => `login:${login.toLowerCase().slice(0, 150)}`;
const keys = (login: string, address: string | null) => [loginKey(login), ...(address ? [`address:${address.slice(0, 64)}`] : [])];
const lockFor = (type: string) => (type === 'mysql' ? ({ mode: 'pessimistic_write' } as const) : undefined);
