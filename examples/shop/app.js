'use strict';
// The Sluice demo shop: a small express 4 application with a deliberate flaw of every type
// Sluice finds. Each flaw lives in a route mounted at `/`; its safe twin (same feature, done
// right) is mounted at the same path under `/safe`. docs/demo.md lists them all.
const path = require('node:path');
const express = require('express');
const cookieParser = require('cookie-parser');
const { openDatabase } = require('./lib/db');
const { page, escapeHtml } = require('./lib/html');

const ROUTES = ['catalog', 'account', 'orders', 'files', 'admin', 'media'];

function createShop(options = {}) {
  const db = options.db ?? openDatabase();
  const shop = {
    db,
    dataDir: path.join(__dirname, 'data'),
    // The port the server listens on, known once it listens (the image proxy fetches from it).
    port: () => options.port?.() ?? 0,
  };
  const app = express();
  app.disable('x-powered-by');
  // Containment for the whole demo: pages may never run scripts, so reflected markup stays inert.
  app.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', "script-src 'none'; object-src 'none'");
    next();
  });
  app.use(express.urlencoded({ extended: false }));
  app.use(express.json());
  app.use(cookieParser());
  app.use('/static', express.static(path.join(__dirname, 'public')));

  const vulnerable = express.Router();
  const safe = express.Router();
  // SAFE TWIN of HSTS_HEADER_MISSING and XCONTENTTYPE_HEADER_MISSING: every /safe page says
  // how browsers must treat it. The vulnerable pages omit both headers.
  safe.use((_req, res, next) => {
    res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  for (const name of ROUTES) require(`./routes/${name}`)({ vulnerable, safe, shop });

  vulnerable.get('/', (_req, res) => {
    const products = db.prepare('SELECT id, name, price FROM products ORDER BY id').all();
    res
      .type('html')
      .send(
        page(
          'Welcome',
          `<h1>Sluice demo shop</h1><ul>${products
            .map(
              (p) => `<li><a href="/products/${p.id}">${escapeHtml(p.name)}</a> ${p.price.toFixed(2)} €</li>`,
            )
            .join('')}</ul><form action="/search"><input name="q"><button>Search</button></form>`,
        ),
      );
  });

  // Each router ends with its own error handler, so errors of /safe routes never reach the
  // vulnerable one (STACKTRACE_LEAK and its twin, routes/errors.js).
  const errors = require('./routes/errors');
  safe.use(errors.safeErrorHandler);
  vulnerable.use(errors.vulnerableErrorHandler);
  app.use('/safe', safe);
  app.use('/', vulnerable);
  return { app, shop };
}

module.exports = { createShop };
