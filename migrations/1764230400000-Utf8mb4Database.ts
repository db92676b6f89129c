import { MigrationInterface, QueryRunner } from 'typeorm';
import { isMysql } from './support/columns';

/**
 * Vietnamese text is data: on MySQL/MariaDB every table this project creates inherits utf8mb4 with a
 * binary collation (diacritics never folded: "Đức" and "Duc" are different names). SQLite is UTF-8 already.
 */
export class Utf8mb4Database1764230400000 implements MigrationInterface {
  name = 'Utf8mb4Database1764230400000';

  async up(runner: QueryRunner): Promise<void> {
    if (isMysql(runner)) await runner.query('ALTER DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_bin');
  }

  async down(): Promise<void> {
    // The previous character set is unknown and harmless to keep.
  }
}
