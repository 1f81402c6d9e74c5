'use strict';
// Products: the catalogue API, the search page and the product page.
const { page, escapeHtml } = require('../lib/html');
const { NotFound } = require('./errors');

module.exports = ({ vulnerable, safe, shop }) => {
  const { db } = shop;

  // FLAW (SQL_INJECTION): the search text is pasted into the SQL statement.
  vulnerable.get('/api/products/search', (req, res) => {
    const q = String(req.query.q ?? '');
    const rows = db
      .prepare(`SELECT id, name, price FROM products WHERE name LIKE '%${q}%' ORDER BY id`)
      .all();
    res.json(rows);
  });
  // SAFE TWIN: the statement is constant and the text is a bound parameter.
  safe.get('/api/products/search', (req, res) => {
    const q = String(req.query.q ?? '');
    const rows = db
      .prepare("SELECT id, name, price FROM products WHERE name LIKE '%' || ? || '%' ORDER BY id")
      .all(q);
    res.json(rows);
  });

  const search = (q) =>
    db.prepare("SELECT id, name, price FROM products WHERE name LIKE '%' || ? || '%' ORDER BY id").all(q);
  const list = (rows) =>
    `<ul>${rows.map((p) => `<li>${escapeHtml(p.name)} ${p.price.toFixed(2)} €</li>`).join('')}</ul>`;

  // FLAW (XSS): the search text is written into the page as HTML, unescaped.
  vulnerable.get('/search', (req, res) => {
    const q = String(req.query.q ?? '');
    res.type('html').send(page('Search', `<h1>Results for ${q}</h1>${list(search(q))}`));
  });
  // SAFE TWIN: the search text is HTML-escaped before it joins the markup.
  safe.get('/search', (req, res) => {
    const q = String(req.query.q ?? '');
    res.type('html').send(page('Search', `<h1>Results for ${escapeHtml(q)}</h1>${list(search(q))}`));
  });

  // The product page: an unknown id throws, and the error handler of each router answers
  // (STACKTRACE_LEAK and its twin live in routes/errors.js).
  const product = (id) => {
    const row = db.prepare('SELECT id, name, description, price FROM products WHERE id = ?').get(Number(id));
    if (!row) throw new NotFound(`product ${Number(id)}`);
    return row;
  };
  vulnerable.get('/products/:id', (req, res) => {
    const p = product(req.params.id);
    res
      .type('html')
      .send(
        page(p.name, `<h1>${escapeHtml(p.name)}</h1><p>${escapeHtml(p.description)}</p><p>${p.price} €</p>`),
      );
  });
  safe.get('/products/:id', (req, res) => {
    res.json(product(req.params.id));
  });
};
