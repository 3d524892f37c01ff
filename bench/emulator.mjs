// Benchmark of the emulator: how many GetAgentRuntime requests per second it serves on one core, and
// at what latency. The emulator runs as its own process (one event loop, so one core); this process
// drives it over keep-alive HTTP. Writes its figures into bench-results/report.json.
import { request, Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { BedrockAgentCoreControlClient, CreateAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { startEmulatorProcess } from './emulator-process.mjs';
import { writeReport } from './report.mjs';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const TARGET_GETS_PER_SECOND = 5000;

const { child, url } = await startEmulatorProcess(['--rate-scale', '0', '--provisioning-delay-ms', '0']);
const client = new BedrockAgentCoreControlClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' } });
const { agentRuntimeId } = await client.send(new CreateAgentRuntimeCommand({
  agentRuntimeName: 'bench_agent',
  agentRuntimeArtifact: { containerConfiguration: { containerUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/bench:1' } },
  roleArn: 'arn:aws:iam::123456789012:role/Bench',
}));
client.destroy();

// The emulator checks that a request carries a SigV4 Authorization header; a fixed one keeps the
// load generator's own cost (signing) out of the measurement.
const headers = { authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/bedrock-agentcore/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}` };
const { hostname, port } = new URL(url);
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const latencies = [];
let errors = 0;

function get() {
  return new Promise((resolve) => {
    const start = performance.now();
    const req = request({ hostname, port, path: `/runtimes/${agentRuntimeId}/`, method: 'GET', headers, agent }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) latencies.push(performance.now() - start);
        else errors += 1;
        resolve();
      });
    });
    req.on('error', () => {
      errors += 1;
      resolve();
    });
    req.end();
  });
}

async function worker(deadline) {
  while (performance.now() < deadline) await get();
}

await Promise.all(Array.from({ length: CONCURRENCY }, () => worker(performance.now() + 500))); // warm-up
latencies.length = 0;
const started = performance.now();
await Promise.all(Array.from({ length: CONCURRENCY }, () => worker(started + DURATION_MS)));
const elapsed = (performance.now() - started) / 1000;
agent.destroy();
child.kill('SIGTERM');

latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
const figures = {
  requests: latencies.length,
  errors,
  durationSeconds: Number(elapsed.toFixed(2)),
  concurrency: CONCURRENCY,
  getPerSecond: Math.round(latencies.length / elapsed),
  p50Ms: Number(pct(50).toFixed(2)),
  p99Ms: Number(pct(99).toFixed(2)),
  targetGetPerSecond: TARGET_GETS_PER_SECOND,
};
figures.meetsTarget = figures.getPerSecond >= TARGET_GETS_PER_SECOND;
writeReport('emulatorGetAgentRuntime', figures);
console.log(`emulator GetAgentRuntime: ${figures.getPerSecond}/s (target ${TARGET_GETS_PER_SECOND}), p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, ${errors} errors`);
