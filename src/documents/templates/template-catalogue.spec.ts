import { defaultTemplatesDir } from '../documents.module';
import { DocumentFont } from '../fonts/document-font';
import { SIGN_AREA_URI } from '../signing/signature-area';
import { TemplateCatalogue, TemplateDataError, UnknownDocumentKindError } from './template-catalogue';

const font: DocumentFont = { family: 'Tinos', fontFaceCss: '/* fonts */' };
const catalogue = new TemplateCatalogue(defaultTemplatesDir(), { zone: 'Asia/Ho_Chi_Minh', font });

describe('template catalogue', () => {
  test('every folder with content.hbs is a kind; "_" folders are shared parts', () => {
    expect(catalogue.kinds()).toEqual(['consolidated-report', 'letter', 'ministry-report', 'request-to-report-letter', 'unit-report', 'urge-letter']);
  });

  test.each(catalogue.kinds())('%s renders from its sample.json alone', (kind) => {
    const html = catalogue.renderHtml(kind, catalogue.sample(kind));
    expect(html).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(html).toContain('./.');
    expect(html).toContain('- Lưu: VT, ');
    expect(html).not.toContain('DỰ THẢO');
    // Nothing to load: no script, no external source or stylesheet. The one link is the signer
    // block's marker (an annotation the signing step finds the sign area by; never fetched).
    expect(html).not.toMatch(/<script|src="http|<link[^>]*href="http/i);
    expect([...html.matchAll(/href="([^"]*)"/gi)].map((match) => match[1])).toEqual([SIGN_AREA_URI]);
  });

  test('missing data fails the render and names the field', () => {
    const data = catalogue.sample('letter') as { document: Record<string, unknown> };
    delete data.document.place;
    expect(() => catalogue.renderHtml('letter', data)).toThrow(TemplateDataError);
    expect(() => catalogue.renderHtml('letter', data)).toThrow(/Document "letter": .*"place"|placeDate: the place/);
    const noSigner = catalogue.sample('unit-report');
    delete noSigner.signer;
    expect(() => catalogue.renderHtml('unit-report', noSigner)).toThrow(/signer is required/);
  });

  test('one addressee on the "Kính gửi" line; several one per line with ";" and a final "."', () => {
    const one = { ...catalogue.sample('letter'), addressees: ['Sở Khoa học và Công nghệ'] };
    expect(catalogue.renderHtml('letter', one)).toMatch(/<span class="label">Kính gửi:<\/span><span class="list">Sở Khoa học và Công nghệ\.<\/span>/);
    const several = catalogue.renderHtml('letter', catalogue.sample('letter'));
    expect(several).toContain('<div class="item">- Các sở, ban, ngành;</div><div class="item">- UBND các huyện, thị xã, thành phố.</div>');
    expect(several).toContain('<div>- Như trên;</div>');
  });

  test('a unit with units below it reports its own figures and, separately, their totals', () => {
    const data = catalogue.sample('unit-report') as { subtreeColumn?: string; figures: Array<{ rows: Array<Record<string, unknown>> }> };
    data.subtreeColumn = 'Tổng hợp các xã';
    expect(() => catalogue.renderHtml('unit-report', data)).toThrow('figure: expected a number, a boolean, a string or null, got undefined in {{figure subtree}} (_partials/figure-table.hbs, line 12)');
    for (const group of data.figures) for (const row of group.rows) row.subtree = typeof row.value === 'number' ? 10 * (row.value as number) : null;
    const html = catalogue.renderHtml('unit-report', data);
    expect(html).toContain('<th>Tổng hợp các xã</th>');
    expect(html).toContain('<td class="n">1.320</td>');
  });

  test('a draft carries the mark and no number', () => {
    const html = catalogue.renderHtml('letter', catalogue.sample('letter'), { draft: true });
    expect(html).toContain('content: "DỰ THẢO"');
    expect(html).not.toContain('4607/UBND-KGVX');
  });

  test('the ministry report: the provincial People\'s Committee to the Ministry, signed "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH"', () => {
    const sample = catalogue.sample('ministry-report');
    const html = catalogue.renderHtml('ministry-report', sample, { draft: true });
    expect(html).not.toContain('<div class="parent-body">');
    expect(html).toContain('<span class="name">ỦY BAN NHÂN DÂN<br>TỈNH QUẢNG NGÃI</span>');
    expect(html).toMatch(/<span class="label">Kính gửi:<\/span><span class="list">Bộ Khoa học và Công nghệ\.<\/span>/);
    expect(html).toContain('<div class="authority">TM. ỦY BAN NHÂN DÂN</div><div class="authority">KT. CHỦ TỊCH</div><div class="authority">PHÓ CHỦ TỊCH</div>');
    expect(html).toContain('<div class="name"></div>');
    expect(html).toContain('content: "DỰ THẢO"');
    expect(html).not.toContain('412/BC-UBND');
    // One total per cell: the budget in đồng too, on a line of its own.
    expect(html).toContain('<td class="n">2.347.500.000</td>');
    expect(html).toContain('<tr class="total"><td></td><td><strong>Tổng cộng</strong></td><td class="n"><strong>110</strong></td><td class="n"><strong>104</strong></td><td class="n"><strong>101</strong></td></tr>');
  });

  test('unknown kinds are refused with the list of known ones', () => {
    expect(() => catalogue.renderHtml('../secret', {})).toThrow(UnknownDocumentKindError);
    expect(() => catalogue.sample('nope')).toThrow(/known: consolidated-report, letter/);
  });
});
