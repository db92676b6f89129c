import { createHash } from 'node:crypto';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFRef, PDFString } from 'pdf-lib';
import { appendRevision } from './pdf-revision';
import { AT_ONCE } from '../pdf-metadata';

/** Bytes reserved for the CMS (certificate chain included); hex-encoded in the file, so twice as many characters. */
export const CONTENTS_BYTES = 16 * 1024;
const BYTE_RANGE_PLACEHOLDER = '**********';
/** How pdf-lib writes the placeholder array, found again after saving. */
const BYTE_RANGE_TEXT = `/ByteRange [ 0 /${BYTE_RANGE_PLACEHOLDER} /${BYTE_RANGE_PLACEHOLDER} /${BYTE_RANGE_PLACEHOLDER} ]`;

export interface SignatureFieldRequest {
  /** Field name, unique in the document ("Signature-person", "Signature-unit"). */
  fieldName: string;
  pageIndex: number;
  /** [x1, y1, x2, y2] in PDF points on that page; all zero for an invisible signature. */
  rect: [number, number, number, number];
  /** The signer as /Name (the certificate says it too). */
  signerName: string;
  reason: string;
  location?: string;
  /** /M: the signing time (PAdES carries it here, not in the CMS). */
  signingTime: Date;
  /** Draws the appearance: returns the Form XObject (BBox = the rect's size) or undefined for none. */
  appearance?: (document: PDFDocument, width: number, height: number) => Promise<PDFRef | undefined>;
}

/**
 * Adds an empty PAdES signature field (SubFilter ETSI.CAdES.detached) as an incremental update:
 * a signature dictionary with placeholders for /ByteRange and /Contents, its widget on the page
 * with the visible appearance, and the AcroForm entry (SigFlags 3: signatures exist, append only).
 */
export function addSignatureField(pdf: Buffer, request: SignatureFieldRequest): Promise<Buffer> {
  return appendRevision(pdf, async (document) => {
    const context = document.context;
    const page = document.getPage(request.pageIndex);
    const byteRange = PDFArray.withContext(context);
    byteRange.push(PDFNumber.of(0));
    for (let i = 0; i < 3; i++) byteRange.push(PDFName.of(BYTE_RANGE_PLACEHOLDER));
    const signature = context.register(
      context.obj({
        Type: 'Sig',
        Filter: 'Adobe.PPKLite',
        SubFilter: 'ETSI.CAdES.detached',
        ByteRange: byteRange,
        Contents: PDFHexString.of('0'.repeat(CONTENTS_BYTES * 2)),
        M: PDFString.fromDate(request.signingTime),
        Name: PDFHexString.fromText(request.signerName),
        Reason: PDFHexString.fromText(request.reason),
        ...(request.location ? { Location: PDFHexString.fromText(request.location) } : {}),
      }),
    );
    const [x1, y1, x2, y2] = request.rect;
    const appearance = request.appearance ? await request.appearance(document, x2 - x1, y2 - y1) : undefined;
    const widget = context.register(
      context.obj({
        Type: 'Annot',
        Subtype: 'Widget',
        FT: 'Sig',
        T: PDFHexString.fromText(request.fieldName),
        Rect: [x1, y1, x2, y2],
        F: 4 + 128, // Print + Locked
        P: page.ref,
        V: signature,
        ...(appearance ? { AP: { N: appearance } } : {}),
      }),
    );
    page.node.addAnnot(widget);
    const acroForm = document.catalog.getOrCreateAcroForm();
    acroForm.addField(widget);
    acroForm.dict.set(PDFName.of('SigFlags'), PDFNumber.of(3));
  });
}

/** A prepared signature: the file with its final /ByteRange, and the digest the CMS must sign. */
export interface PreparedSignature {
  pdf: Buffer;
  byteRange: [number, number, number, number];
  /** SHA-256 of the two signed ranges. */
  digest: Buffer;
}

/**
 * Sets the last signature field's /ByteRange (everything but its /Contents hex string) and
 * computes the digest to sign. The ByteRange text keeps its length (padded), so no offset moves.
 */
export function prepareSignature(withField: Buffer): PreparedSignature {
  const at = withField.lastIndexOf(BYTE_RANGE_TEXT);
  if (at < 0) throw new Error('The PDF has no empty signature field (no /ByteRange placeholder)');
  const contentsKey = withField.indexOf('/Contents <', at);
  if (contentsKey < 0) throw new Error('The signature field has no /Contents after its /ByteRange');
  const start = withField.indexOf('<', contentsKey);
  const end = withField.indexOf('>', start) + 1;
  const byteRange: [number, number, number, number] = [0, start, end, withField.length - end];
  const text = `/ByteRange [${byteRange.join(' ')}]`;
  if (text.length > BYTE_RANGE_TEXT.length) throw new Error('The PDF is too large for the /ByteRange placeholder');
  const pdf = Buffer.from(withField);
  pdf.write(text.padEnd(BYTE_RANGE_TEXT.length, ' '), at, 'latin1');
  const digest = createHash('sha256').update(pdf.subarray(0, start)).update(pdf.subarray(end)).digest();
  return { pdf, byteRange, digest };
}

/** Writes the CMS into the prepared field's /Contents: the signed file. */
export function embedSignature(prepared: PreparedSignature, cms: Buffer): Buffer {
  const [, start, end] = prepared.byteRange;
  const room = (end - start - 2) / 2;
  if (cms.length > room) throw new Error(`The signature (${cms.length} bytes) does not fit the ${room} bytes reserved for it`);
  const pdf = Buffer.from(prepared.pdf);
  pdf.write(cms.toString('hex').toUpperCase().padEnd(room * 2, '0'), start + 1, 'latin1');
  return pdf;
}

/** One signature as the file holds it. */
export interface PdfSignature {
  fieldName: string;
  subFilter: string | undefined;
  byteRange: number[];
  /** The CMS, without the zero padding. */
  cms: Buffer;
  signingTime: Date | undefined;
  name: string | undefined;
  reason: string | undefined;
  pageIndex: number | undefined;
  rect: number[] | undefined;
  /** The bytes the signature covers (the two ranges concatenated). */
  signedBytes: Buffer;
  /** Whether the ranges are the whole file but the /Contents hole (true for the last signature only, unless more was appended). */
  coversWholeFile: boolean;
}

/** The length of a DER value from its header (the CMS is followed by zero padding). */
function derLength(bytes: Buffer): number {
  if (bytes.length < 2 || bytes[0] !== 0x30) return bytes.length;
  const first = bytes[1];
  if (first < 0x80) return 2 + first;
  const count = first & 0x7f;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + bytes[2 + i];
  return 2 + count + length;
}

/** Every signature field with a value, in the order the file lists them. */
export async function readSignatures(pdf: Buffer): Promise<PdfSignature[]> {
  const document = await PDFDocument.load(pdf, { updateMetadata: false, ignoreEncryption: true, ...AT_ONCE.parse });
  const pages = document.getPages();
  const signatures: PdfSignature[] = [];
  for (const field of document.getForm().getFields()) {
    const dict = field.acroField.dict;
    if (dict.lookup(PDFName.of('FT')) !== PDFName.of('Sig')) continue;
    const value = dict.lookup(PDFName.of('V'));
    if (!(value instanceof PDFDict)) continue;
    const range = value.lookup(PDFName.of('ByteRange'));
    const contents = value.lookup(PDFName.of('Contents'));
    if (!(range instanceof PDFArray) || !(contents instanceof PDFHexString || contents instanceof PDFString)) continue;
    const byteRange = range.asArray().map((n) => (n instanceof PDFNumber ? n.asNumber() : NaN));
    const raw = Buffer.from(contents.asBytes());
    const cms = raw.subarray(0, derLength(raw));
    const [a, b, c, d] = byteRange;
    const signedBytes = Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]);
    const text = (key: string) => {
      const v = value.lookup(PDFName.of(key));
      return v instanceof PDFHexString || v instanceof PDFString ? v.decodeText() : undefined;
    };
    const m = value.lookup(PDFName.of('M'));
    const widgetPage = dict.lookup(PDFName.of('P'));
    const rect = dict.lookup(PDFName.of('Rect'));
    signatures.push({
      fieldName: field.getName(),
      subFilter: (value.lookup(PDFName.of('SubFilter')) as PDFName | undefined)?.decodeText(),
      byteRange,
      cms,
      signingTime: m instanceof PDFString || m instanceof PDFHexString ? m.decodeDate() : undefined,
      name: text('Name'),
      reason: text('Reason'),
      pageIndex: widgetPage instanceof PDFDict ? pages.findIndex((p) => p.node === widgetPage) : undefined,
      rect: rect instanceof PDFArray ? rect.asArray().map((n) => (n as PDFNumber).asNumber()) : undefined,
      signedBytes,
      coversWholeFile: a === 0 && c + d === pdf.length && pdf[b] === 0x3c && pdf[c - 1] === 0x3e,
    });
  }
  return signatures;
}
