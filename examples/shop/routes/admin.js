'use strict';
// The back-office tools: a host "ping", a pricing-rule preview, the staff directory and the
// e-mail template preview.
const { exec, execFile } = require('node:child_process');
const path = require('node:path');
const ejs = require('ejs');
const ldap = require('ldapjs');
const containment = require('../lib/containment');

const PING = path.join(__dirname, '..', 'tools', 'ping.js');
// Nothing listens there: the demo has no directory server, and the query is built (and seen
// by Sluice) before the client gives up connecting.
const DIRECTORY_URL = process.env.SHOP_LDAP_URL ?? 'ldap://127.0.0.1:1';
const MAIL_TEMPLATE = '<p>Hello <%= customer %>,</p><p><%= note %></p>';

module.exports = ({ vulnerable, safe }) => {
  // FLAW (COMMAND_INJECTION): the host name is pasted into a shell command line.
  vulnerable.get('/admin/ping', (req, res, next) => {
    const host = String(req.query.host ?? '');
    containment.hostName(host);
    exec(`"${process.execPath}" "${PING}" ${host}`, { timeout: 5000 }, (err, stdout) => {
      if (err) return next(err);
      res.json({ result: stdout.trim() });
    });
  });
  // SAFE TWIN: no shell; the host name is one argument of a fixed program.
  safe.get('/admin/ping', (req, res, next) => {
    const host = String(req.query.host ?? '');
    if (!/^[A-Za-z0-9.-]{1,253}$/.test(host)) return res.status(400).json({ error: 'host name expected' });
    execFile(process.execPath, [PING, host], { timeout: 5000 }, (err, stdout) => {
      if (err) return next(err);
      res.json({ result: stdout.trim() });
    });
  });

  // FLAW (CODE_INJECTION): the pricing rule is JavaScript text evaluated with eval.
  vulnerable.post('/admin/pricing/preview', (req, res) => {
    const formula = String(req.body.formula ?? 'price');
    containment.arithmetic(formula);
    const price = Number(req.body.price ?? 100);
    // biome-ignore lint/security/noGlobalEval: the deliberate flaw of this endpoint
    const result = eval(formula);
    res.json({ price, result: Number(result) });
  });
  // SAFE TWIN: the rule is a percentage, parsed as a number; no code is evaluated.
  safe.post('/admin/pricing/preview', (req, res) => {
    const percent = Number(req.body.percent ?? 0);
    const price = Number(req.body.price ?? 100);
    if (!(percent >= 0 && percent <= 100)) return res.status(400).json({ error: 'percent must be 0..100' });
    res.json({ price, result: Math.round(price * (100 - percent)) / 100 });
  });

  const searchDirectory = (filter, res) => {
    const client = ldap.createClient({
      url: DIRECTORY_URL,
      connectTimeout: 1000,
      timeout: 2000,
      reconnect: false,
    });
    let answered = false;
    const answer = (status, body) => {
      if (answered) return;
      answered = true;
      client.destroy();
      res.status(status).json(body);
    };
    client.on('error', (err) => answer(503, { error: `directory unavailable: ${err.message}` }));
    client.on('connectError', (err) => answer(503, { error: `directory unavailable: ${err.message}` }));
    try {
      client.search('ou=staff,dc=shop,dc=example', { filter, scope: 'sub' }, (err, found) => {
        if (err) return answer(503, { error: `directory unavailable: ${err.message}` });
        const entries = [];
        found.on('searchEntry', (e) => entries.push(e.pojo));
        found.on('error', (e) => answer(503, { error: `directory unavailable: ${e.message}` }));
        found.on('end', () => answer(200, { entries }));
      });
    } catch (err) {
      answer(400, { error: err.message });
    }
  };
  // FLAW (LDAP_INJECTION): the user id is pasted into the LDAP filter text.
  vulnerable.get('/admin/staff', (req, res) => {
    searchDirectory(`(uid=${String(req.query.uid ?? '')})`, res);
  });
  // SAFE TWIN: the filter is built as an object; ldapjs encodes the value, never parses it.
  safe.get('/admin/staff', (req, res) => {
    searchDirectory(new ldap.EqualityFilter({ attribute: 'uid', value: String(req.query.uid ?? '') }), res);
  });

  // FLAW (TEMPLATE_INJECTION): the e-mail template itself comes from the request.
  vulnerable.post('/admin/mail/preview', (req, res) => {
    const template = String(req.body.template ?? '');
    containment.outputTagsOnly(template);
    res
      .type('text/plain')
      .send(ejs.render(template, { customer: 'Alice', note: 'Thank you for your order.' }));
  });
  // SAFE TWIN: the template is the shop's; the request only fills a value, which EJS escapes.
  safe.post('/admin/mail/preview', (req, res) => {
    const note = String(req.body.note ?? '');
    res.type('text/plain').send(ejs.render(MAIL_TEMPLATE, { customer: 'Alice', note }));
  });
};
