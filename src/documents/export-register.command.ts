import { writeFileSync } from 'node:fs';
import { Command, CommandRunner, Option } from 'nest-commander';
import { DataSource } from 'typeorm';
import { withApplication } from '../cli/application-context';
import { CliError } from '../cli/fatal';
import { UnitEntity } from '../organization/unit.entity';
import { Clock } from '../shared/clock';
import { loadDocumentFont } from './fonts/document-font';
import { RegisterPdf, registerCatalogue } from './registers/register-pdf';
import { registerWorkbook } from './registers/register-workbook';
import { RegistersService } from './registers/registers.service';
import { PuppeteerPdfRenderer } from './rendering/puppeteer-pdf-renderer';

interface ExportRegisterOptions {
  out: string;
  incoming?: boolean;
  dataSet?: string;
  from?: string;
  to?: string;
}

/**
 * `iso-cycle export-register <unit-code> <year> --out <file.xlsx|file.pdf> [--incoming]`: a unit's
 * outgoing (or incoming) register for a year or a period, as XLSX or PDF by the file's extension.
 */
@Command({ name: 'export-register', arguments: '<unit-code> <year>', description: "write a unit's outgoing or incoming register for a year as XLSX or PDF" })
export class ExportRegisterCommand extends CommandRunner {
  async run([unitCode, yearText]: string[], options: ExportRegisterOptions): Promise<void> {
    const year = Number(yearText);
    if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new CliError(`export-register: "${yearText}" is not a year`, 2);
    if (!options.out || !/\.(xlsx|pdf)$/i.test(options.out)) throw new CliError('export-register: --out <file.xlsx|file.pdf> is required', 2);
    const summary = await withApplication(async (app, config) => {
      const dataSource = app.get(DataSource);
      const dataSetId = options.dataSet ?? config.seedOrganization;
      const unit = await dataSource.getRepository(UnitEntity).findOneBy({ dataSetId, code: unitCode });
      if (!unit) throw new CliError(`export-register: no unit "${unitCode}" in data set ${dataSetId}`);
      const registers = new RegistersService(dataSource, app.get(Clock), { zone: config.civilTimeZone });
      let register;
      try {
        const period = { from: options.from, to: options.to };
        register = options.incoming ? await registers.incoming(unit.id, year, period) : await registers.outgoing(unit.id, year, period);
      } catch (error) {
        if (error instanceof RangeError) throw new CliError(`export-register: ${error.message}`, 2);
        throw error;
      }
      if (options.out.toLowerCase().endsWith('.xlsx')) {
        writeFileSync(options.out, await registerWorkbook(register));
      } else {
        const renderer = new PuppeteerPdfRenderer({ executablePath: config.chromiumPath });
        try {
          const printed = await new RegisterPdf(registerCatalogue(loadDocumentFont(), config.civilTimeZone), renderer).render(register);
          writeFileSync(options.out, printed.pdf);
        } finally {
          await renderer.close();
        }
      }
      return `${options.out}: ${options.incoming ? 'incoming' : 'outgoing'} register of ${unit.officialName}, ${year}, ${register.rows.length} entr${register.rows.length === 1 ? 'y' : 'ies'}`;
    });
    process.stdout.write(`${summary}\n`);
  }

  @Option({ flags: '--out <file>', description: 'the file to write: .xlsx or .pdf' })
  parseOut(value: string): string {
    return value;
  }

  @Option({ flags: '--incoming', description: 'the incoming register (default: outgoing)' })
  parseIncoming(): boolean {
    return true;
  }

  @Option({ flags: '--data-set <id>', description: 'the data set of the unit (default: SEED_ORGANIZATION)' })
  parseDataSet(value: string): string {
    return value;
  }

  @Option({ flags: '--from <YYYY-MM-DD>', description: 'first day of the period (default: 1 January)' })
  parseFrom(value: string): string {
    return value;
  }

  @Option({ flags: '--to <YYYY-MM-DD>', description: 'last day of the period (default: 31 December)' })
  parseTo(value: string): string {
    return value;
  }
}
