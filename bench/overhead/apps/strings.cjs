// Workload "strings": CPU-bound text processing of a posted article (a few KB of JSON), the
// worst case for taint propagation: every split, slice, replace, case change, concatenation
// and template literal works on tainted strings. No sink is reached.
const express = require('express');

const app = express();
app.use(express.json({ limit: '256kb' }));

const stopWords = new Set(
  'a an and are as at be by for from has in is it of on or that the to was were will with'.split(' '),
);

function normalise(text) {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+/g, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function slugify(title) {
  return title
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .substring(0, 60);
}

function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function titleCase(word) {
  return word.length > 3 ? `${word[0].toUpperCase()}${word.slice(1)}` : word;
}

function keywords(words) {
  const counts = new Map();
  for (const w of words) {
    const key = w.toLowerCase().replace(/[^a-z0-9'-]/g, '');
    if (key.length < 3 || stopWords.has(key)) continue;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 8)
    .map(([word, n]) => `${word}(${n})`);
}

function maskContacts(text) {
  return text
    .replace(/[\w.+-]+@[\w-]+\.[\w.]+/g, (m) => `${m[0]}***@${m.split('@')[1]}`)
    .replace(
      /\+?\d[\d -]{7,}\d/g,
      (m) => m.slice(0, 3) + '*'.repeat(Math.max(m.length - 5, 0)) + m.slice(-2),
    );
}

function wrap(text, width) {
  const lines = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line.length + word.length + 1 > width) {
      lines.push(line.padEnd(width, ' '));
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line.padEnd(width, ' '));
  return lines;
}

function analyse(title, body, author) {
  const text = normalise(body);
  const paragraphs = text.split('\n\n');
  const sentences = text.split(/(?<=[.!?])\s+/);
  const words = text.split(/\s+/);
  const summary = sentences.slice(0, 3).join(' ').slice(0, 280);
  const excerpt = escapeHtml(maskContacts(paragraphs[0] ?? '')).slice(0, 400);
  const headline = title.split(' ').map(titleCase).join(' ');
  const columns = wrap(maskContacts(paragraphs.slice(0, 2).join(' ')), 72);
  const byline = `${author.trim().split(/\s+/).map(titleCase).join(' ')} · ${words.length} words · ${Math.ceil(words.length / 220)} min read`;
  let toc = '';
  paragraphs.forEach((p, i) => {
    const first = p.split(/[.!?]/)[0].trim();
    toc += `${String(i + 1).padStart(2, '0')}. ${first.length > 48 ? `${first.slice(0, 47)}…` : first}\n`;
  });
  return {
    slug: `${slugify(title)}-${slugify(author).split('-')[0]}`,
    headline,
    byline,
    summary,
    excerpt,
    keywords: keywords(words),
    toc: toc.trimEnd(),
    preview: columns.slice(0, 6).join('\n'),
    longestWord: words.reduce((a, w) => (w.length > a.length ? w : a), ''),
  };
}

app.post('/analyse', (req, res) => {
  const { title = '', body = '', author = 'anonymous' } = req.body ?? {};
  res.json(analyse(String(title), String(body), String(author)));
});

app.get('/slug', (req, res) => {
  res.json({
    slug: slugify(String(req.query.title ?? '')),
    headline: String(req.query.title ?? '')
      .split(' ')
      .map(titleCase)
      .join(' '),
  });
});

module.exports = app;
if (require.main === module) require('./harness.cjs')(app);
