import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { DataSetEntity } from './data-set.entity';
import { DataSetImporter } from './import/data-set-importer.service';
import { DEMO_PASSWORD, demoLogin } from './import/demo-people';
import { Role } from './roles';
import { UnitEntity } from './unit.entity';

/** The first start on an empty database seeds the configured data set, so the demo has people to log in as. */
@Injectable()
export class FirstStartService {
  private readonly logger = new Logger(FirstStartService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly importer: DataSetImporter,
    private readonly config: AppConfig,
  ) {}

  /** Seeds when no data set exists; returns the seeded data set and the demo logins to print, or null when nothing was seeded. */
  async seedDemoIfEmpty(): Promise<{ dataSetId: string; logins: string } | null> {
    if ((await this.dataSource.getRepository(DataSetEntity).count()) > 0) return null;
    const summary = await this.importer.importDataSet(this.config.seedOrganization);
    this.logger.log(`seeded data set ${summary.dataSetId}: ${summary.units.inserted} units, ${summary.people.inserted} demo people`);
    return { dataSetId: summary.dataSetId, logins: await this.demoLogins(summary.dataSetId) };
  }

  private async demoLogins(dataSetId: string): Promise<string> {
    const units = this.dataSource.getRepository(UnitEntity);
    const standing = await units.findOneByOrFail({ dataSetId, isStandingAgency: true });
    const commune = await units.findOne({ where: { dataSetId, reportsToId: standing.id, level: 'commune' }, order: { sortOrder: 'ASC' } });
    const lines = [
      [Role.Administrator, standing],
      [Role.Consolidator, standing],
      [Role.Staff, standing],
      [Role.Head, standing],
      [Role.Clerk, standing],
      ...(commune ? [[Role.Staff, commune], [Role.Head, commune]] : []),
    ] as [Role, UnitEntity][];
    return [
      `\nDemo logins (password "${DEMO_PASSWORD}"; every unit has every role: <role>.<unit code>@${dataSetId}):`,
      ...lines.map(([role, unit]) => `  ${demoLogin(role, unit.code, dataSetId).padEnd(44)} ${role} — ${unit.officialName}`),
      '',
    ].join('\n');
  }
}
