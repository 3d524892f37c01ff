// Each benchmark adds its figures under its own key in bench-results/report.json.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus } from 'node:os';

const PATH = 'bench-results/report.json';

export function writeReport(name, figures) {
  mkdirSync('bench-results', { recursive: true });
  const report = existsSync(PATH) ? JSON.parse(readFileSync(PATH, 'utf8')) : {};
  report.machine = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model };
  report[name] = { ...figures, measuredAt: new Date().toISOString() };
  writeFileSync(PATH, `${JSON.stringify(report, null, 2)}\n`);
}
