// Benchmark plumbing shared by the workload apps (not part of what is measured): listens on an
// ephemeral loopback port, prints PORT=<n> once listening, and answers the driver over the IPC
// channel: 'memory' (RSS as the run left it, then heap, RSS and external memory after a full
// collection, and Sluice's counters when Sluice is loaded) and 'exit' (a normal exit, so --cpu-prof is written).
module.exports = function serve(app) {
  const server = app.listen(0, '127.0.0.1', () => {
    process.stdout.write(`PORT=${server.address().port}\n`);
  });
  process.on('message', (message) => {
    if (message === 'memory') {
      const rss = process.memoryUsage.rss();
      const agent = globalThis[Symbol.for('sluice.agent')];
      // Tainted strings are released by weak callbacks: a second collection takes what the first
      // freed. Sluice's native engine frees the taint ranges of collected strings on its next call
      // (its stats count as one): without that call they would still count as used heap.
      for (let i = 0; i < 3; i++) {
        global.gc?.();
        agent?.stats();
      }
      global.gc?.();
      const { heapUsed, rss: rssAfterGc, external } = process.memoryUsage();
      const stats = agent ? agent.stats() : undefined;
      const sluice = stats && { requests: stats.requests, findings: stats.findings, taint: stats.taint };
      process.send({ rss, heapUsed, rssAfterGc, external, sluice });
    } else if (message === 'exit') {
      server.closeAllConnections?.();
      server.close(() => process.exit(0));
      setTimeout(() => process.exit(0), 2000).unref();
    }
  });
  return server;
};
