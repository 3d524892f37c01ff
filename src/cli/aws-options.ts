import type { Command } from 'commander';
import type { AwsClients, AwsOptions } from '../aws/clients.js';

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

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * What keeps the clients from making any call (an unknown profile, no credentials, no region), said
 * once, before any object is read, rather than by every object in turn.
 */
export async function awsSetupProblem(aws: Pick<AwsClients, 'credentials' | 'region'>, options: AwsCliOptions): Promise<string | undefined> {
  const profile = options.profile ?? process.env.AWS_PROFILE;
  try {
    await aws.credentials();
  } catch (error) {
    if (profile) return `AWS profile ${profile} gives no credentials: ${messageOf(error)} (is it in ~/.aws/config or ~/.aws/credentials?)`;
    return `No AWS credentials: ${messageOf(error)} (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE or --profile, or run where an IAM role is given)`;
  }
  try {
    await aws.region();
  } catch {
    return `No AWS region: give --region, or set AWS_REGION${profile ? ` or a region in profile ${profile}` : ' or a region in your AWS profile'}`;
  }
  return undefined;
}
