import { DynamicModule, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { Clock } from '../../shared/clock';
import { DocumentComposer } from '../document-composer';
import { DocumentsModule, DocumentsModuleOptions, defaultTemplatesDir } from '../documents.module';
import { loadDocumentFont } from '../fonts/document-font';
import { NumberingService } from '../numbering/numbering.service';
import { RegisterPdf, registerCatalogue } from '../registers/register-pdf';
import { RegistersService } from '../registers/registers.service';
import { PdfRenderer } from '../rendering/pdf-renderer';
import { DocumentStore } from '../store/document-store';
import { DocumentStoreBackend, createDocumentStore } from '../store/document-store.factory';
import { StoreVerifier } from '../store/store-verifier';
import { ComposerIssueRenderer } from './composer-issue-renderer';
import { DocumentSigner, IssueRenderer } from './issue-renderer';
import { IssuePipeline } from './issue-pipeline';
import { IssuedDocuments } from './issued-documents';
import { SigningKeystore } from '../../signing/signing-keystore';
import { StoredSigningMaterials } from '../../signing/signing-materials';
import { PassphraseCipher } from '../../signing/admin/passphrase-cipher';
import { PadesDocumentSigner } from '../signing/pades-document-signer';
import { AppearanceFonts } from '../signing/signature-appearance';
import { DeferredSigningService } from '../signing/deferred-signing.service';
import { AuditModule } from '../../audit/audit.module';
import { AuditTrail } from '../../audit/audit-trail.service';

export interface IssuingModuleOptions {
  /** Where issued files go: the filesystem under AppConfig.runtimeDir/documents (default) or the database. */
  store?: DocumentStoreBackend;
  /**
   * Signing; by default from the configuration: DOCUMENT_SIGNING=pkcs12 → PadesDocumentSigner over
   * SIGNING_KEYSTORE, unsigned → none. `null` turns it off whatever the configuration says.
   */
  signer?: DocumentSigner | null;
  /** Passed to DocumentsModule (templates folder, Times New Roman folder, page pool). */
  documents?: DocumentsModuleOptions;
  /** Attempts of rendering and signing before an incident. */
  maxAttempts?: number;
}

/** Certificates administrators uploaded, then the keystore manifest when one is configured. */
export function configuredSigningMaterials(ds: DataSource, config: AppConfig): StoredSigningMaterials {
  return new StoredSigningMaterials(ds, config.signing.secret ? new PassphraseCipher(config.signing.secret) : undefined, config.signing.keystore ? SigningKeystore.load(config.signing.keystore) : undefined);
}

/** The signer DOCUMENT_SIGNING asks for: PAdES from the stored certificates and the keystore, or none (unsigned, explicitly). */
function configuredSigner(ds: DataSource, clock: Clock, config: AppConfig, timesNewRomanDir: string | undefined): DocumentSigner | undefined {
  if (config.signing.mode !== 'pkcs12') return undefined;
  return new PadesDocumentSigner(ds, clock, configuredSigningMaterials(ds, config), AppearanceFonts.load(timesNewRomanDir ?? config.documentFontDir), config.civilTimeZone);
}

/**
 * Issuing official documents: numbering, the pipeline, the document store, registers (XLSX and
 * PDF) and store verification. Needs ConfigModule (AppConfig, Clock) and the database.
 */
@Module({})
export class IssuingModule {
  static forRoot(options: IssuingModuleOptions = {}): DynamicModule {
    return {
      module: IssuingModule,
      imports: [DocumentsModule.forRoot(options.documents), AuditModule],
      providers: [
        { provide: NumberingService, inject: [DataSource, Clock, AppConfig], useFactory: (ds: DataSource, clock: Clock, config: AppConfig) => new NumberingService(ds, clock, { zone: config.civilTimeZone }) },
        { provide: IssuedDocuments, inject: [DataSource, Clock], useFactory: (ds: DataSource, clock: Clock) => new IssuedDocuments(ds, clock) },
        { provide: DocumentStore, inject: [AppConfig, DataSource], useFactory: (config: AppConfig, ds: DataSource) => createDocumentStore(options.store ?? config.documentStore, config.runtimeDir, ds) },
        { provide: IssueRenderer, inject: [DocumentComposer], useFactory: (composer: DocumentComposer) => new ComposerIssueRenderer(composer, options.documents?.templatesDir ?? defaultTemplatesDir()) },
        {
          provide: IssuePipeline,
          inject: [DataSource, Clock, AppConfig, NumberingService, IssueRenderer, DocumentStore],
          useFactory: (ds: DataSource, clock: Clock, config: AppConfig, numbering: NumberingService, renderer: IssueRenderer, store: DocumentStore) =>
            new IssuePipeline(ds, clock, numbering, renderer, store, {
              zone: config.civilTimeZone,
              signer: options.signer === undefined ? configuredSigner(ds, clock, config, options.documents?.timesNewRomanDir) : (options.signer ?? undefined),
              maxAttempts: options.maxAttempts,
            }),
        },
        { provide: RegistersService, inject: [DataSource, Clock, AppConfig], useFactory: (ds: DataSource, clock: Clock, config: AppConfig) => new RegistersService(ds, clock, { zone: config.civilTimeZone }) },
        {
          provide: RegisterPdf,
          inject: [PdfRenderer, AppConfig],
          useFactory: (renderer: PdfRenderer, config: AppConfig) => new RegisterPdf(registerCatalogue(loadDocumentFont(options.documents?.timesNewRomanDir ?? config.documentFontDir), config.civilTimeZone), renderer),
        },
        {
          provide: DeferredSigningService,
          inject: [DataSource, Clock, IssuePipeline, AppConfig, { token: AuditTrail, optional: true }],
          useFactory: (ds: DataSource, clock: Clock, pipeline: IssuePipeline, config: AppConfig, audit?: AuditTrail) => new DeferredSigningService(ds, clock, pipeline, config.signing.trustAnchors, audit),
        },
        { provide: StoreVerifier, inject: [DataSource, DocumentStore], useFactory: (ds: DataSource, store: DocumentStore) => new StoreVerifier(ds, store) },
      ],
      // Re-exports the documents module: a single Chromium serves issuing and draft previews.
      exports: [DocumentsModule, NumberingService, IssuedDocuments, DocumentStore, IssueRenderer, IssuePipeline, RegistersService, RegisterPdf, StoreVerifier, DeferredSigningService],
    };
  }
}
