// The request workloads: which app, what requests autocannon cycles through, and the database
// state each run starts from. (The start-up workload is in startup.mjs.)
import pg from 'pg';

const database = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
const USERS = 2000;

/** Fresh tables for the pg workloads: users filled, orders refilled, before each run. */
async function seedDatabase() {
  const client = new pg.Client(database);
  await client.connect();
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS sluice_bench_users (
      id integer PRIMARY KEY, name text NOT NULL, email text NOT NULL, country text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await client.query(`CREATE TABLE IF NOT EXISTS sluice_bench_orders (
      id serial PRIMARY KEY, user_id integer NOT NULL, sku text NOT NULL, qty integer NOT NULL,
      note text, created_at timestamptz NOT NULL DEFAULT now())`);
    await client.query(
      'CREATE INDEX IF NOT EXISTS sluice_bench_orders_user ON sluice_bench_orders (user_id)',
    );
    await client.query(
      'CREATE INDEX IF NOT EXISTS sluice_bench_users_name ON sluice_bench_users (name text_pattern_ops)',
    );
    const { rows } = await client.query('SELECT count(*)::int AS n FROM sluice_bench_users');
    if (rows[0].n !== USERS) {
      await client.query('TRUNCATE sluice_bench_users');
      await client.query(
        `INSERT INTO sluice_bench_users (id, name, email, country)
         SELECT i, (ARRAY['ada','alan','grace','edsger','barbara','donald','ken','margaret'])[1 + i % 8] || ' ' || i,
                'user' || i || '@example.com', (ARRAY['FR','DE','US','JP','BR'])[1 + i % 5]
           FROM generate_series(1, $1) AS i`,
        [USERS],
      );
    }
    await client.query('TRUNCATE sluice_bench_orders RESTART IDENTITY');
    await client.query(
      `INSERT INTO sluice_bench_orders (user_id, sku, qty, note)
       SELECT 1 + i % $1, 'SKU-' || (i % 97), 1 + i % 4, CASE WHEN i % 3 = 0 THEN 'gift wrap' END
         FROM generate_series(1, 5000) AS i`,
      [USERS],
    );
    await client.query('ANALYZE sluice_bench_users; ANALYZE sluice_bench_orders');
  } finally {
    await client.end();
  }
}

/** A request whose path (or body) changes on every use, from a counter. */
function varying(request, vary) {
  let n = 0;
  return { ...request, setupRequest: (req) => ({ ...req, ...vary(n++) }) };
}

const json = { 'content-type': 'application/json' };
const browser = {
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  accept: 'text/html,application/xhtml+xml',
};

// The product slugs of apps/pages.cjs.
const words = 'alpine birch cedar dune ember fjord glacier harbor iris juniper kelp lagoon meadow'.split(' ');
const kinds = ['lamp', 'chair', 'table', 'shelf', 'rug', 'mirror', 'vase', 'clock'];
const slug = (i) => `${words[i % words.length]}-${kinds[i % kinds.length]}-${Math.floor(i / 8) + 1}`;

function article(seed) {
  const sentences = [
    'The river town woke early, long before the ferries started their first crossing of the day.',
    'Merchants unpacked crates of pears, walnuts and honey while the bakers argued about the weather.',
    'Questions about the new bridge were sent to planning@rivertown.example or by phone on +33 6 12 34 56 78.',
    'Nobody expected the council to approve the design, yet the vote passed with a comfortable margin!',
    'Engineers promised that construction would not disturb the herons nesting under the old pier.',
    'Will the bridge change the character of the market? Residents are divided, and say so loudly.',
    'A petition, signed by more than four hundred people, asks for a pedestrian lane and better lighting.',
  ];
  const paragraphs = [];
  for (let p = 0; p < 6; p++) {
    paragraphs.push(
      Array.from({ length: 5 }, (_, s) => sentences[(seed + p * 5 + s) % sentences.length]).join('  '),
    );
  }
  return paragraphs.join('\n\n');
}

export const workloads = {
  'api-pg': {
    app: 'api-pg.cjs',
    summary: 'JSON API over PostgreSQL, parameterised queries: many sources, no findings',
    setup: seedDatabase,
    requests: () => [
      varying({ method: 'GET', headers: { 'x-request-id': 'bench-1' } }, (n) => ({
        path: `/api/users/${1 + ((n * 7) % USERS)}`,
      })),
      varying({ method: 'GET' }, (n) => ({
        path: `/api/users?name=${['ada', 'grace', 'ken', 'don'][n % 4]}&country=${['fr', 'us', 'jp'][n % 3]}&limit=20`,
      })),
      varying({ method: 'POST', path: '/api/orders', headers: json }, (n) => ({
        body: JSON.stringify({
          userId: 1 + (n % USERS),
          items: [
            { sku: `SKU-${n % 97}`, qty: 1 + (n % 3) },
            { sku: ` SKU-${(n * 3) % 97} `, qty: 2 },
          ],
          note: n % 2 ? 'leave at the door' : '',
        }),
      })),
      varying({ method: 'GET' }, (n) => ({ path: `/api/users/${1 + ((n * 13) % USERS)}/orders?limit=10` })),
    ],
  },
  pages: {
    app: 'pages.cjs',
    summary: 'EJS pages: query strings, cookies, url-encoded form, string formatting',
    requests: () => {
      const cookie = 'lang=en; theme=dark; recent=3,17,42; user=ada';
      return [
        varying({ method: 'GET', headers: { ...browser, cookie } }, (n) => ({
          path: `/products?q=${['birch', 'lamp', 'cedar', ''][n % 4]}&sort=${['price', 'name', 'stock'][n % 3]}&page=1`,
        })),
        varying({ method: 'GET', headers: { ...browser, cookie } }, (n) => ({
          path: `/products/${slug((n * 11) % 240)}`,
        })),
        varying(
          {
            method: 'POST',
            path: '/search',
            headers: {
              ...browser,
              cookie: 'lang=fr; theme=light',
              'content-type': 'application/x-www-form-urlencoded',
            },
          },
          (n) => ({ body: `q=${['chair', 'rug', 'mirror'][n % 3]}&sort=stock&page=1` }),
        ),
        varying({ method: 'GET', headers: { ...browser, cookie: 'lang=fr; recent=5,6' } }, (n) => ({
          path: `/products?page=${1 + (n % 10)}&sort=name`,
        })),
      ];
    },
  },
  sinks: {
    app: 'sinks.cjs',
    summary: 'vulnerable sinks on every request (SQL, path, eval, weak hash/random, cookie, headers)',
    setup: seedDatabase,
    requests: () => [
      varying({ method: 'GET' }, (n) => ({
        path: `/report?sort=${['name', 'id', 'country'][n % 3]}&country=${['FR', 'DE', 'US'][n % 3]}`,
      })),
      varying({ method: 'GET' }, (n) => ({ path: `/files?name=${n % 2 ? 'hours.txt' : 'shipping.txt'}` })),
      varying({ method: 'GET' }, (n) => ({ path: `/calc?expr=${encodeURIComponent(`(${n % 50}*3)+4`)}` })),
      varying({ method: 'POST', path: '/session', headers: json }, (n) => ({
        body: JSON.stringify({ user: `user${n % 100}` }),
      })),
    ],
  },
  strings: {
    app: 'strings.cjs',
    summary: 'CPU-bound text processing of tainted input (propagation worst case)',
    requests: () => {
      const bodies = Array.from({ length: 7 }, (_, seed) =>
        JSON.stringify({
          title: `Bridge vote ${seed}: Crème de la crème of river towns`,
          author: 'jeanne  de la fontaine',
          body: article(seed),
        }),
      );
      return [
        varying({ method: 'POST', path: '/analyse', headers: json }, (n) => ({
          body: bodies[n % bodies.length],
        })),
        varying({ method: 'POST', path: '/analyse', headers: json }, (n) => ({
          body: bodies[(n + 3) % bodies.length],
        })),
        varying({ method: 'GET' }, (n) => ({
          path: `/slug?title=${encodeURIComponent(`Ça va? Notes ${n % 100} from the Ångström lab`)}`,
        })),
      ];
    },
  },
};
