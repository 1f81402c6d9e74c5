// Workload "startup": a larger application's start-up. It mounts the four other workload apps,
// defines Sequelize models over pg, and loads lodash, then listens: the time measured is from
// spawning node to the PORT line (module loading, the agent's hooks and the rewriter's work).
const express = require('express');
const _ = require('lodash');
const pg = require('pg');
const { Sequelize, DataTypes } = require('sequelize');

const sequelize = new Sequelize('postgres://postgres@127.0.0.1:5432/test', {
  logging: false,
  dialectModule: pg,
});
const User = sequelize.define('User', {
  name: DataTypes.STRING,
  email: DataTypes.STRING,
  country: DataTypes.STRING,
});
const Order = sequelize.define('Order', {
  sku: DataTypes.STRING,
  qty: DataTypes.INTEGER,
  note: DataTypes.TEXT,
});
User.hasMany(Order);
Order.belongsTo(User);

const app = express();
app.use('/shop', require('./pages.cjs'));
app.use('/v1', require('./api-pg.cjs'));
app.use('/legacy', require('./sinks.cjs'));
app.use('/text', require('./strings.cjs'));
app.get('/health', (_req, res) => res.json({ ok: true, models: _.keys(sequelize.models).map(_.kebabCase) }));

module.exports = app;
if (require.main === module) require('./harness.cjs')(app);
