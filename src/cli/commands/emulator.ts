import type { Command } from 'commander';
import { defaultServices, startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { parseImage, type ImageReference } from '../../reconcilers/agentruntime/artifact.js';
import type { CliIO } from '../io.js';

interface EmulatorOptions {
  port: string;
  host: string;
  state?: string;
  accountId: string;
  provisioningDelayMs: string;
  rateScale: string;
}

/** Pushes an image to an emulator's ECR (its admin API, with the admin token when one is set). */
export function pushImage(url: string, ref: ImageReference, digest?: string): Promise<Response> {
  const token = process.env.AGENTCORE_EMULATOR_ADMIN_TOKEN;
  return fetch(new URL('/_admin/ecr/push', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ account: ref.account, region: ref.region, repository: ref.repository, tag: ref.tag ?? 'latest', digest }),
  });
}

/**
 * `emulator push IMAGE`: an image for a running emulator's ECR, so that a manifest naming it resolves;
 * any account and region, the tag given or `latest`, a fresh digest (each push is a new image).
 */
function pushCommand(emulator: Command, io: CliIO, setExitCode: (code: number) => void): void {
  emulator
    .command('push')
    .description('Push an image (ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY[:TAG]) to a running emulator\'s ECR; prints its digest.')
    .argument('<image>', 'the image, as a manifest names it')
    .option('--endpoint-url <url>', 'the emulator (default: AWS_ENDPOINT_URL, else http://127.0.0.1:4566)')
    .action(async (image: string, options: { endpointUrl?: string }) => {
      const ref = parseImage(image);
      if (!ref?.region || ref.digest) {
        io.err(`not an ECR image with a tag: ${image} (ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY[:TAG])\n`);
        return setExitCode(1);
      }
      const url = options.endpointUrl ?? process.env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:4566';
      let answer: Response;
      try {
        answer = await pushImage(url, ref);
      } catch (error) {
        // fetch says "fetch failed"; why is in its cause (ECONNREFUSED).
        const { cause } = error as Error;
        io.err(`no emulator answers at ${url}: ${cause instanceof Error ? cause.message : (error as Error).message}\n`);
        return setExitCode(1);
      }
      const body = (await answer.json()) as { digest?: string; message?: string };
      if (!answer.ok) {
        io.err(`the emulator refused the push: ${body.message ?? answer.statusText}\n`);
        return setExitCode(1);
      }
      io.out(`${body.digest}\n`);
    });
}

export function emulatorCommand(program: Command, io: CliIO, setExitCode: (code: number) => void): void {
  const emulator = program.command('emulator');
  pushCommand(emulator, io, setExitCode);
  emulator
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
