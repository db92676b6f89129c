// The signer's page (docs/signing.md, deferred signer): the documents waiting for my signature made
// with a USB token or a remote signing service. For each: the prepared PDF to read, the digest (for a
// service that returns a CMS) and the signed attributes (for a token that returns a raw signature) as
// small files and as hex, and a form that sends the signature file back to /api/signatures/{id}.
import { announce, api, ApiError, el, formatDateTime, runPage, signedIn } from './app.js';

/** DER of the CMS SignedData content type (1.2.840.113549.1.7.2): a .p7s starts with it within its first bytes. */
const SIGNED_DATA_OID = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];

const bytesOf = (base64) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
const hexOf = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
/** Hex in groups of 4 bytes, so it can be read aloud and compared with what the token shows. */
const groupedHex = (bytes) => hexOf(bytes).replace(/(.{8})(?=.)/g, '$1 ');

function base64Of(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** A signature file as bytes: DER as it is; PEM ("-----BEGIN PKCS7-----", "CMS", "SIGNATURE") or a bare base64 text decoded. */
function signatureBytes(raw) {
  const text = new TextDecoder('latin1').decode(raw).trim();
  const pem = /-----BEGIN [A-Z0-9 ]+-----([\s\S]+?)-----END [A-Z0-9 ]+-----/.exec(text);
  const body = (pem ? pem[1] : text).replace(/\s+/g, '');
  if (body.length >= 16 && body.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
    try {
      return bytesOf(body);
    } catch {
      /* not base64 after all: the bytes as they are */
    }
  }
  return raw;
}

/** A CMS SignedData carries its content type in its first bytes; a raw RSA/ECDSA signature does not. */
function looksLikeCms(bytes) {
  if (bytes[0] !== 0x30) return false;
  const head = bytes.subarray(0, 24);
  for (let i = 0; i + SIGNED_DATA_OID.length <= head.length; i++) if (SIGNED_DATA_OID.every((b, j) => head[i + j] === b)) return true;
  return false;
}

/** A file name from the document's symbol ("12/BC-UBND" → "12-BC-UBND"). */
const fileStem = (item) => (item.symbol || item.documentId).replace(/[^\p{L}\p{N}-]+/gu, '-');

runPage(async () => {
  await signedIn();
  const content = document.getElementById('content');
  const items = await api('GET', '/api/signatures');
  const list = el('ul', { id: 'signature-list', class: 'signature-list', 'aria-labelledby': 'page-title' });
  const empty = el('p', { id: 'signatures-none' }, 'Không có văn bản nào đang chờ bạn ký số.');
  // The list carries what GET /api/signatures/{id} does (digest, signed attributes): one request.
  for (const item of items) list.append(card(item));
  content.replaceChildren(items.length === 0 ? empty : list);

  function card(item) {
    const id = item.documentId;
    const stem = fileStem(item);
    const digest = bytesOf(item.digest);
    const attributes = bytesOf(item.signedAttributes);
    const blobLink = (bytes, name, text, linkId) => el('a', { id: linkId, class: 'button secondary', href: URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' })), download: name }, text);
    const title = `${item.symbol ? `Số ${item.symbol}: ` : ''}${item.subject}`;
    const fileInput = el('input', { id: `file-${id}`, name: 'signature-file', type: 'file', accept: '.p7s,.p7m,.cms,.pem,.sig,.bin,application/pkcs7-signature', required: true, 'aria-describedby': `file-hint-${id} file-error-${id}` });
    const error = el('p', { id: `file-error-${id}`, class: 'field-error', role: 'alert' });
    const kindRadio = (value, label, checked) =>
      el('div', { class: 'check' }, el('input', { id: `kind-${value}-${id}`, type: 'radio', name: `kind-${id}`, value, checked }), el('label', { for: `kind-${value}-${id}` }, label));
    const submitButton = el('button', { type: 'submit' }, 'Gửi chữ ký');
    const form = el(
      'form',
      { id: `sign-form-${id}`, class: 'sign-form', novalidate: true, onsubmit: (event) => { event.preventDefault(); send(); } },
      el(
        'div',
        { class: 'field' },
        el('label', { for: `file-${id}` }, 'Tệp chữ ký do USB token / dịch vụ ký tạo ra'),
        fileInput,
        el('p', { id: `file-hint-${id}`, class: 'hint' }, 'Tệp .p7s (CMS/PKCS#7, dạng nhị phân hoặc PEM), hoặc chữ ký thô trên thuộc tính ký.'),
        error,
      ),
      el('fieldset', {}, el('legend', {}, 'Loại tệp'), kindRadio('cms', 'CMS / PKCS#7 (.p7s) ký trên mã băm', true), kindRadio('signature', 'Chữ ký thô (RSA/ECDSA) trên thuộc tính ký', false)),
      submitButton,
    );
    // Pick the kind from what the file holds; the person can still change it.
    fileInput.addEventListener('change', async () => {
      clearError();
      const file = fileInput.files[0];
      if (!file) return;
      const bytes = signatureBytes(new Uint8Array(await file.arrayBuffer()));
      form.elements[`kind-${id}`].value = looksLikeCms(bytes) ? 'cms' : 'signature';
    });

    const node = el(
      'li',
      { class: 'panel', 'data-document': id, 'aria-labelledby': `title-${id}` },
      el('h2', { id: `title-${id}` }, title),
      el('p', {}, `Chờ ký từ ${formatDateTime(item.createdAt)}. Chứng thư số phải dùng: `, el('code', { class: 'hex', title: 'SHA-256 của chứng thư số đã đăng ký' }, `${item.certificateSha256.slice(0, 16)}…`)),
      el(
        'div',
        { class: 'actions' },
        el('a', { id: `pdf-${id}`, class: 'button secondary', href: `/api/signatures/${encodeURIComponent(id)}/pdf`, download: `${stem}.pdf` }, 'Tải văn bản (PDF)'),
        blobLink(digest, `${stem}.sha256.bin`, 'Tải mã băm để ký', `digest-${id}`),
        blobLink(attributes, `${stem}.signed-attributes.der`, 'Tải thuộc tính ký', `attributes-${id}`),
      ),
      el('dl', { class: 'hex-list' }, el('dt', {}, 'Mã băm SHA-256 của văn bản'), el('dd', {}, el('code', { id: `digest-hex-${id}`, class: 'hex' }, groupedHex(digest))), el('dt', {}, 'Thuộc tính ký (DER)'), el('dd', {}, el('details', {}, el('summary', {}, `${attributes.length} byte`), el('code', { class: 'hex' }, groupedHex(attributes))))),
      form,
    );
    return node;

    function clearError() {
      fileInput.removeAttribute('aria-invalid');
      error.textContent = '';
    }
    function showError(message) {
      fileInput.setAttribute('aria-invalid', 'true');
      error.textContent = message;
      fileInput.focus();
    }

    async function send() {
      clearError();
      const file = fileInput.files[0];
      if (!file) return showError('Chọn tệp chữ ký.');
      const kind = form.elements[`kind-${id}`].value === 'signature' ? 'signature' : 'cms';
      const bytes = signatureBytes(new Uint8Array(await file.arrayBuffer()));
      if (bytes.length === 0) return showError('Tệp chữ ký trống.');
      submitButton.disabled = true;
      try {
        const issued = await api('POST', `/api/signatures/${encodeURIComponent(id)}`, { [kind]: base64Of(bytes) });
        for (const link of node.querySelectorAll('a[href^="blob:"]')) URL.revokeObjectURL(link.href);
        node.remove();
        if (!list.querySelector('li')) list.replaceWith(empty);
        announce(`Đã nhận chữ ký. Văn bản ${issued.symbol || title} ${issued.state === 'issued' ? 'đã được ban hành' : 'đang được xử lý'}.`, 'ok');
      } catch (problem) {
        if (problem instanceof ApiError && (problem.status === 422 || problem.status === 400)) {
          showError(problem.fields.length > 0 ? problem.fields.map((f) => f.message).join(' ') : problem.message);
        } else announce(problem instanceof ApiError ? problem.message : 'Không gửi được chữ ký. Hãy thử lại.', 'error');
      } finally {
        submitButton.disabled = false;
      }
    }
  }
});
