import { Module } from '@nestjs/common';
import { FirstStartService } from './first-start.service';
import { DataSetImporter } from './import/data-set-importer.service';
import { OrganizationService } from './organization.service';

/** Data sets, units and who reports to whom; people and their roles per unit. */
@Module({
  providers: [DataSetImporter, OrganizationService, FirstStartService],
  exports: [DataSetImporter, OrganizationService, FirstStartService],
})
export class OrganizationModule {}
