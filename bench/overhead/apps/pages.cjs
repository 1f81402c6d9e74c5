// Workload "pages": server-rendered pages with EJS. Product listing with search, sorting and
// paging from the query string, product pages by slug, preferences and recently viewed items
// from cookies, a search form (url-encoded body); string-heavy formatting around the templates.
const path = require('node:path');
const cookieParser = require('cookie-parser');
const express = require('express');

const app = express();
app.set('views', path.join(__dirname, 'views'));
app.set('view engine', 'ejs');
app.set('view cache', true);
app.use(express.urlencoded({ extended: false }));
app.use(cookieParser());
app.use((_req, res, next) => {
  // What helmet would set: an IAST agent has no header finding to report on these pages.
  res.set('X-Content-Type-Options', 'nosniff');
  res.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  next();
});

const words = 'alpine birch cedar dune ember fjord glacier harbor iris juniper kelp lagoon meadow'.split(' ');
const kinds = ['lamp', 'chair', 'table', 'shelf', 'rug', 'mirror', 'vase', 'clock'];
const products = Array.from({ length: 240 }, (_, i) => {
  const name = `${words[i % words.length]} ${kinds[i % kinds.length]} ${Math.floor(i / 8) + 1}`;
  return {
    id: i + 1,
    name: name.replace(/\b\w/g, (c) => c.toUpperCase()),
    slug: name.replace(/\s+/g, '-'),
    price: 19 + ((i * 37) % 400) + ((i * 13) % 100) / 100,
    stock: (i * 7) % 23,
    description:
      `The ${name} is made of ${words[(i + 3) % words.length]} finish. **Hand made** in small batches.\n\n` +
      `Each piece is checked twice. Pair it with a ${kinds[(i + 1) % kinds.length]} for a **complete** look.`,
  };
});
const bySlug = new Map(products.map((p) => [p.slug, p]));

const labels = {
  en: { title: 'Our products', results: 'results for', none: 'Nothing found', welcome: 'Welcome back' },
  fr: { title: 'Nos produits', results: 'résultats pour', none: 'Aucun résultat', welcome: 'Bon retour' },
};

function preferences(req) {
  const lang = labels[req.cookies.lang] ? req.cookies.lang : 'en';
  const theme = req.cookies.theme === 'dark' ? 'dark' : 'light';
  const recent = String(req.cookies.recent ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .slice(0, 5);
  return { lang, theme, recent, t: labels[lang], user: req.cookies.user ? String(req.cookies.user) : null };
}

function formatPrice(value, lang) {
  const [units, cents] = value.toFixed(2).split('.');
  const grouped = units.replace(/\B(?=(\d{3})+(?!\d))/g, lang === 'fr' ? ' ' : ',');
  return lang === 'fr' ? `${grouped},${cents} €` : `€${grouped}.${cents}`;
}

function breadcrumbs(parts) {
  return parts.map((label, i) => ({ label, href: `/${parts.slice(1, i + 1).join('/')}`.toLowerCase() }));
}

function markdown(text) {
  return text
    .split(/\n{2,}/)
    .map((para) => para.replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>'))
    .map((para) => `<p>${para}</p>`);
}

function listing(req, res, query) {
  const prefs = preferences(req);
  const q = String(query.q ?? '')
    .trim()
    .toLowerCase();
  const sort = ['price', 'name', 'stock'].includes(query.sort) ? query.sort : 'name';
  const size = 24;
  const pageNo = Math.max(Number.parseInt(query.page ?? '1', 10) || 1, 1);
  const matching = products.filter((p) => !q || p.name.toLowerCase().includes(q) || p.slug.includes(q));
  matching.sort((a, b) => (sort === 'name' ? a.name.localeCompare(b.name) : a[sort] - b[sort]));
  const items = matching.slice((pageNo - 1) * size, pageNo * size).map((p) => ({
    ...p,
    priceText: formatPrice(p.price, prefs.lang),
    badge: p.stock === 0 ? 'sold out' : p.stock < 5 ? `only ${p.stock} left` : '',
  }));
  const pages = Math.ceil(matching.length / size);
  res.render('products', {
    prefs,
    q,
    sort,
    items,
    count: matching.length,
    pageNo,
    pages: Array.from({ length: pages }, (_, i) => ({
      n: i + 1,
      href: `/products?q=${encodeURIComponent(q)}&sort=${sort}&page=${i + 1}`,
    })),
    crumbs: breadcrumbs(['Home', 'Products', ...(q ? [`“${q}”`] : [])]),
  });
}

app.get('/products', (req, res) => listing(req, res, req.query));
app.post('/search', (req, res) => listing(req, res, req.body));

app.get('/products/:slug', (req, res) => {
  const prefs = preferences(req);
  const product = bySlug.get(req.params.slug.toLowerCase());
  if (!product) return res.status(404).render('not-found', { prefs, what: req.params.slug });
  const recent = [String(product.id), ...prefs.recent.filter((id) => id !== String(product.id))].slice(0, 5);
  res.cookie('recent', recent.join(','), { httpOnly: true, secure: true, sameSite: 'lax', maxAge: 864e5 });
  const related = products.filter(
    (p) => p.id !== product.id && p.name.split(' ')[1] === product.name.split(' ')[1],
  );
  res.render('product', {
    prefs,
    product: { ...product, priceText: formatPrice(product.price, prefs.lang) },
    paragraphs: markdown(product.description),
    related: related.slice(0, 4),
    recentlyViewed: prefs.recent.map((id) => products[Number(id) - 1]).filter(Boolean),
    crumbs: breadcrumbs(['Home', 'Products', product.name]),
  });
});

module.exports = app;
if (require.main === module) require('./harness.cjs')(app);
