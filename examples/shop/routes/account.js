'use strict';
// Login and the profile page.
const crypto = require('node:crypto');
const { page, escapeHtml } = require('../lib/html');

// Pages a login may send the user on to.
const AFTER_LOGIN = ['/profile', '/search', '/safe/profile', '/safe/search'];

module.exports = ({ vulnerable, safe, shop }) => {
  const { db } = shop;
  const sessions = new Map();
  const findUser = (username) =>
    db
      .prepare(
        'SELECT id, username, display_name, password_md5, salt, password_scrypt FROM users WHERE username = ?',
      )
      .get(String(username ?? ''));
  const newSession = (user) => {
    const token = crypto.randomBytes(18).toString('base64url');
    sessions.set(token, user.id);
    return token;
  };
  const loginFailed = (res) =>
    res.status(401).type('html').send(page('Login', '<h1>Wrong user name or password</h1>'));

  // FLAWS in one handler, as legacy login code often has them:
  // WEAK_HASH (the password is checked against an MD5 digest),
  // INSECURE_COOKIE, NO_HTTPONLY_COOKIE, NO_SAMESITE_COOKIE (the session cookie has no flags),
  // UNVALIDATED_REDIRECT (the user is sent wherever `next` says).
  vulnerable.post('/login', (req, res) => {
    const user = findUser(req.body.username);
    const digest = crypto
      .createHash('md5')
      .update(String(req.body.password ?? ''))
      .digest('hex');
    if (!user || digest !== user.password_md5) return loginFailed(res);
    res.cookie('session', newSession(user));
    res.redirect(req.body.next || '/profile');
  });

  // SAFE TWIN: scrypt with a per-user salt and a constant-time comparison; the session cookie
  // is Secure, HttpOnly, SameSite=Strict (and __Host- prefixed); `next` must be one of the
  // shop's own pages, and the redirect target is the shop's constant, not the request's text.
  safe.post('/login', (req, res) => {
    const user = findUser(req.body.username);
    if (!user) return loginFailed(res);
    const given = crypto.scryptSync(String(req.body.password ?? ''), user.salt, 32);
    if (!crypto.timingSafeEqual(given, Buffer.from(user.password_scrypt, 'hex'))) return loginFailed(res);
    res.cookie('__Host-session', newSession(user), {
      secure: true,
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
    });
    res.redirect(AFTER_LOGIN.find((p) => p === req.body.next) ?? '/safe/profile');
  });

  const profile = (token) => {
    const id = sessions.get(String(token ?? ''));
    return id === undefined
      ? undefined
      : db.prepare('SELECT username, display_name FROM users WHERE id = ?').get(id);
  };
  const profilePage = (user) =>
    page(
      'Profile',
      `<h1>${escapeHtml(user.display_name)}</h1><p>Signed in as ${escapeHtml(user.username)}</p>`,
    );
  vulnerable.get('/profile', (req, res) => {
    const user = profile(req.cookies.session);
    if (!user) return res.redirect('/');
    res.type('html').send(profilePage(user));
  });
  safe.get('/profile', (req, res) => {
    const user = profile(req.cookies['__Host-session']);
    if (!user) return res.redirect('/safe/search');
    res.type('html').send(profilePage(user));
  });
};
