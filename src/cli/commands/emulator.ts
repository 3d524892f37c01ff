import type { Command } from 'commander';
import { defaultServices, startEmulator, type RunningEmulator } from '../../emulator/index.js';
import type { CliIO } from '../io.js';

interface EmulatorOptions {
  port: string;
  host: string;
  state?: string;
  accountId: string;
  provisioningDelayMs: string;
  rateScale: string;
}

export function emulatorCommand(program: Command, io: CliIO, setExitCode: (code: number) => void): void {
  program
    .command('emulator')
    .description('Run the local AgentCore emulator (plus the IAM, ECR and S3 calls the operator makes) for the AWS SDKs and CLIs to talk to.')
    .option('--port <port>', 'port to listen on', '4566')
    .option('--host <host>', 'address to listen on; beyond loopback only with an admin token in AGENTCORE_EMULATOR_ADMIN_TOKEN, which /_admin/ then asks for', '127.0.0.1')
    .option('--state <file>', 'keep state in this file across restarts')
    .option('--account-id <id>', 'account id in ARNs', '123456789012')
    .option('--provisioning-delay-ms <ms>', 'how long resources stay CREATING or UPDATING', '1000')
    .option('--rate-scale <factor>', 'multiply the AWS rate quotas (0 turns throttling off)', '1')
    .action(async (options: EmulatorOptions) => {
      let emulator: RunningEmulator;
      try {
        emulator = await startEmulator({
          port: Number(options.port),
          host: options.host,
          adminToken: process.env.AGENTCORE_EMULATOR_ADMIN_TOKEN || undefined,
          services: defaultServices(),
          config: {
            accountId: options.accountId,
            statePath: options.state,
            provisioningDelayMs: Number(options.provisioningDelayMs),
            deletionDelayMs: Number(options.provisioningDelayMs),
            rateScale: Number(options.rateScale),
          },
        });
      } catch (error) {
        io.err(`${(error as Error).message}\n`);
        return setExitCode(1);
      }
      io.out(`AgentCore emulator listening on ${emulator.url}\n`);
      io.out(`Point the AWS SDKs at it with AWS_ENDPOINT_URL=${emulator.url} (any credentials; requests must be signed).\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await emulator.close();
    });
}
