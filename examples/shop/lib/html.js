'use strict';
const escapeHtml = require('escape-html');

// Every page of the shop goes through this layout. Callers pass `body` as HTML they built
// themselves: whether user input in it is escaped is up to them (and is the XSS flaw).
function page(title, body) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Sluice demo shop</title></head>
<body><header><a href="/">Sluice demo shop</a></header><main>${body}</main></body></html>
`;
}

module.exports = { page, escapeHtml };
