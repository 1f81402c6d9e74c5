'use strict';
const { page, escapeHtml } = require('../lib/html');

class NotFound extends Error {
  constructor(what) {
    super(`${what} not found`);
    this.status = 404;
    this.expose = true;
  }
}

// FLAW (STACKTRACE_LEAK): the error page shows the stack trace, telling an attacker the
// file layout, the libraries and the code path.
function vulnerableErrorHandler(err, _req, res, _next) {
  res
    .status(err.status ?? 500)
    .type('html')
    .send(page('Error', `<h1>Something went wrong</h1><pre>${escapeHtml(err.stack)}</pre>`));
}

// SAFE TWIN: the client gets a status and a message meant for it; the stack goes to the log.
function safeErrorHandler(err, _req, res, _next) {
  const status = err.status ?? 500;
  if (status >= 500) console.error(err);
  res.status(status).json({ error: err.expose ? err.message : 'internal error' });
}

module.exports = { NotFound, vulnerableErrorHandler, safeErrorHandler };
