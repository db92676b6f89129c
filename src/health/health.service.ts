import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';

export interface ComponentHealth {
  status: 'up' | 'down';
  detail?: string;
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  components: Record<string, ComponentHealth>;
}

/** Reports whether the parts the application depends on answer. */
@Injectable()
export class HealthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async check(): Promise<HealthReport> {
    const components: Record<string, ComponentHealth> = { database: await this.database() };
    const status = Object.values(components).every((c) => c.status === 'up') ? 'ok' : 'degraded';
    return { status, components };
  }

  private async database(): Promise<ComponentHealth> {
    try {
      await this.dataSource.query('SELECT 1');
      return { status: 'up', detail: `${this.config.database.kind} ${this.config.database.displayUrl}` };
    } catch (error) {
      return { status: 'down', detail: (error as Error).message };
    }
  }
}
