import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { BatchGetImageCommand, DescribeImagesCommand, ECRClient, paginateDescribeImages, type ImageDetail } from '@aws-sdk/client-ecr';
import { ecrService } from '../../src/emulator/ecr/index.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { failure } from '../helpers/failure.js';

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const digestOf = (fill: string) => `sha256:${fill.repeat(64)}`;

let emulator: TestEmulator;
let ecr: ECRClient;

beforeAll(async () => {
  emulator = await startTestEmulator([ecrService()]);
  ecr = new ECRClient(emulator.clientConfig);
});
afterAll(async () => {
  ecr.destroy();
  await emulator.close();
});
afterEach(() => emulator.admin('POST', 'reset'));

function push(repository: string, tag?: string, digest?: string, region = 'us-west-2') {
  return emulator.admin<{ digest: string }>('POST', 'ecr/push', { region, repository, tag, digest });
}

async function resolveTag(repositoryName: string, imageTag: string): Promise<string | undefined> {
  const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag }] }));
  return imageDetails?.[0]?.imageDigest;
}


describe('ECR push and tag resolution', () => {
  test('a pushed tag resolves to its digest, with the details ECR reports', async () => {
    const { digest } = await push('support-agent', '1.4.2', digestOf('a'));
    expect(digest).toBe(digestOf('a'));

    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: 'support-agent', imageIds: [{ imageTag: '1.4.2' }] }));
    expect(imageDetails).toHaveLength(1);
    const detail = imageDetails![0]!;
    expect(detail).toMatchObject({
      registryId: '123456789012',
      repositoryName: 'support-agent',
      imageDigest: digestOf('a'),
      imageTags: ['1.4.2'],
      imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      artifactMediaType: 'application/vnd.docker.container.image.v1+json',
    });
    expect(detail.imageSizeInBytes).toBeGreaterThan(0);
    expect(detail.imagePushedAt).toBeInstanceOf(Date);
    expect(Math.abs(detail.imagePushedAt!.getTime() - Date.now())).toBeLessThan(60_000);
  });

  test('a push without a digest gets a fresh sha256 digest', async () => {
    const first = await push('support-agent', 'latest');
    const second = await push('support-agent', 'latest');
    expect(first.digest).toMatch(DIGEST);
    expect(second.digest).toMatch(DIGEST);
    expect(second.digest).not.toBe(first.digest);
  });

  test('a re-pushed tag resolves to the new digest and the old image stays, untagged', async () => {
    await push('support-agent', '1.4.2', digestOf('a'));
    await push('support-agent', '1.4.2', digestOf('b'));

    expect(await resolveTag('support-agent', '1.4.2')).toBe(digestOf('b'));
    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: 'support-agent', imageIds: [{ imageDigest: digestOf('a') }] }));
    expect(imageDetails).toHaveLength(1);
    expect(imageDetails![0]!.imageDigest).toBe(digestOf('a'));
    expect(imageDetails![0]!.imageTags).toBeUndefined();
  });

  test('pushing a known digest under another tag adds the tag to the same image', async () => {
    await push('support-agent', '1.4.2', digestOf('a'));
    await push('support-agent', 'stable', digestOf('a'));
    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: 'support-agent' }));
    expect(imageDetails).toHaveLength(1);
    expect(imageDetails![0]!.imageTags).toEqual(['1.4.2', 'stable']);
  });

  test('repositories belong to a region', async () => {
    await push('support-agent', '1.4.2', digestOf('c'), 'us-east-1');
    const east = new ECRClient({ ...emulator.clientConfig, region: 'us-east-1' });
    try {
      expect((await east.send(new DescribeImagesCommand({ repositoryName: 'support-agent', imageIds: [{ imageTag: '1.4.2' }] }))).imageDetails?.[0]?.imageDigest).toBe(digestOf('c'));
    } finally {
      east.destroy();
    }
    expect(await failure(resolveTag('support-agent', '1.4.2'))).toMatchObject({ name: 'RepositoryNotFoundException', status: 400 });
  });

  test('the admin push refuses a malformed digest or repository name', async () => {
    await expect(push('support-agent', '1.0', 'sha256:ABC')).rejects.toThrow(/400/);
    await expect(push('Support_Agent', '1.0')).rejects.toThrow(/400/);
  });
});

describe('DescribeImages', () => {
  test('lists a repository page by page, and filters by tag status', async () => {
    for (let i = 0; i < 5; i += 1) await push('support-agent', `1.0.${i}`, digestOf(String(i)));
    await push('support-agent', '1.0.0', digestOf('9'));

    const pages: ImageDetail[][] = [];
    for await (const page of paginateDescribeImages({ client: ecr, pageSize: 2 }, { repositoryName: 'support-agent' })) pages.push(page.imageDetails ?? []);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 2]);
    expect(pages.flat().map((d) => d.imageDigest)).toEqual(['0', '1', '2', '3', '4', '9'].map(digestOf));

    const untagged = await ecr.send(new DescribeImagesCommand({ repositoryName: 'support-agent', filter: { tagStatus: 'UNTAGGED' } }));
    expect(untagged.imageDetails?.map((d) => d.imageDigest)).toEqual([digestOf('0')]);
    const tagged = await ecr.send(new DescribeImagesCommand({ repositoryName: 'support-agent', filter: { tagStatus: 'TAGGED' } }));
    expect(tagged.imageDetails).toHaveLength(5);
  });

  test('an unknown repository or tag fails as the SDK models it', async () => {
    await push('support-agent', '1.4.2');
    expect(await failure(resolveTag('no-such-repo', '1.4.2'))).toEqual({
      name: 'RepositoryNotFoundException',
      status: 400,
      message: "The repository with name 'no-such-repo' does not exist in the registry with id '123456789012'",
    });
    expect(await failure(resolveTag('support-agent', '9.9.9'))).toMatchObject({ name: 'ImageNotFoundException', status: 400 });
    expect(await failure(ecr.send(new DescribeImagesCommand({ repositoryName: 'support-agent', registryId: '210987654321' })))).toMatchObject({
      name: 'RepositoryNotFoundException',
      message: expect.stringContaining("registry with id '210987654321'"),
    });
  });

  test('invalid parameters are an InvalidParameterException', async () => {
    await push('support-agent', '1.4.2');
    const cases = [
      new DescribeImagesCommand({ repositoryName: 'Support_Agent' }),
      new DescribeImagesCommand({ repositoryName: 'support-agent', maxResults: 0 }),
      new DescribeImagesCommand({ repositoryName: 'support-agent', imageIds: [{ imageTag: '1.4.2' }], maxResults: 5 }),
      new DescribeImagesCommand({ repositoryName: 'support-agent', imageIds: [{}] }),
      new DescribeImagesCommand({ repositoryName: 'support-agent', nextToken: 'not-a-token' }),
    ];
    for (const command of cases) expect(await failure(ecr.send(command))).toMatchObject({ name: 'InvalidParameterException', status: 400 });
  });
});

describe('BatchGetImage', () => {
  test('returns the manifest of each image found and a failure for each one not', async () => {
    await push('support-agent', '1.4.2', digestOf('a'));
    await push('support-agent', '1.5.0', digestOf('b'));
    const { images, failures } = await ecr.send(
      new BatchGetImageCommand({
        repositoryName: 'support-agent',
        imageIds: [{ imageTag: '1.4.2' }, { imageDigest: digestOf('b') }, { imageTag: 'missing' }, { imageTag: '1.4.2', imageDigest: digestOf('b') }, {}],
      }),
    );
    expect(images?.map((i) => i.imageId)).toEqual([{ imageDigest: digestOf('a'), imageTag: '1.4.2' }, { imageDigest: digestOf('b') }]);
    const manifest = JSON.parse(images![0]!.imageManifest!) as { schemaVersion: number; layers: unknown[] };
    expect(manifest.schemaVersion).toBe(2);
    expect(images![0]!.imageManifestMediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(failures?.map((f) => [f.imageId, f.failureCode])).toEqual([
      [{ imageTag: 'missing' }, 'ImageNotFound'],
      [{ imageTag: '1.4.2', imageDigest: digestOf('b') }, 'ImageTagDoesNotMatchDigest'],
      [{}, 'MissingDigestAndTag'],
    ]);
  });

  test('an image is not returned in a media type the caller does not accept', async () => {
    await push('support-agent', '1.4.2');
    const { images, failures } = await ecr.send(
      new BatchGetImageCommand({ repositoryName: 'support-agent', imageIds: [{ imageTag: '1.4.2' }], acceptedMediaTypes: ['application/vnd.oci.image.manifest.v1+json'] }),
    );
    expect(images).toEqual([]);
    expect(failures?.[0]?.failureCode).toBe('ImageNotFound');
  });

  test('an unknown repository fails the whole call', async () => {
    expect(await failure(ecr.send(new BatchGetImageCommand({ repositoryName: 'no-such-repo', imageIds: [{ imageTag: 'x' }] })))).toMatchObject({
      name: 'RepositoryNotFoundException',
      status: 400,
    });
  });
});

describe('ECR faults', () => {
  test('injected server errors are retried by the SDK until the call succeeds', async () => {
    const { digest } = await push('support-agent', '1.4.2');
    await emulator.admin('PUT', 'faults', { rules: [{ operation: 'DescribeImages', kind: 'internal', rate: 1, count: 2 }] });
    await emulator.admin('DELETE', 'counters');

    const output = await ecr.send(new DescribeImagesCommand({ repositoryName: 'support-agent', imageIds: [{ imageTag: '1.4.2' }] }));
    expect(output.imageDetails?.[0]?.imageDigest).toBe(digest);
    expect(output.$metadata.attempts).toBe(3);
    expect(await emulator.admin('GET', 'counters')).toEqual({ 'ecr:DescribeImages': { InternalServerException: 2, ok: 1 } });
  });

  test('a server error that outlasts the retries surfaces as ECR ServerException', async () => {
    await push('support-agent', '1.4.2');
    await emulator.admin('PUT', 'faults', { rules: [{ operation: 'DescribeImages', kind: 'internal', rate: 1 }] });
    const client = new ECRClient({ ...emulator.clientConfig, maxAttempts: 1 });
    try {
      expect(await failure(client.send(new DescribeImagesCommand({ repositoryName: 'support-agent' })))).toMatchObject({ name: 'ServerException', status: 500 });
    } finally {
      client.destroy();
    }
  });

  test('injected throttling is ThrottlingException, retried too', async () => {
    await push('support-agent', '1.4.2');
    await emulator.admin('PUT', 'faults', { rules: [{ operation: 'DescribeImages', kind: 'throttle', rate: 1, count: 1 }] });
    const output = await ecr.send(new DescribeImagesCommand({ repositoryName: 'support-agent' }));
    expect(output.$metadata.attempts).toBe(2);

    await emulator.admin('PUT', 'faults', { rules: [{ operation: 'DescribeImages', kind: 'throttle', rate: 1 }] });
    const client = new ECRClient({ ...emulator.clientConfig, maxAttempts: 1 });
    try {
      expect(await failure(client.send(new DescribeImagesCommand({ repositoryName: 'support-agent' })))).toMatchObject({ name: 'ThrottlingException', status: 400 });
    } finally {
      client.destroy();
    }
  });
});
