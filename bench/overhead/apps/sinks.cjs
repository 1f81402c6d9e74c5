// Workload "sinks": every endpoint passes request data to a vulnerable sink on every request.
// After the first request of each kind the findings are duplicates (same type, same place), so
// this measures the cost of checking sinks, not of reporting. The sinks: SQL built by
// concatenation (pg), a file path from the query string (fs), direct eval of a parameter, an
// MD5 digest and Math.random for a session token, a session cookie without flags, and HTML
// pages without X-Content-Type-Options.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const express = require('express');
const { Pool } = require('pg');

const pool = new Pool({
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? 'postgres',
  database: process.env.PGDATABASE ?? 'test',
  max: 10,
});
const publicDir = path.join(__dirname, 'public');

const app = express();
app.use(express.json());

app.get('/report', async (req, res, next) => {
  try {
    const sort = req.query.sort ?? 'id';
    const country = req.query.country ?? 'FR';
    const { rows } = await pool.query(
      `SELECT id, name, country FROM sluice_bench_users WHERE country = '${country}' ORDER BY ${sort} LIMIT 10`,
    );
    res.type('html').send(`<ul>${rows.map((r) => `<li>${r.id} ${r.name}</li>`).join('')}</ul>`);
  } catch (err) {
    next(err);
  }
});

app.get('/files', (req, res, next) => {
  fs.readFile(path.join(publicDir, String(req.query.name)), 'utf8', (err, text) => {
    if (err) return next(err);
    res.type('text').send(text);
  });
});

app.get('/calc', (req, res) => {
  // A "formula" feature: the classic code injection.
  // biome-ignore lint/security/noGlobalEval: the code injection this workload exercises
  const result = eval(String(req.query.expr));
  res.json({ expr: req.query.expr, result });
});

app.post('/session', (req, res) => {
  const user = String(req.body.user ?? 'guest');
  const token = crypto.createHash('md5').update(`${user}:${Math.random()}`).digest('hex');
  res.cookie('session', token);
  res.json({ user, token: token.slice(0, 8) });
});

app.use((err, _req, res, _next) => {
  res.status(500).json({ error: err.message });
});

module.exports = app;
if (require.main === module) require('./harness.cjs')(app);
