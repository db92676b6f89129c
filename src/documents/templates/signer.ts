/**
 * The signer block (Decree 30/2020 component 7a): who signs and in what capacity.
 * - no prefix: the head signs for himself ("GIÁM ĐỐC");
 * - KT. (deputy for the head), TL. (by order), TUQ. (by authorisation): "KT. GIÁM ĐỐC" over the
 *   signer's own title ("PHÓ GIÁM ĐỐC");
 * - Q. (acting): "Q. GIÁM ĐỐC" — the acting person holds the head's title;
 * - TM. (on behalf of a collective body) goes above all of these: "TM. ỦY BAN NHÂN DÂN".
 */
export type AuthorityPrefix = 'KT.' | 'TL.' | 'TUQ.' | 'Q.';

export interface Signer {
  /** Collective body the document is signed on behalf of (TM.), e.g. "ỦY BAN NHÂN DÂN". */
  onBehalfOf?: string;
  prefix?: AuthorityPrefix;
  /** Title of the head the signer acts for (KT./TL./TUQ.), e.g. "CHỦ TỊCH". */
  headTitle?: string;
  /** The signer's own title, e.g. "PHÓ CHỦ TỊCH"; for Q. the acting title ("GIÁM ĐỐC"). */
  title: string;
  /** Full name, without academic titles. */
  name: string;
}

const PREFIXES: readonly string[] = ['KT.', 'TL.', 'TUQ.', 'Q.'];

export class SignerBlockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignerBlockError';
  }
}

/** The lines above the signature, in capitals, top to bottom. */
export function signerAuthorityLines(signer: Signer): string[] {
  if (!signer || typeof signer !== 'object') throw new SignerBlockError('signer is required ({ prefix?, headTitle?, title, name })');
  if (typeof signer.title !== 'string' || signer.title.trim() === '') throw new SignerBlockError('signer.title is required');
  const upper = (text: string) => text.trim().toLocaleUpperCase('vi');
  const lines: string[] = [];
  if (signer.onBehalfOf) lines.push(`TM. ${upper(signer.onBehalfOf)}`);
  if (signer.prefix === undefined) {
    if (signer.headTitle) throw new SignerBlockError('signer.headTitle needs an authority prefix (KT., TL. or TUQ.)');
    lines.push(upper(signer.title));
  } else if (!PREFIXES.includes(signer.prefix)) {
    throw new SignerBlockError(`signer.prefix "${signer.prefix}" is not one of ${PREFIXES.join(' ')} (TM. is given by signer.onBehalfOf)`);
  } else if (signer.prefix === 'Q.') {
    lines.push(`Q. ${upper(signer.title)}`);
  } else {
    if (!signer.headTitle) throw new SignerBlockError(`signer.headTitle is required with ${signer.prefix} (the title of the head signed for)`);
    lines.push(`${signer.prefix} ${upper(signer.headTitle)}`, upper(signer.title));
  }
  return lines;
}
