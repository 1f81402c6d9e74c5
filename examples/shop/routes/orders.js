'use strict';
// Orders, their export and receipts, coupons, and the cart saved in a cookie.
const crypto = require('node:crypto');
const serialize = require('node-serialize');
const containment = require('../lib/containment');
const { paymentApiKey, paymentApiKeyFromEnv } = require('../lib/secrets');
const { NotFound } = require('./errors');

const EXPORT_NAMES = { orders: 'orders', invoices: 'invoices', all: 'all-orders' };

module.exports = ({ vulnerable, safe, shop }) => {
  const { db } = shop;
  const order = (id) => {
    const row = db
      .prepare(
        `SELECT o.id, o.quantity, o.created_at AS createdAt, p.name AS product, p.price
         FROM orders o JOIN products p ON p.id = o.product_id WHERE o.id = ?`,
      )
      .get(Number(id));
    if (!row) throw new NotFound(`order ${Number(id)}`);
    return row;
  };

  // The payment provider's signature of an order: the vulnerable side signs with the key
  // written in the source (lib/secrets.js), the safe side with the key from the environment.
  const processKey = crypto.randomBytes(32);
  const sign = (key, id) => crypto.createHmac('sha256', key).update(String(id)).digest('hex');
  vulnerable.get('/orders/:id', (req, res) => {
    const o = order(req.params.id);
    res.json({ ...o, signature: sign(paymentApiKey, o.id) });
  });
  safe.get('/orders/:id', (req, res) => {
    const o = order(req.params.id);
    res.json({ ...o, signature: sign(paymentApiKeyFromEnv || processKey, o.id) });
  });

  const csv = () =>
    ['id,product,quantity,price']
      .concat(
        db
          .prepare(
            'SELECT o.id, p.name, o.quantity, p.price FROM orders o JOIN products p ON p.id = o.product_id',
          )
          .all()
          .map((r) => `${r.id},${r.name},${r.quantity},${r.price}`),
      )
      .join('\n');

  // FLAW (HEADER_INJECTION): the download's file name, from the query, goes into a header.
  vulnerable.get('/export/orders', (req, res) => {
    const name = String(req.query.filename ?? 'orders');
    res.setHeader('Content-Disposition', `attachment; filename="${name}.csv"`);
    res.type('text/csv').send(csv());
  });
  // SAFE TWIN: the query picks one of the shop's own file names.
  safe.get('/export/orders', (req, res) => {
    const name = EXPORT_NAMES[String(req.query.filename ?? 'orders')] ?? 'orders';
    res.setHeader('Content-Disposition', `attachment; filename="${name}.csv"`);
    res.type('text/csv').send(csv());
  });

  // FLAW (WEAK_CIPHER): the receipt reference is encrypted with triple DES.
  const desKey = crypto.randomBytes(24);
  vulnerable.get('/orders/:id/receipt', (req, res) => {
    const o = order(req.params.id);
    const iv = crypto.randomBytes(8);
    const cipher = crypto.createCipheriv('des-ede3-cbc', desKey, iv);
    const ref = Buffer.concat([cipher.update(`order:${o.id}`), cipher.final()]);
    res.json({ order: o.id, receipt: `${iv.toString('hex')}.${ref.toString('hex')}` });
  });
  // SAFE TWIN: AES-256-GCM (authenticated encryption).
  const aesKey = crypto.randomBytes(32);
  safe.get('/orders/:id/receipt', (req, res) => {
    const o = order(req.params.id);
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', aesKey, iv);
    const ref = Buffer.concat([cipher.update(`order:${o.id}`), cipher.final()]);
    res.json({
      order: o.id,
      receipt: `${iv.toString('hex')}.${ref.toString('hex')}.${cipher.getAuthTag().toString('hex')}`,
    });
  });

  // FLAW (WEAK_RANDOMNESS): coupon codes from Math.random can be predicted.
  vulnerable.get('/coupons/new', (_req, res) => {
    const code = Math.random().toString(36).slice(2, 10).toUpperCase();
    res.json({ code, discount: 10 });
  });
  // SAFE TWIN: coupon codes from the operating system's secure generator.
  safe.get('/coupons/new', (_req, res) => {
    res.json({ code: crypto.randomBytes(6).toString('hex').toUpperCase(), discount: 10 });
  });

  const summary = (cart) => {
    const items = Array.isArray(cart?.items) ? cart.items : [];
    return {
      items: items
        .map((i) => ({ id: Number(i.id), quantity: Number(i.quantity) }))
        .filter((i) => i.id > 0 && i.quantity > 0),
    };
  };
  // FLAW (UNTRUSTED_DESERIALIZATION): the cart cookie is decoded with node-serialize, which
  // can revive functions (and run them) from the text.
  vulnerable.get('/cart', (req, res) => {
    const text = Buffer.from(String(req.cookies.cart ?? ''), 'base64').toString('utf8');
    containment.noFunctions(text);
    res.json(summary(text ? serialize.unserialize(text) : {}));
  });
  // SAFE TWIN: the cart is plain JSON, parsed as data and validated field by field.
  safe.get('/cart', (req, res) => {
    const text = Buffer.from(String(req.cookies.cart ?? ''), 'base64').toString('utf8');
    let cart = {};
    try {
      cart = text ? JSON.parse(text) : {};
    } catch {
      cart = {};
    }
    res.json(summary(cart));
  });
};
