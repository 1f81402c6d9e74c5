/**
 * The taint-based sinks' instrumentations and the other library hooks, created together
 * because they share one module-load hook. The module-load hook comes first so that the
 * others can register.
 */
import type { RequestObjects } from '../sources/taint-value.js';
import type { TaintEngine } from '../taint/types.js';
import { betterSqlite3Instrumentation } from './better-sqlite3.js';
import { ChildProcessInstrumentation } from './child-process.js';
import { DbRowsInstrumentation, type DbRowsOptions } from './db-rows.js';
import { ejsInstrumentation } from './ejs.js';
import { ExpressFileInstrumentation } from './express.js';
import { ExpressResponseInstrumentation } from './express-response.js';
import { FastifyInstrumentation } from './fastify.js';
import { FetchInstrumentation } from './fetch.js';
import { FsInstrumentation } from './fs.js';
import { GotInstrumentation } from './got.js';
import { handlebarsInstrumentation } from './handlebars.js';
import { HashingLibrariesInstrumentation } from './hashing-libraries.js';
import { HttpClientInstrumentation } from './http-client.js';
import type { Instrumentation } from './instrumentation.js';
import { JsYamlInstrumentation } from './js-yaml.js';
import { knexInstrumentation } from './knex.js';
import { KoaInstrumentation } from './koa.js';
import { LdapjsInstrumentation } from './ldapjs.js';
import { MongodbInstrumentation } from './mongodb.js';
import { MongooseInstrumentation } from './mongoose.js';
import { mysqlInstrumentation } from './mysql.js';
import { mysql2Instrumentation } from './mysql2.js';
import { NodeSerializeInstrumentation } from './node-serialize.js';
import { pgInstrumentation } from './pg.js';
import { pgPoolInstrumentation } from './pg-pool.js';
import { pugInstrumentation } from './pug.js';
import { ModuleHooks } from './require-hook.js';
import { SanitizerInstrumentation } from './sanitizers.js';
import { sequelizeInstrumentation } from './sequelize.js';
import { sqlite3Instrumentation } from './sqlite3.js';
import { TemplateOutputInstrumentation } from './template-output.js';
import { VmInstrumentation } from './vm.js';

export function sinkInstrumentations(
  engine: () => TaintEngine | undefined,
  guard: (error: unknown) => void,
  dbRows: DbRowsOptions = { rowsToTaint: 0, inRequest: () => false },
  requestObjects: () => RequestObjects | undefined = () => undefined,
): Instrumentation[] {
  const hooks = new ModuleHooks(guard);
  return [
    hooks,
    pgInstrumentation(hooks, guard),
    pgPoolInstrumentation(hooks, guard),
    mysql2Instrumentation(hooks, guard),
    mysqlInstrumentation(hooks, guard),
    betterSqlite3Instrumentation(hooks, guard),
    sequelizeInstrumentation(engine, hooks, guard),
    knexInstrumentation(hooks, guard),
    sqlite3Instrumentation(hooks, guard),
    pugInstrumentation(hooks, guard),
    handlebarsInstrumentation(hooks, guard),
    ejsInstrumentation(hooks, guard),
    new SanitizerInstrumentation(engine, hooks, guard),
    new ExpressResponseInstrumentation(hooks, guard),
    new TemplateOutputInstrumentation(hooks, guard),
    new ChildProcessInstrumentation(guard),
    new VmInstrumentation(guard),
    new FsInstrumentation(guard),
    new ExpressFileInstrumentation(engine, hooks, guard),
    new HashingLibrariesInstrumentation(hooks),
    new HttpClientInstrumentation(guard),
    new FetchInstrumentation(hooks, guard),
    new GotInstrumentation(guard),
    new DbRowsInstrumentation(engine, dbRows, hooks, guard),
    new KoaInstrumentation(engine, hooks, guard, requestObjects),
    new FastifyInstrumentation(engine, hooks, guard, requestObjects),
    new MongodbInstrumentation(hooks, guard),
    new MongooseInstrumentation(hooks, guard),
    new LdapjsInstrumentation(hooks, guard),
    new NodeSerializeInstrumentation(hooks, guard),
    new JsYamlInstrumentation(hooks, guard),
  ];
}
