// A fixed load with autocannon: `connections` keep-alive connections for `seconds`, cycling
// through the workload's requests. Latencies are taken from every response (autocannon's
// own histogram has 1 ms resolution, too coarse for p50s of a few ms).
import autocannon from 'autocannon';

export function drive({ port, requests, connections, seconds }) {
  const latencies = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections,
        duration: seconds,
        requests,
        timeout: 10,
      },
      (err, result) => {
        if (err) return reject(err);
        latencies.sort((a, b) => a - b);
        const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
        resolve({
          requests: result.requests.total,
          rps: result.requests.total / result.duration,
          p50: at(0.5),
          p99: at(0.99),
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
        });
      },
    );
    instance.on('response', (_client, _statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
  });
}
