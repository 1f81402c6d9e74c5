'use strict';
// Containment guards: the demo's flaws are real (the untrusted text reaches the sink), but the
// demo must never become a usable target on the machine that runs it. Each guard refuses
// payloads that would turn a flaw into an exploit, and leaves benign input untouched.
//
// A guard only *tests* the input: the text that reaches the sink is still the request's text,
// so Sluice reports the flow as it would without the guard (IAST reports flows, not exploits).

class Contained extends Error {
  constructor(what) {
    super(`refused by the demo's containment guard: ${what}`);
    this.status = 400;
    this.expose = true;
  }
}

function guard(ok, what) {
  if (!ok) throw new Contained(what);
}

module.exports = {
  Contained,
  /** A host name or address, nothing a shell would interpret. */
  hostName: (v) => guard(typeof v === 'string' && /^[A-Za-z0-9.-]{1,253}$/.test(v), 'host names only'),
  /** Arithmetic on `price`: digits, operators, parentheses and the word price. */
  arithmetic: (v) =>
    guard(
      typeof v === 'string' && v.length <= 200 && /^(?:price|[\d\s.+\-*/()])+$/.test(v),
      'arithmetic only',
    ),
  /** EJS templates whose only tags output a variable (`<%= name %>`); no code tags. */
  outputTagsOnly: (v) =>
    guard(
      typeof v === 'string' &&
        v.length <= 2000 &&
        !/<%|%>/.test(v.replace(/<%=\s*[A-Za-z_][\w.]*\s*%>/g, '')) &&
        !/[()[\]`]/.test(v),
      'output tags only',
    ),
  /** Serialized data without node-serialize's function marker. */
  noFunctions: (v) => guard(typeof v === 'string' && !v.includes('_$$ND_FUNC$$_'), 'no serialized functions'),
  /** A URL that points at this very server over loopback. */
  ownOrigin: (v, port) => {
    let url;
    try {
      url = new URL(v);
    } catch {
      guard(false, 'an absolute URL');
    }
    guard(
      url.protocol === 'http:' &&
        ['127.0.0.1', 'localhost'].includes(url.hostname) &&
        Number(url.port) === port,
      "the shop's own address only",
    );
  },
  /** A file name inside the invoices folder. */
  plainFileName: (v) =>
    guard(typeof v === 'string' && /^[\w.-]{1,100}$/.test(v) && !v.includes('..'), 'file names only'),
};
