'use strict';
// The back-office "ping": resolves a host name and prints its address. Portable (no system
// ping binary needed) and harmless; the demo runs it through a shell on purpose (routes/admin.js).
const dns = require('node:dns');

const host = process.argv[2] ?? '';
dns.lookup(host, (err, address) => {
  if (err) {
    process.stdout.write(`${host}: unknown host\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`${host} is alive at ${address}\n`);
});
