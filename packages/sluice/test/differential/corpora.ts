// The differential corpus: for each string-heavy package, the package directories whose
// files are all rewritten, and the cases run on them. A case returns a value or throws; the
// runner serialises either, and the suite compares plain against rewritten.

export interface Corpus {
  /** npm package name, as required. */
  name: string;
  /** Package directories (under node_modules) whose every file is rewritten. */
  dirs: string[];
  /** Inputs, each run through every case. Tainted in the "tainted" mode. */
  inputs: string[];
  cases: Record<string, (lib: never, input: string) => unknown>;
  /** The package has an ES module build, run too through import() (its namespace is `lib`). */
  esm?: boolean;
}

const markdown = [
  '# Title\n\nSome *emphasis*, **strong**, `code` and a [link](http://example.com "t").',
  '- a\n- b\n  - nested\n\n1. one\n2. two\n\n> quote\n> more',
  '```js\nconst x = 1 < 2 && "a" + `b`;\n```\n\n    indented code',
  '| a | b |\n|---|:-:|\n| 1 | <b>2</b> |\n\nfootnote[^1]\n\n[^1]: text',
  'Setext\n======\n\nline  \nbreak\\\nand <script>alert(1)</script> &amp; &copy; &#x41;',
  '![img](a.png) <http://auto.link> www.example.com ~~strike~~ * * *',
  '',
  '\u00e9\u00e8 \ud83d\ude00 \u0645\u0631\u062d\u0628\u0627 ' + 'x'.repeat(300),
];

const templates = [
  'Hello {{name}}! {{#each items}}<li>{{this}}</li>{{/each}}',
  '{{#if ok}}yes {{upper name}}{{else}}no{{/if}} {{{raw}}} {{!comment}}',
  '{{> missing}}',
  '{{#with obj}}{{a.b}}{{/with}} {{lookup items 1}}',
  '{{unclosed',
  '\\{{escaped}} {{name.length}} {{@root.name}}',
];

const pugTemplates = [
  'doctype html\nhtml\n  body\n    h1#title.big(data-x="1") Hello #{name}\n    p= items.join(", ")',
  'ul\n  each item, i in items\n    li(class=i % 2 ? "odd" : "even")= item\n  else\n    li none',
  'mixin card(t)\n  .card: span= t\n+card(name)\n+card("x" + name)',
  'p\n  | text #{name}\n  | !{raw}\n  != "<i>" + name + "</i>"',
  'case name\n  when "a"\n    p a\n  default\n    p other',
  'p(\n  bad',
  'script.\n  var x = "#{name}";\nstyle.\n  a { color: red }',
];

const ejsTemplates = [
  '<h1><%= name %></h1><% items.forEach(function (i) { %><li><%- i %></li><% }) %>',
  '<%# comment %><%_ if (name) { _%> yes <%= name.toUpperCase() _%><% } %>',
  '<%= missing.prop %>',
  '<% if (true) { %>unclosed',
  'plain text with <%% literal %%> and -%>',
];

const queries = [
  'a=1&b=2&a=3',
  'a[b][c]=d&a[e]=f&arr[]=1&arr[]=2&arr[5]=x',
  'x=%E2%9C%93&y=a+b&z=%ZZ&=empty&novalue',
  'a.b.c=1&deep[a][b][c][d][e][f][g]=h',
  '__proto__[polluted]=1&constructor[prototype][x]=1',
  '?lead=1;semi=2&utf8=%F0%9F%98%80',
  '',
];

const yamlDocs = [
  'a: 1\nb: [x, "y", 3.5]\nc:\n  d: true\n  e: null\n',
  '- &anchor {k: v}\n- *anchor\n- !!str 123\n- |\n  block\n  text\n- >\n  folded\n  text\n',
  'key: "unterminated\n',
  '%YAML 1.2\n---\ndoc1: 1\n...\n---\ndoc2: [1, 2\n',
  'date: 2001-12-14t21:59:43.10-05:00\nhex: 0x1F\noct: 0o17\ninf: .inf\nbin: !!binary aGVsbG8=\n',
  "multi: \u00e9\u00e8 \ud83d\ude00\n\"quoted key\": 'single ''quote'''\n? complex\n: value\n",
];

const validatorInputs = [
  'user@example.com',
  'not-an-email@',
  'http://example.com/path?q=1#frag',
  'javascript:alert(1)',
  '192.168.0.1',
  '2001:db8::1',
  '2024-02-30',
  '4111111111111111',
  '  padded  ',
  '<script>alert("x")</script> & "q"',
  'dGVzdA==',
  '550e8400-e29b-41d4-a716-446655440000',
  '+33 6 12 34 56 78',
  '\u00e9l\u00e8ve',
];

const lodashInputs = [
  'hello world',
  'fooBar-baz_qux',
  '  Leading and trailing  ',
  '<a href="x">&amp;</a>',
  'déjà vu ÆØÅ',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: input text that looks like a template
  '${a}-${b}',
  '',
  'a,b,,c',
];

type Lib = Record<string, (...args: unknown[]) => unknown>;

export const CORPORA: Corpus[] = [
  {
    name: 'marked',
    dirs: ['marked'],
    esm: true,
    inputs: markdown,
    cases: {
      parse: (m: Lib, s) => (m.marked as unknown as Lib).parse?.(s) ?? m.parse?.(s),
      parseInline: (m: Lib, s) => m.parseInline?.(s),
      lexer: (m: Lib, s) => m.lexer?.(s),
      gfmOff: (m: Lib, s) => (m.marked as unknown as Lib).parse?.(s, { gfm: false, breaks: true }),
    },
  },
  {
    name: 'handlebars',
    dirs: ['handlebars'],
    inputs: templates,
    cases: {
      render: (h: Lib, t) => {
        const hb = (h.create as () => Lib)();
        (hb.registerHelper as (n: string, f: (s: string) => string) => void)('upper', (s) =>
          String(s).toUpperCase(),
        );
        const tpl = (hb.compile as (t: string) => (ctx: unknown) => string)(t);
        return tpl({
          name: 'Ann <b>',
          items: ['x', 'y&z'],
          ok: true,
          raw: '<i>raw</i>',
          obj: { a: { b: 'ab' } },
        });
      },
      precompile: (h: Lib, t) => (h.precompile as (t: string) => string)(t),
      parse: (h: Lib, t) => JSON.stringify((h.parse as (t: string) => unknown)(t)),
      escape: (h: Lib, t) => ((h.Utils as unknown as Lib).escapeExpression as (s: string) => string)(t),
    },
  },
  {
    name: 'pug',
    dirs: [
      'pug',
      'pug-attrs',
      'pug-code-gen',
      'pug-error',
      'pug-filters',
      'pug-lexer',
      'pug-linker',
      'pug-load',
      'pug-parser',
      'pug-runtime',
      'pug-strip-comments',
      'pug-walk',
    ],
    inputs: pugTemplates,
    cases: {
      render: (p: Lib, t) =>
        (p.render as (t: string, o: unknown) => string)(t, { name: 'a"<b>', items: ['x', 'y'], raw: '<i>' }),
      pretty: (p: Lib, t) =>
        (p.render as (t: string, o: unknown) => string)(t, { name: 'n', items: [], raw: '', pretty: true }),
      compileClient: (p: Lib, t) =>
        (p.compileClient as (t: string, o: unknown) => string)(t, { compileDebug: false }),
    },
  },
  {
    name: 'ejs',
    dirs: ['ejs'],
    inputs: ejsTemplates,
    cases: {
      render: (e: Lib, t) =>
        (e.render as (t: string, d: unknown) => string)(t, { name: 'a<b>&"', items: ['<1>', '2'] }),
      strict: (e: Lib, t) =>
        (e.render as (t: string, d: unknown, o: unknown) => string)(
          t,
          { name: 'n', items: [] },
          { strict: true, _with: false },
        ),
      escape: (e: Lib, t) => (e.escapeXML as (s: string) => string)(t),
    },
  },
  {
    name: 'qs',
    dirs: ['qs', 'side-channel', 'object-inspect'],
    inputs: queries,
    cases: {
      parse: (q: Lib, s) => (q.parse as (s: string) => unknown)(s),
      parseOpts: (q: Lib, s) =>
        (q.parse as (s: string, o: unknown) => unknown)(s, {
          allowDots: true,
          depth: 2,
          ignoreQueryPrefix: true,
          delimiter: /[;&]/,
        }),
      roundTrip: (q: Lib, s) =>
        (q.stringify as (o: unknown, p?: unknown) => string)((q.parse as (s: string) => unknown)(s), {
          encodeValuesOnly: true,
        }),
      stringify: (q: Lib, s) =>
        (q.stringify as (o: unknown, p?: unknown) => string)(
          { s, n: [s, { d: s }] },
          { arrayFormat: 'brackets', format: 'RFC1738' },
        ),
    },
  },
  {
    name: 'yaml',
    dirs: ['yaml'],
    inputs: yamlDocs,
    cases: {
      parse: (y: Lib, s) => (y.parse as (s: string) => unknown)(s),
      allDocs: (y: Lib, s) =>
        (y.parseAllDocuments as (s: string) => { toJS(): unknown; errors: { message: string }[] }[])(s).map(
          (d) => [d.errors.map((e) => e.message), d.toJS()],
        ),
      roundTrip: (y: Lib, s) =>
        (y.stringify as (v: unknown) => string)((y.parse as (s: string) => unknown)(s)),
      stringify: (y: Lib, s) =>
        (y.stringify as (v: unknown) => string)({ s, list: [s, s.length], nested: { [s]: s } }),
    },
  },
  {
    name: 'validator',
    dirs: ['validator'],
    inputs: validatorInputs,
    cases: {
      checks: (v: Lib, s) =>
        [
          'isEmail',
          'isURL',
          'isIP',
          'isDate',
          'isCreditCard',
          'isBase64',
          'isUUID',
          'isMobilePhone',
          'isAlpha',
          'isISO8601',
        ].map((f) => (v[f] as (s: string) => boolean)(s)),
      sanitize: (v: Lib, s) => [
        (v.escape as (s: string) => string)(s),
        (v.trim as (s: string) => string)(s),
        (v.normalizeEmail as (s: string) => unknown)(s),
        (v.blacklist as (s: string, c: string) => string)(s, '<>'),
        (v.stripLow as (s: string) => string)(s),
      ],
      nonString: (v: Lib, s) => (v.isEmail as (s: unknown) => boolean)(s.length ? { s } : null),
    },
  },
  {
    name: 'lodash',
    dirs: ['lodash'],
    inputs: lodashInputs,
    cases: {
      strings: (l: Lib, s) =>
        [
          'camelCase',
          'kebabCase',
          'snakeCase',
          'startCase',
          'capitalize',
          'escape',
          'unescape',
          'deburr',
          'trim',
          'words',
          'upperFirst',
        ].map((f) => (l[f] as (s: string) => unknown)(s)),
      template: (l: Lib, s) =>
        (l.template as (s: string) => (d: unknown) => string)(`<p><%- v %>${s}</p>`)({ v: s, a: 1, b: 2 }),
      misc: (l: Lib, s) => [
        (l.split as (s: string, p: string) => string[])(s, ','),
        (l.pad as (s: string, n: number, c: string) => string)(s, 30, '-*'),
        (l.truncate as (s: string, o: unknown) => string)(s, { length: 8 }),
        (l.get as (o: unknown, p: string) => unknown)({ a: { b: s } }, 'a.b'),
        (l.toPath as (s: string) => unknown)(s),
        (l.replace as (s: string, a: string, b: string) => string)(s, 'o', '0'),
      ],
    },
  },
];
