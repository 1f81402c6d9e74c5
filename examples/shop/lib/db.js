'use strict';
// The shop's database: an in-memory SQLite file seeded at start-up, so that every run of the
// demo starts from the same catalogue and nothing is written to disk.
const crypto = require('node:crypto');
const Database = require('better-sqlite3');
const { adminPassword } = require('./secrets');

const PRODUCTS = [
  ['Espresso cup', 'Porcelain, 90 ml', 'kitchen', 8.5],
  ['Coffee grinder', 'Conical burr, manual', 'kitchen', 49],
  ['French press', 'Glass and steel, 1 l', 'kitchen', 32],
  ['Desk lamp', 'LED, warm white', 'office', 27.9],
  ['Notebook', 'A5, dotted, 120 pages', 'office', 6.2],
  ['Fountain pen', 'Steel nib, medium', 'office', 24],
];

// Users carry a legacy MD5 column (used by the vulnerable login) and a scrypt one (used by
// its safe twin), as an application half-way through a password-hash migration would.
function hashes(password) {
  const salt = crypto.randomBytes(16).toString('hex');
  return {
    legacy: crypto.createHash('md5').update(password).digest('hex'),
    salt,
    scrypt: crypto.scryptSync(password, salt, 32).toString('hex'),
  };
}

function openDatabase() {
  const db = new Database(':memory:');
  db.exec(`
    CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL,
                           category TEXT NOT NULL, price REAL NOT NULL);
    CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT UNIQUE NOT NULL, display_name TEXT NOT NULL,
                        role TEXT NOT NULL, password_md5 TEXT NOT NULL, salt TEXT NOT NULL,
                        password_scrypt TEXT NOT NULL);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, product_id INTEGER NOT NULL,
                         quantity INTEGER NOT NULL, created_at TEXT NOT NULL);
  `);
  const addProduct = db.prepare(
    'INSERT INTO products (name, description, category, price) VALUES (?, ?, ?, ?)',
  );
  for (const p of PRODUCTS) addProduct.run(...p);
  const addUser = db.prepare(
    'INSERT INTO users (username, display_name, role, password_md5, salt, password_scrypt) VALUES (?, ?, ?, ?, ?, ?)',
  );
  for (const [username, displayName, role, password] of [
    ['alice', 'Alice Martin', 'customer', 'wonderland-42'],
    ['admin', 'Shop Admin', 'admin', adminPassword],
  ]) {
    const h = hashes(password);
    addUser.run(username, displayName, role, h.legacy, h.salt, h.scrypt);
  }
  const addOrder = db.prepare(
    "INSERT INTO orders (id, user_id, product_id, quantity, created_at) VALUES (?, 1, ?, ?, '2026-01-15T10:00:00Z')",
  );
  addOrder.run(1001, 2, 2);
  addOrder.run(1002, 3, 1);
  return db;
}

module.exports = { openDatabase };
