// The start-up workload: loads express, pg, sequelize and lodash (CommonJS, through require)
// and builds an app, then exits. Timed by bench/startup.mjs.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const express = require('express');
const pg = require('pg');
const { Sequelize, DataTypes } = require('sequelize');
const _ = require('lodash');

const app = express();
app.get('/users/:id', (req, res) => res.send(`user ${_.escape(req.params.id)}`));
const sequelize = new Sequelize('postgres://postgres@127.0.0.1:5432/test', {
  logging: false,
  dialectModule: pg,
});
sequelize.define('User', { name: DataTypes.STRING });
process.stdout.write(
  `${typeof app.listen} ${Object.keys(sequelize.models).join(',')} ${_.kebabCase('startUp done')}\n`,
);
