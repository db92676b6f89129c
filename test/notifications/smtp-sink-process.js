// A real SMTP server (the smtp-server package) in its own process, for the notification tests.
// Usage: node test/notifications/smtp-sink-process.js <folder> [accept-delay-ms]
// Listens on a free loopback port, prints {"port": N} on its first line, writes every message it
// accepts, byte for byte, to <folder>/<n>.eml with the envelope in <folder>/<n>.json. Recipients
// whose local part starts with "refused" get a permanent 550; "tempfail" a temporary 451 on their
// first attempt (per address), then acceptance. With accept-delay-ms, every message is answered
// (and written) only that long after its data arrived: a slow relay, which keeps a sender's send open.
'use strict';
const { SMTPServer } = require('smtp-server');
const { writeFileSync, renameSync } = require('node:fs');
const { join } = require('node:path');

const folder = process.argv[2];
const acceptDelayMs = Number(process.argv[3] ?? 0);
const tempFailed = new Set();
let count = 0;

const server = new SMTPServer({
  disabledCommands: ['STARTTLS', 'AUTH'],
  authOptional: true,
  logger: false,
  onRcptTo(address, _session, callback) {
    const local = address.address.split('@')[0];
    if (local.startsWith('refused')) return callback(Object.assign(new Error('5.1.1 No such mailbox'), { responseCode: 550 }));
    if (local.startsWith('tempfail') && !tempFailed.has(address.address)) {
      tempFailed.add(address.address);
      return callback(Object.assign(new Error('4.2.0 Try again later'), { responseCode: 451 }));
    }
    callback();
  },
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => setTimeout(() => {
      const n = ++count;
      const envelope = { from: session.envelope.mailFrom.address, to: session.envelope.rcptTo.map((r) => r.address) };
      // Written under a temporary name and renamed: a reader never sees half a message.
      writeFileSync(join(folder, `${n}.json.tmp`), JSON.stringify(envelope));
      writeFileSync(join(folder, `${n}.eml.tmp`), Buffer.concat(chunks));
      renameSync(join(folder, `${n}.eml.tmp`), join(folder, `${n}.eml`));
      renameSync(join(folder, `${n}.json.tmp`), join(folder, `${n}.json`));
      callback(null, `queued as ${n}`);
    }, acceptDelayMs));
  },
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.server.address().port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
