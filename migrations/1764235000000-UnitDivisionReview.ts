import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** Per unit: whether a division head reviews the unit's report before its head. */
export class UnitDivisionReview1764235000000 implements MigrationInterface {
  name = 'UnitDivisionReview1764235000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.addColumn('units', new TableColumn({ name: 'division_review', type: 'boolean', isNullable: false, default: 0 }));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropColumn('units', 'division_review');
  }
}
