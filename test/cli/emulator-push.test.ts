/** `agentcore-operator emulator push IMAGE`, as a user runs it: the image is then in the emulator's ECR. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { join } from 'node:path';
import { awsClients, type AwsClients } from '../../src/aws/clients.js';
import { defaultServices } from '../../src/emulator/index.js';
import { repoRoot, run } from '../helpers/cli.js';
import { REGION, startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { freePort } from '../support/controlplane/start.js';

let emulator: TestEmulator;
let aws: AwsClients;
beforeAll(async () => {
  emulator = await startTestEmulator(defaultServices());
  aws = awsClients({ endpointUrl: emulator.url, region: REGION, credentials: emulator.clientConfig.credentials, maxAttempts: 1 });
});
afterAll(async () => {
  aws.destroy();
  await emulator.close();
});

const push = (...args: string[]) => run(process.execPath, [join(repoRoot, 'dist', 'cli', 'main.js'), 'emulator', 'push', ...args], { ...process.env });

describe('emulator push', () => {
  test('pushes the image and prints its digest, which the emulator\'s ECR then reports for the tag', async () => {
    const pushed = await push('123456789012.dkr.ecr.us-west-2.amazonaws.com/pushed-agent:2.0', '--endpoint-url', emulator.url);
    expect([pushed.code, pushed.stdout]).toEqual([0, expect.stringMatching(/^sha256:[0-9a-f]{64}\n$/)]);
    const images = await aws.ecr.send(new DescribeImagesCommand({ repositoryName: 'pushed-agent', imageIds: [{ imageTag: '2.0' }] }));
    expect(images.imageDetails?.[0]?.imageDigest).toBe(pushed.stdout.trim());
  });

  test('an image of another account goes to that account\'s registry, and only there', async () => {
    const pushed = await push('999999999999.dkr.ecr.us-west-2.amazonaws.com/partner-agent:1', '--endpoint-url', emulator.url);
    expect(pushed.code).toBe(0);
    const theirs = await aws.ecr.send(new DescribeImagesCommand({ registryId: '999999999999', repositoryName: 'partner-agent', imageIds: [{ imageTag: '1' }] }));
    expect([theirs.imageDetails?.[0]?.imageDigest, theirs.imageDetails?.[0]?.registryId]).toEqual([pushed.stdout.trim(), '999999999999']);
    await expect(aws.ecr.send(new DescribeImagesCommand({ repositoryName: 'partner-agent' }))).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
  });

  test('an image that is not an ECR one, or no emulator at the address, is a message and exit 1', async () => {
    expect(await push('docker.io/library/nginx:1', '--endpoint-url', emulator.url)).toMatchObject({ code: 1, stderr: 'not an ECR image with a tag: docker.io/library/nginx:1 (ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY[:TAG])\n' });
    const closed = `http://127.0.0.1:${await freePort()}`;
    expect(await push('123456789012.dkr.ecr.us-west-2.amazonaws.com/a:1', '--endpoint-url', closed)).toMatchObject({ code: 1, stderr: `no emulator answers at ${closed}: connect ECONNREFUSED ${closed.slice(7)}\n` });
  });
});
