import { PDFCrossRefStream, PDFDocument, PDFName, PDFNumber, PDFObject, PDFRef } from 'pdf-lib';
import { AT_ONCE } from '../pdf-metadata';

/** The bytes pdf-lib writes for an object, to tell which objects a change touched. */
function bytesOf(object: PDFObject): Buffer {
  const buffer = Buffer.alloc(object.sizeInBytes());
  object.copyBytesInto(buffer, 0);
  return buffer;
}

/** Byte offset of the last cross-reference section (the file's last `startxref`). */
export function lastStartXref(pdf: Buffer): number {
  const at = pdf.lastIndexOf('startxref');
  const match = at < 0 ? null : /^startxref\s+(\d+)/.exec(pdf.subarray(at, at + 40).toString('latin1'));
  if (!match) throw new Error('The PDF has no startxref: it is not a complete PDF file');
  return Number(match[1]);
}

/**
 * Appends `change` to the PDF as an incremental update (ISO 32000-1 §7.5.6): the original bytes
 * stay as they are, then come the new and changed objects, a cross-reference section for them and
 * a trailer with /Prev. This is what keeps an earlier signature valid when a later one is added.
 * pdf-lib builds the objects; its own save() would rewrite the whole file, so the update is
 * written here, object by object, from pdf-lib's serialisation.
 */
export async function appendRevision(original: Buffer, change: (document: PDFDocument) => Promise<void>): Promise<Buffer> {
  const document = await PDFDocument.load(original, { updateMetadata: false, ...AT_ONCE.parse });
  const context = document.context;
  // pdf-lib does not count the object streams and cross-reference streams it unpacked: new objects
  // must not take their numbers (an object compressed in a stream would resolve to ours).
  const sizes = [...original.toString('latin1').matchAll(/\/Size\s+(\d+)/g)].map((m) => Number(m[1]));
  context.largestObjectNumber = Math.max(context.largestObjectNumber, ...sizes.map((n) => n - 1));
  const before = new Map<string, Buffer>();
  for (const [ref, object] of context.enumerateIndirectObjects()) before.set(ref.tag, bytesOf(object));

  await change(document);

  const changed = context.enumerateIndirectObjects().filter(([ref, object]) => {
    const old = before.get(ref.tag);
    return old === undefined || !old.equals(bytesOf(object));
  });
  if (changed.length === 0) return original;

  const parts: Buffer[] = [original];
  let offset = original.length;
  const push = (bytes: Buffer) => {
    parts.push(bytes);
    offset += bytes.length;
  };
  if (original[original.length - 1] !== 0x0a) push(Buffer.from('\n'));
  const offsets = new Map<number, { offset: number; generation: number }>();
  for (const [ref, object] of changed) {
    offsets.set(ref.objectNumber, { offset, generation: ref.generationNumber });
    push(Buffer.from(`${ref.objectNumber} ${ref.generationNumber} obj\n`, 'latin1'));
    push(bytesOf(object));
    push(Buffer.from('\nendobj\n', 'latin1'));
  }

  const size = Math.max(context.largestObjectNumber + 1, ...sizes);
  const { Root, Info, ID, Encrypt } = context.trailerInfo;
  if (Encrypt) throw new Error('An encrypted PDF cannot be signed here');
  const prev = lastStartXref(original);
  const trailerEntries = { Root: Root, Prev: prev, ...(Info ? { Info } : {}), ...(ID ? { ID } : {}) };
  const xrefOffset = offset;

  if (original.subarray(prev, prev + 4).toString('latin1') !== 'xref') {
    // The file's cross-reference is a stream (PDF 1.5): the update's is one too.
    const streamRef = PDFRef.of(size);
    const stream = PDFCrossRefStream.create(context.obj({ ...trailerEntries, Size: size + 1 }));
    for (const [number, entry] of [...offsets].sort(([a], [b]) => a - b)) stream.addUncompressedEntry(PDFRef.of(number, entry.generation), entry.offset);
    stream.addUncompressedEntry(streamRef, xrefOffset);
    stream.dict.set(PDFName.of('Size'), PDFNumber.of(size + 1));
    push(Buffer.from(`${size} 0 obj\n`, 'latin1'));
    push(bytesOf(stream));
    push(Buffer.from(`\nendobj\nstartxref\n${xrefOffset}\n%%EOF\n`, 'latin1'));
    return Buffer.concat(parts);
  }

  const numbers = [...offsets.keys()].sort((a, b) => a - b);
  let xref = 'xref\n';
  for (let i = 0; i < numbers.length; ) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j] + 1) j++;
    xref += `${numbers[i]} ${j - i + 1}\n`;
    for (let k = i; k <= j; k++) {
      const entry = offsets.get(numbers[k])!;
      xref += `${String(entry.offset).padStart(10, '0')} ${String(entry.generation).padStart(5, '0')} n\r\n`;
    }
    i = j + 1;
  }
  push(Buffer.from(`${xref}trailer\n`, 'latin1'));
  push(bytesOf(context.obj({ ...trailerEntries, Size: size })));
  push(Buffer.from(`\nstartxref\n${xrefOffset}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(parts);
}
