import type { Command } from 'commander';
import type { AwsOptions } from '../aws/clients.js';

export interface AwsCliOptions {
  region?: string;
  profile?: string;
  endpointUrl?: string;
}

/** The AWS options users know from the AWS CLI. */
export function withAwsOptions(command: Command): Command {
  return command
    .option('--region <region>', 'AWS region (default: AWS_REGION, then the profile)')
    .option('--profile <name>', 'AWS profile (default: AWS_PROFILE)')
    .option('--endpoint-url <url>', 'send AWS calls here instead (the emulator, a VPC endpoint); default AWS_ENDPOINT_URL');
}

export function awsOptionsOf(options: AwsCliOptions): AwsOptions {
  return {
    region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION,
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.endpointUrl ? { endpointUrl: options.endpointUrl } : {}),
  };
}
