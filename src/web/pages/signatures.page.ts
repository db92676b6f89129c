import { Controller, Get, Param, Post, Req, Res, UploadedFile, UseFilters, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { Actor, CurrentActor } from '../../access/actor';
import { Policy } from '../../access/policy';
import { IssuedDocumentEntity } from '../../documents/issuing/issued-document.entity';
import { DeferredSigningService, SignatureToMake } from '../../documents/signing/deferred-signing.service';
import { PersonEntity } from '../../organization/person.entity';
import { ConflictError, NotFoundError, ValidationFailedError } from '../../shared/errors';
import { formText } from '../form-body';
import { PageErrorFilter } from '../page-error.filter';
import { PageShells } from '../page-shell';
import { PageRenderer } from '../views/page-renderer';
import { formatDateTime } from '../views/view-formats';

const DOCUMENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** DER of the CMS SignedData content type (1.2.840.113549.1.7.2): a .p7s carries it within its first bytes. */
const SIGNED_DATA_OID = Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]);
/** The API's bounds (SignatureReturnDto), in base64 characters. */
const MAX_BASE64 = { cms: 40000, signature: 2000 } as const;
const KINDS = ['auto', 'cms', 'signature'] as const;
type Kind = (typeof KINDS)[number];

function documentIdOf(value: string): string {
  if (!DOCUMENT_ID.test(value)) throw new NotFoundError(`Văn bản chờ ký ${value}`);
  return value;
}

/** A signature file as bytes: DER as it is; PEM ("-----BEGIN PKCS7-----", "CMS", "SIGNATURE") or bare base64 text decoded. */
export function signatureBytes(raw: Buffer): Buffer {
  const text = raw.toString('latin1').trim();
  const pem = /-----BEGIN [A-Z0-9 ]+-----([\s\S]+?)-----END [A-Z0-9 ]+-----/.exec(text);
  const body = (pem ? pem[1] : text).replace(/\s+/g, '');
  if (body.length >= 16 && body.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(body)) return Buffer.from(body, 'base64');
  return raw;
}

/** A CMS SignedData names its content type in its first bytes; a raw RSA/ECDSA signature does not. */
export function looksLikeCms(bytes: Buffer): boolean {
  return bytes[0] === 0x30 && bytes.subarray(0, 24).includes(SIGNED_DATA_OID);
}

/** Hex in groups of 4 bytes, to read aloud and compare with what the token shows. */
const groupedHex = (bytes: Buffer) => bytes.toString('hex').replace(/(.{8})(?=.)/g, '$1 ');
/** A file name from the document's symbol ("12/BC-UBND" → "12-BC-UBND"). */
const fileStem = (item: SignatureToMake) => (item.symbol ?? item.documentId).replace(/[^\p{L}\p{N}-]+/gu, '-');

/**
 * The signer's page (`/signatures`, docs/signing.md): the documents waiting for my signature made
 * with a USB token or a remote signing service, the prepared PDF, the digest and signed attributes
 * as files (served here) and hex, and the signature sent back as a file or pasted (multipart form):
 * the kind (CMS or raw signature) is read from the bytes unless the person says. A refusal is shown
 * at the document's file field and changes nothing.
 */
@ApiExcludeController()
@Controller('signatures')
@UseFilters(PageErrorFilter)
export class SignaturesPage {
  constructor(
    private readonly deferred: DeferredSigningService,
    private readonly shells: PageShells,
    private readonly pages: PageRenderer,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Get()
  @Policy('signed-in')
  async list(@CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.show(actor, request, response);
  }

  @Get(':documentId/digest')
  @Policy('signed-in')
  async digest(@Param('documentId') documentId: string, @CurrentActor() actor: Actor, @Res() response: Response): Promise<void> {
    const item = await this.deferred.describe(documentIdOf(documentId), actor.personId);
    this.download(response, `${fileStem(item)}.sha256.bin`, Buffer.from(item.digest, 'base64'));
  }

  @Get(':documentId/signed-attributes')
  @Policy('signed-in')
  async signedAttributes(@Param('documentId') documentId: string, @CurrentActor() actor: Actor, @Res() response: Response): Promise<void> {
    const item = await this.deferred.describe(documentIdOf(documentId), actor.personId);
    this.download(response, `${fileStem(item)}.signed-attributes.der`, Buffer.from(item.signedAttributes, 'base64'));
  }

  @Post(':documentId')
  @Policy('signed-in')
  @UseInterceptors(FileInterceptor('signature', { limits: { fileSize: 64 * 1024, files: 1, fields: 3, fieldSize: 64 * 1024 } }))
  async submit(@Param('documentId') param: string, @UploadedFile() file: { buffer: Buffer } | undefined, @CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    const documentId = documentIdOf(param);
    const pasted = formText(request.body, 'text');
    const chosen = formText(request.body, 'kind');
    const kind: Kind = (KINDS as readonly string[]).includes(chosen) ? (chosen as Kind) : 'auto';
    const refuse = (message: string, status = 422) => this.show(actor, request, response, { documentId, message, kind, text: pasted }, status);
    const raw = file && file.buffer.length > 0 ? file.buffer : Buffer.from(pasted, 'latin1');
    const bytes = signatureBytes(raw);
    if (bytes.length === 0) return refuse('Chọn tệp chữ ký, hoặc dán chữ ký (base64 hoặc PEM) vào ô bên dưới.');
    const as = kind === 'auto' ? (looksLikeCms(bytes) ? 'cms' : 'signature') : kind;
    const base64 = bytes.toString('base64');
    if (base64.length > MAX_BASE64[as]) return refuse(as === 'cms' ? 'Tệp chữ ký quá lớn.' : 'Chữ ký thô quá dài: nếu đây là tệp .p7s, hãy chọn loại “CMS / PKCS#7”.');
    const signer = await this.dataSource.getRepository(PersonEntity).findOneByOrFail({ id: actor.personId });
    try {
      await this.deferred.submit(documentId, signer, { [as]: base64 });
    } catch (error) {
      if (error instanceof ValidationFailedError) return refuse(error.fields.map((f) => f.message).join(' ') || error.message);
      if (error instanceof ConflictError) return refuse(error.message, 409);
      throw error;
    }
    response.redirect(303, `/signatures?done=signed&document=${documentId}`);
  }

  private download(response: Response, name: string, bytes: Buffer): void {
    response.attachment(name).type('application/octet-stream').setHeader('Cache-Control', 'no-store');
    response.send(bytes);
  }

  /** The outcome after a signature was taken: said of the person's own document only. */
  private async doneMessage(request: Request, actor: Actor): Promise<string | undefined> {
    const documentId = typeof request.query.document === 'string' ? request.query.document : '';
    if (request.query.done !== 'signed' || !DOCUMENT_ID.test(documentId)) return undefined;
    const item = await this.deferred.describe(documentId, actor.personId).catch(() => undefined);
    if (!item) return undefined;
    const document = await this.dataSource.getRepository(IssuedDocumentEntity).findOneBy({ id: documentId });
    const name = item.symbol ? `số ${item.symbol}` : `“${item.subject}”`;
    return `Đã nhận chữ ký. Văn bản ${name} ${document?.state === 'issued' ? 'đã được ban hành' : 'đang được xử lý'}.`;
  }

  private async show(actor: Actor, request: Request, response: Response, refused?: { documentId: string; message: string; kind: Kind; text: string }, status = 200): Promise<void> {
    const [items, done] = await Promise.all([this.deferred.pendingFor(actor.personId), this.doneMessage(request, actor)]);
    const rows = items.map((item) => {
      const digest = Buffer.from(item.digest, 'base64');
      const attributes = Buffer.from(item.signedAttributes, 'base64');
      const stem = fileStem(item);
      const mine = refused?.documentId === item.documentId ? refused : undefined;
      const kind = mine?.kind ?? 'auto';
      return {
        id: item.documentId,
        title: `${item.symbol ? `Số ${item.symbol}: ` : ''}${item.subject}`,
        since: formatDateTime(item.createdAt),
        certificate: item.certificateSha256,
        certificateShort: `${item.certificateSha256.slice(0, 16)}…`,
        pdfName: `${stem}.pdf`,
        digestName: `${stem}.sha256.bin`,
        attributesName: `${stem}.signed-attributes.der`,
        digestHex: groupedHex(digest),
        attributesHex: groupedHex(attributes),
        attributesLength: attributes.length,
        error: mine?.message,
        text: mine?.text ?? '',
        kinds: [
          { value: 'auto', label: 'Tự nhận biết từ nội dung', checked: kind === 'auto' },
          { value: 'cms', label: 'CMS / PKCS#7 (.p7s) ký trên mã băm', checked: kind === 'cms' },
          { value: 'signature', label: 'Chữ ký thô (RSA/ECDSA) trên thuộc tính ký', checked: kind === 'signature' },
        ],
      };
    });
    const messages = refused ? [refused.message] : [];
    this.pages.send(response, 'signatures', this.shells.forActor(request, actor, 'Văn bản chờ tôi ký số', { done: done ? { signed: done } : undefined, errors: messages }), { rows }, status);
  }
}
