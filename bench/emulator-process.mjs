// Starts `agentcore-operator emulator` as its own process and resolves with its URL.
import { spawn } from 'node:child_process';

export function startEmulatorProcess(args = []) {
  const child = spawn(process.execPath, ['dist/cli/main.js', 'emulator', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve({ child, url: match[1] });
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
}
