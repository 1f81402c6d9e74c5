// Workload "api-pg": a JSON API over PostgreSQL. Every value from the request (path
// parameters, query string, JSON body, headers) reaches the database only as a query
// parameter, so an IAST agent sees many sources and no vulnerability.
// Tables (created and filled by the driver): sluice_bench_users, sluice_bench_orders.
const express = require('express');
const { Pool } = require('pg');

const pool = new Pool({
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? 'postgres',
  database: process.env.PGDATABASE ?? 'test',
  max: 10,
});

const app = express();
app.use(express.json({ limit: '64kb' }));

function page(query) {
  const limit = Math.min(Math.max(Number.parseInt(query.limit ?? '20', 10) || 20, 1), 100);
  const offset = Math.max(Number.parseInt(query.offset ?? '0', 10) || 0, 0);
  return { limit, offset };
}

function publicUser(row) {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    country: row.country,
    since: row.created_at,
  };
}

const asyncRoute = (handler) => (req, res, next) => handler(req, res).catch(next);

app.get(
  '/api/users',
  asyncRoute(async (req, res) => {
    const { limit, offset } = page(req.query);
    const name = String(req.query.name ?? '').trim();
    const country = req.query.country ? String(req.query.country).toUpperCase() : null;
    const { rows } = await pool.query(
      `SELECT id, name, email, country, created_at FROM sluice_bench_users
        WHERE name ILIKE $1 AND ($2::text IS NULL OR country = $2)
        ORDER BY id LIMIT $3 OFFSET $4`,
      [`${name}%`, country, limit, offset],
    );
    res.json({ users: rows.map(publicUser), limit, offset, requestId: req.get('x-request-id') ?? null });
  }),
);

app.get(
  '/api/users/:id',
  asyncRoute(async (req, res) => {
    const id = Number.parseInt(req.params.id, 10);
    if (!Number.isFinite(id)) return res.status(400).json({ error: 'bad id' });
    const { rows } = await pool.query(
      'SELECT id, name, email, country, created_at FROM sluice_bench_users WHERE id = $1',
      [req.params.id],
    );
    if (rows.length === 0) return res.status(404).json({ error: 'not found' });
    res.json(publicUser(rows[0]));
  }),
);

app.get(
  '/api/users/:id/orders',
  asyncRoute(async (req, res) => {
    const { limit } = page(req.query);
    const { rows } = await pool.query(
      `SELECT o.id, o.sku, o.qty, o.note, o.created_at FROM sluice_bench_orders o
        WHERE o.user_id = $1 ORDER BY o.id DESC LIMIT $2`,
      [req.params.id, limit],
    );
    const total = rows.reduce((n, o) => n + o.qty, 0);
    res.json({ userId: Number(req.params.id), orders: rows, items: total });
  }),
);

app.post(
  '/api/orders',
  asyncRoute(async (req, res) => {
    const { userId, items, note } = req.body ?? {};
    if (!Array.isArray(items) || items.length === 0) return res.status(400).json({ error: 'no items' });
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const ids = [];
      for (const item of items.slice(0, 5)) {
        const { rows } = await client.query(
          `INSERT INTO sluice_bench_orders (user_id, sku, qty, note)
           VALUES ($1, $2, $3, $4) RETURNING id`,
          [userId, String(item.sku).trim(), Number(item.qty) || 1, note ? String(note).slice(0, 200) : null],
        );
        ids.push(rows[0].id);
      }
      await client.query('COMMIT');
      res.status(201).json({ created: ids, userAgent: req.get('user-agent') ?? 'unknown' });
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    } finally {
      client.release();
    }
  }),
);

app.use((_err, _req, res, _next) => {
  res.status(500).json({ error: 'internal error' });
});

module.exports = app;
if (require.main === module) require('./harness.cjs')(app);
