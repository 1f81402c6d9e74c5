'use strict';
// Starts the demo shop on the loopback interface only: it is deliberately vulnerable.
//   SHOP_PORT=3000 node server.js          (SHOP_PORT=0 picks a free port)
const { createShop } = require('./app');

const HOST = '127.0.0.1';
const raw = process.env.SHOP_PORT ?? '3000';
const requested = Number(raw);
if (!/^\d+$/.test(raw) || requested > 65535) {
  console.error(`shop: SHOP_PORT must be a port number (0-65535), not "${raw}"`);
  process.exit(2);
}

let port = requested;
const { app } = createShop({ port: () => port });
const server = app.listen(requested, HOST, () => {
  port = server.address().port;
  console.log(`shop listening on http://${HOST}:${port}`);
});
server.on('error', (err) => {
  if (err.code === 'EADDRINUSE')
    console.error(
      `shop: port ${requested} on ${HOST} is already in use; set SHOP_PORT to another port (0 = any free port)`,
    );
  else console.error(`shop: cannot listen: ${err.message}`);
  process.exit(1);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
