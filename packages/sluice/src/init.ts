/**
 * Entry point of `node --require sluice/init` and `node --import sluice/init`. Reads the
 * configuration and, when IAST is enabled, starts the agent once per process. Never throws
 * into the application: a failure here is logged and the application runs unanalysed.
 */
import type { Agent } from './agent.js';

const AGENT_KEY = Symbol.for('sluice.agent');

function init(): void {
  const global = globalThis as { [AGENT_KEY]?: Agent };
  if (global[AGENT_KEY]) return;
  const { isLoaderThread } = require('./loader-thread.js') as typeof import('./loader-thread.js');
  if (isLoaderThread()) return;
  const { readConfig } = require('./config.js') as typeof import('./config.js');
  const config = readConfig();
  if (!config.iast.enabled) return;
  const { Agent: AgentClass } = require('./agent.js') as typeof import('./agent.js');
  global[AGENT_KEY] = new AgentClass(config).start();
}

try {
  init();
} catch (error) {
  try {
    process.stderr.write(`sluice warn: SLUICE_ERR_INIT: the agent did not start (${String(error)})\n`);
  } catch {
    // nothing more to do: the application must run
  }
}
