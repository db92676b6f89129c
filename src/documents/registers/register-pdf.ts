import { join } from 'node:path';
import { projectRoot } from '../../shared/project-root';
import { DocumentFont } from '../fonts/document-font';
import { printedNumber } from '../numbering/document-symbol';
import { PdfRenderer } from '../rendering/pdf-renderer';
import { TemplateCatalogue } from '../templates/template-catalogue';
import { registerTitle } from './register-titles';
import { Register, printedDate } from './registers.service';

/** The template kind of registers: a cover and the entries. */
export const REGISTER_TEMPLATE_KIND = 'document-register';

/**
 * The registers' template root: the kind's own folder next to links to templates/_layout and
 * templates/_partials, so registers print with the official documents' page rules and font while
 * the catalogue of official documents (templates/) lists only official documents.
 */
export function registerTemplatesDir(): string {
  return join(projectRoot(), 'src', 'documents', 'registers', 'templates');
}

export function registerCatalogue(font: DocumentFont, zone: string): TemplateCatalogue {
  return new TemplateCatalogue(registerTemplatesDir(), { zone, font });
}

/** Column widths (percent of the landscape page) of the registers' ten columns. */
const WIDTHS: Record<Register['kind'], string[]> = {
  outgoing: ['12%', '8%', '18%', '9%', '13%', '8%', '5%', '8%', '8%', '11%'],
  incoming: ['8%', '5%', '12%', '12%', '8%', '21%', '10%', '8%', '8%', '8%'],
};

/** The template data of a register: what it prints and nothing else. */
export function registerTemplateData(register: Register, book = 1): Record<string, unknown> {
  const number = (n: number | null) => (n === null ? '…' : printedNumber(n));
  return {
    issuer: register.unit.parentBody ? { parent: register.unit.parentBody, name: register.unit.officialName } : { name: register.unit.officialName },
    title: registerTitle(register.kind),
    year: register.year,
    cover: {
      fromDate: printedDate(register.cover.fromDate ?? register.period.from),
      toDate: printedDate(register.cover.toDate ?? register.period.to),
      fromNumber: number(register.cover.fromNumber),
      toNumber: number(register.cover.toNumber),
    },
    book: printedNumber(book),
    closedNote: register.closing ? `Khóa sổ ngày ${printedDate(register.closing.closedAt.toISOString())}` : '',
    columns: register.columns.map((heading, i) => ({ heading, width: WIDTHS[register.kind][i] })),
    rows: register.rows,
  };
}

/**
 * Prints a register as PDF through the renderer engineer's catalogue and renderer. Not through
 * DocumentComposer: a register is not an official document with a number and symbol, which the
 * composer's metadata requires.
 */
export class RegisterPdf {
  constructor(
    private readonly catalogue: TemplateCatalogue,
    private readonly renderer: PdfRenderer,
  ) {}

  async render(register: Register, book = 1): Promise<{ pdf: Buffer; pageCount: number }> {
    const title = `${registerTitle(register.kind)} năm ${register.year} - ${register.unit.officialName}`;
    const html = this.catalogue.renderHtml(REGISTER_TEMPLATE_KIND, registerTemplateData(register, book), { title, fontFace: 'slot' });
    return this.renderer.renderDocument(html, { title, author: register.unit.officialName, subject: title, keywords: [registerTitle(register.kind), String(register.year)] }, { fontFaceCss: this.catalogue.fontFaceCss });
  }
}
