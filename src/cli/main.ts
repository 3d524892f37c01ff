#!/usr/bin/env node
import { processIO } from './io.js';
import { runCli } from './program.js';

// A reader that stops early (`| head`) closes the pipe: the command ends quietly, with the status a
// Unix tool killed by SIGPIPE has (128 + 13), since it did not finish.
const SIGPIPE_STATUS = 141;
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(SIGPIPE_STATUS);
  });
}

process.exitCode = await runCli(process.argv.slice(2), processIO);
