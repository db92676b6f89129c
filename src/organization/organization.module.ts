import { Module } from '@nestjs/common';
import { DataSetImporter } from './import/data-set-importer.service';
import { OrganizationService } from './organization.service';

/** Data sets, units and who reports to whom; people and their roles per unit. */
@Module({
  providers: [DataSetImporter, OrganizationService],
  exports: [DataSetImporter, OrganizationService],
})
export class OrganizationModule {}
