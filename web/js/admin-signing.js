// Administrators: signing certificates and signature / seal images (docs/signing.md). A section of its
// own under the administrator's page, over /api/admin/signing: a unit's PKCS#12 and seal, a person's
// PKCS#12 (the server signs) or certificate alone (they sign with a USB token or a remote service) and
// signature image; the list shows subject, issuer, validity and fingerprint, never a key or a passphrase.
import { announce, api, ApiError, compareVietnamese, el, formatDate, param, signedIn } from './app.js';

const MODE_LABELS = { server: 'Ký trên máy chủ (PKCS#12)', deferred: 'Ký bằng USB token / dịch vụ ký từ xa' };

/** A file's bytes as base64, for the JSON bodies of the API. */
async function base64Of(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

async function main() {
  const me = await signedIn();
  const administered = me.roles.filter((r) => r.role === 'administrator');
  if (administered.length === 0) return;
  const chosen = administered.find((r) => String(r.unitId) === param('unitId')) ?? administered[0];
  const overview = await api('GET', `/api/admin/overview?unitId=${chosen.unitId}`);
  const units = [...overview.units].sort((a, b) => compareVietnamese(a.name, b.name));
  const section = el('section', { id: 'signing-admin', 'aria-labelledby': 'signing-title' });
  document.getElementById('main').append(section);

  let unitId = Number(param('signingUnitId')) || chosen.unitId;
  await render();

  async function render() {
    const credentials = await api('GET', `/api/admin/signing/credentials?unitId=${unitId}`);
    section.replaceChildren(
      el('h2', { id: 'signing-title' }, 'Chữ ký số: chứng thư số, ảnh chữ ký và con dấu'),
      el(
        'form',
        { class: 'filters', onsubmit: async (event) => { event.preventDefault(); unitId = Number(event.target.elements['signing-unit'].value); await render(); } },
        el('div', { class: 'field' }, el('label', { for: 'signing-unit' }, 'Đơn vị'), el('select', { id: 'signing-unit', name: 'signing-unit' }, units.map((u) => el('option', { value: u.id, selected: u.id === unitId }, u.name)))),
        el('button', { type: 'submit', class: 'secondary' }, 'Xem'),
      ),
      credentialsTable(credentials),
      unitForm(),
      personForm(),
    );
  }

  function credentialsTable(credentials) {
    if (credentials.length === 0) return el('p', { id: 'signing-none' }, 'Đơn vị này và những người của đơn vị chưa có chứng thư số nào.');
    return el(
      'div',
      { class: 'table-wrap' },
      el(
        'table',
        { id: 'signing-credentials' },
        el('caption', { class: 'sr-only' }, 'Chứng thư số của đơn vị và những người của đơn vị'),
        el('thead', {}, el('tr', {}, ['Của', 'Cách ký', 'Chứng thư số', 'Tổ chức cấp', 'Hiệu lực', 'Dấu vân tay (SHA-256)', 'Ảnh', ''].map((h) => el('th', { scope: 'col' }, h)))),
        el(
          'tbody',
          {},
          credentials.map((c) =>
            el(
              'tr',
              { 'data-owner': c.ownerKey },
              el('td', {}, c.ownerKind === 'unit' ? `Đơn vị: ${c.ownerName}` : c.ownerName),
              el('td', {}, MODE_LABELS[c.mode] || c.mode),
              el('td', {}, c.subject),
              el('td', {}, c.issuer),
              el('td', {}, `${formatDate(c.notBefore)} – ${formatDate(c.notAfter)}`),
              el('td', {}, el('code', { title: c.fingerprint }, `${c.fingerprint.slice(0, 16)}…`)),
              el('td', {}, c.hasImage ? (c.ownerKind === 'unit' ? `Có (đường kính ${c.sealDiameterMm ?? 36} mm)` : 'Có') : 'Chưa có'),
              el('td', {}, el('button', { type: 'button', class: 'secondary', onclick: () => remove(c) }, 'Gỡ')),
            ),
          ),
        ),
      ),
    );
  }

  async function remove(credential) {
    if (!confirm(`Gỡ chứng thư số và ảnh của ${credential.ownerName}? Văn bản cần chữ ký này sẽ phải chờ đến khi có chứng thư mới.`)) return;
    const path = credential.ownerKind === 'unit' ? `/api/admin/signing/units/${credential.ownerId}` : `/api/admin/signing/people/${credential.ownerId}`;
    await submit(() => api('DELETE', path), `Đã gỡ chứng thư số của ${credential.ownerName}.`);
  }

  /** Runs a change, announces the outcome, and shows the list again. */
  async function submit(work, done) {
    try {
      await work();
      await render();
      announce(done, 'ok');
    } catch (error) {
      announce(error instanceof ApiError ? error.message : 'Không thực hiện được. Hãy thử lại.', 'error');
    }
  }

  function fileField(id, label, accept, hint) {
    return el('div', { class: 'field' }, el('label', { for: id }, label), el('input', { id, name: id, type: 'file', accept }), hint ? el('p', { class: 'hint' }, hint) : '');
  }

  function unitForm() {
    return el(
      'form',
      {
        id: 'signing-unit-form',
        novalidate: true,
        onsubmit: async (event) => {
          event.preventDefault();
          const form = event.target.elements;
          const p12 = form['unit-p12'].files[0];
          const seal = form['unit-seal'].files[0];
          if (!p12 && !seal) return announce('Chọn tệp PKCS#12 hoặc ảnh con dấu.', 'error');
          await submit(async () => {
            if (p12) await api('PUT', `/api/admin/signing/units/${unitId}/certificate`, { pkcs12: await base64Of(p12), passphrase: form['unit-passphrase'].value });
            if (seal) await api('PUT', `/api/admin/signing/units/${unitId}/seal`, { png: await base64Of(seal), diameterMm: Number(form['unit-seal-mm'].value) });
          }, 'Đã lưu chứng thư số và con dấu của đơn vị.');
        },
      },
      el('h3', {}, 'Chữ ký của đơn vị'),
      fileField('unit-p12', 'Tệp PKCS#12 (.p12, .pfx)', '.p12,.pfx,application/x-pkcs12', 'Khóa của đơn vị ở trên máy chủ; mật khẩu được mã hóa khi lưu và không bao giờ hiển thị lại.'),
      el('div', { class: 'field' }, el('label', { for: 'unit-passphrase' }, 'Mật khẩu tệp PKCS#12'), el('input', { id: 'unit-passphrase', name: 'unit-passphrase', type: 'password', autocomplete: 'off' })),
      fileField('unit-seal', 'Ảnh con dấu (PNG nền trong suốt, màu đỏ)', 'image/png', 'Tối đa 64 KB.'),
      el('div', { class: 'field' }, el('label', { for: 'unit-seal-mm' }, 'Đường kính thật của con dấu (mm)'), el('input', { id: 'unit-seal-mm', name: 'unit-seal-mm', type: 'number', min: 20, max: 60, value: 36 })),
      el('button', { type: 'submit' }, 'Lưu chữ ký của đơn vị'),
    );
  }

  function personForm() {
    return el(
      'form',
      {
        id: 'signing-person-form',
        novalidate: true,
        onsubmit: async (event) => {
          event.preventDefault();
          const form = event.target.elements;
          const login = form['person-login'].value.trim();
          if (!login) return announce('Nhập tên đăng nhập của người ký.', 'error');
          const found = (await api('GET', `/api/admin/people?unitId=${unitId}&q=${encodeURIComponent(login)}`)).find((p) => p.login === login);
          if (!found) return announce(`Không tìm thấy người có tên đăng nhập ${login}.`, 'error');
          const key = form['person-key'].files[0];
          const image = form['person-image'].files[0];
          if (!key && !image) return announce('Chọn tệp chứng thư số hoặc ảnh chữ ký.', 'error');
          await submit(async () => {
            if (key) {
              const isP12 = /\.(p12|pfx)$/i.test(key.name);
              const body = isP12 ? { pkcs12: await base64Of(key), passphrase: form['person-passphrase'].value } : { certificate: /\.pem$|\.crt$/i.test(key.name) ? await key.text() : await base64Of(key) };
              await api('PUT', `/api/admin/signing/people/${found.id}/certificate`, body);
            }
            if (image) await api('PUT', `/api/admin/signing/people/${found.id}/signature-image`, { png: await base64Of(image) });
          }, `Đã lưu chữ ký số của ${found.fullName}.`);
        },
      },
      el('h3', {}, 'Chữ ký của người ký'),
      el('div', { class: 'field' }, el('label', { for: 'person-login' }, 'Tên đăng nhập'), el('input', { id: 'person-login', name: 'person-login', type: 'text', autocomplete: 'off' })),
      fileField('person-key', 'Tệp PKCS#12 (ký trên máy chủ) hoặc chứng thư số .cer/.pem (ký bằng USB token)', '.p12,.pfx,.cer,.crt,.pem,.der', 'Với chứng thư số, văn bản chờ người ký ký số trong mục “Ký số báo cáo”.'),
      el('div', { class: 'field' }, el('label', { for: 'person-passphrase' }, 'Mật khẩu tệp PKCS#12 (nếu có)'), el('input', { id: 'person-passphrase', name: 'person-passphrase', type: 'password', autocomplete: 'off' })),
      fileField('person-image', 'Ảnh chữ ký (PNG nền trong suốt, màu xanh)', 'image/png', 'Tối đa 64 KB.'),
      el('button', { type: 'submit' }, 'Lưu chữ ký của người ký'),
    );
  }
}

main().catch((error) => {
  if (!(error instanceof ApiError)) console.error(error);
});
