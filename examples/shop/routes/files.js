'use strict';
// Invoice downloads.
const fs = require('node:fs');
const path = require('node:path');
const containment = require('../lib/containment');

module.exports = ({ vulnerable, safe, shop }) => {
  const dir = path.join(shop.dataDir, 'invoices');

  // FLAW (PATH_TRAVERSAL): the file name from the query becomes part of a file path.
  vulnerable.get('/invoices/download', (req, res, next) => {
    const file = String(req.query.file ?? '');
    containment.plainFileName(file);
    fs.readFile(path.join(dir, file), 'utf8', (err, text) => {
      if (err) return next(err.code === 'ENOENT' ? Object.assign(err, { status: 404 }) : err);
      res.type('text/plain').send(text);
    });
  });
  // SAFE TWIN: the request names an invoice number; the path is built from that number only.
  safe.get('/invoices/:id', (req, res, next) => {
    const id = Number.parseInt(req.params.id, 10);
    if (!Number.isSafeInteger(id)) return res.status(400).json({ error: 'invoice number expected' });
    fs.readFile(path.join(dir, `invoice-${id}.txt`), 'utf8', (err, text) => {
      if (err)
        return next(
          err.code === 'ENOENT'
            ? Object.assign(new Error(`invoice ${id} not found`), { status: 404, expose: true })
            : err,
        );
      res.type('text/plain').send(text);
    });
  });
};
