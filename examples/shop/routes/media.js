'use strict';
// The image proxy: product pictures are fetched server-side and streamed to the browser.
const http = require('node:http');
const containment = require('../lib/containment');

module.exports = ({ vulnerable, safe, shop }) => {
  const relay = (url, res, next) => {
    const out = http.get(url, { timeout: 5000 }, (upstream) => {
      res.status(upstream.statusCode ?? 502);
      res.type(upstream.headers['content-type'] ?? 'application/octet-stream');
      upstream.pipe(res);
    });
    out.on('timeout', () => out.destroy(new Error('image server timed out')));
    out.on('error', next);
  };

  // FLAW (SSRF): the server fetches whatever URL the query names.
  vulnerable.get('/images/proxy', (req, res, next) => {
    const url = String(req.query.url ?? '');
    containment.ownOrigin(url, shop.port());
    relay(url, res, next);
  });
  // SAFE TWIN: the image server is fixed; the request only names a picture in it.
  safe.get('/images/proxy', (req, res, next) => {
    const name = String(req.query.name ?? '');
    if (!/^[\w-]{1,64}\.(?:svg|png|jpg)$/.test(name))
      return res.status(400).json({ error: 'image name expected' });
    relay(`http://127.0.0.1:${shop.port()}/static/${encodeURIComponent(name)}`, res, next);
  });
};
