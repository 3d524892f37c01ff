/**
 * GetResources: the region's tagged (or once tagged) resources with all their tags, filtered by tag and
 * resource type or named by ARN, in ARN order, behind a pagination token that names the last ARN given.
 * A cursor rather than an offset, so a resource deleted or tagged between pages does not make a later
 * page skip or repeat another.
 */
import type { ArnOwner, TaggedResource } from '../agentcore/tags.js';
import { listTaggedResources } from '../agentcore/tags.js';
import { AwsError } from '../errors.js';
import { optionalInteger, optionalList, optionalString } from '../ecr/input.js';
import type { ServiceContext } from '../service.js';
import type { JsonObject } from './protocol.js';

/** The documented bounds (the API model and the GetResources reference). */
export const GET_RESOURCES_LIMITS = {
  tagFilters: 50,
  valuesPerTagFilter: 20,
  tagKeyLength: 128,
  tagValueLength: 256,
  resourceTypeFilters: 100,
  resourceTypeLength: 256,
  resourceArns: 100,
  resourceArnLength: 1011,
  resourcesPerPage: { min: 1, max: 100, default: 100 },
  tagsPerPage: { min: 100, max: 500 },
  paginationTokenLength: 2048,
  /** A PaginationToken is valid for at most 15 minutes. */
  paginationTokenLifetimeMs: 15 * 60 * 1000,
} as const;

const L = GET_RESOURCES_LIMITS;

export const invalidParameter = (message: string) => new AwsError('InvalidParameterException', 400, message);

/** A wrong JSON type is refused before the service sees it, as for ECR (ecr/input.ts). */
const wrongType = (name: string, expected: string) => new AwsError('SerializationException', 400, `Member '${name}' must be ${expected}`);

function optionalBoolean(input: JsonObject, name: string): boolean | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw wrongType(name, 'a boolean');
  return value;
}

function stringMember(value: unknown, name: string): string {
  if (typeof value !== 'string') throw wrongType(name, 'a string');
  return value;
}

interface TagFilter {
  key: string;
  /** Undefined or empty: any value. */
  values?: string[];
}

interface TypeFilter {
  service: string;
  /** The first segment of the ARN's resource part; undefined: any resource of the service. */
  type?: string;
}

interface GetResourcesRequest {
  tagFilters: TagFilter[];
  typeFilters: TypeFilter[];
  arns?: Set<string>;
  perPage: number;
  tagsPerPage?: number;
  /** The last ARN of the previous page. */
  after?: string;
  includeCompliance: boolean;
  excludeCompliant: boolean;
}

function readTagFilters(input: JsonObject): TagFilter[] {
  const list = optionalList(input, 'TagFilters') ?? [];
  if (list.length > L.tagFilters) throw invalidParameter(`TagFilters can have at most ${L.tagFilters} filters`);
  return list.map((raw, i) => {
    const path = `TagFilters[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw wrongType(path, 'an object');
    const filter = raw as JsonObject;
    const key = optionalString(filter, 'Key');
    if (key === undefined) throw invalidParameter(`${path}.Key is required: each tag filter must name a tag key`);
    if (key.length < 1 || key.length > L.tagKeyLength) throw invalidParameter(`${path}.Key must have 1 to ${L.tagKeyLength} characters`);
    const values = optionalList(filter, 'Values');
    if (values === undefined) return { key };
    if (values.length > L.valuesPerTagFilter) throw invalidParameter(`${path}.Values can have at most ${L.valuesPerTagFilter} values`);
    return {
      key,
      values: values.map((v, j) => {
        const value = stringMember(v, `${path}.Values[${j}]`);
        if (value.length > L.tagValueLength) throw invalidParameter(`${path}.Values[${j}] must have at most ${L.tagValueLength} characters`);
        return value;
      }),
    };
  });
}

/** `service` or `service:resourceType`, as embedded in ARNs (`bedrock-agentcore`, `bedrock-agentcore:runtime`). */
const RESOURCE_TYPE = /^([a-z0-9][a-z0-9-]*)(?::([A-Za-z0-9][A-Za-z0-9_.-]*))?$/;

function readTypeFilters(input: JsonObject): TypeFilter[] {
  const list = optionalList(input, 'ResourceTypeFilters') ?? [];
  if (list.length > L.resourceTypeFilters) throw invalidParameter(`ResourceTypeFilters can have at most ${L.resourceTypeFilters} resource types`);
  return list.map((raw, i) => {
    const value = stringMember(raw, `ResourceTypeFilters[${i}]`);
    const match = value.length <= L.resourceTypeLength ? RESOURCE_TYPE.exec(value) : null;
    if (!match) throw invalidParameter(`ResourceTypeFilters[${i}] must be a resource type of the form service[:resourceType], for example bedrock-agentcore:runtime`);
    return match[2] === undefined ? { service: match[1]! } : { service: match[1]!, type: match[2] };
  });
}

const ARN = /^arn:[^:\s]+:[^:\s]+:[^:\s]*:[^:\s]*:\S+$/;

function readArns(input: JsonObject): Set<string> | undefined {
  const list = optionalList(input, 'ResourceARNList');
  if (list === undefined) return undefined;
  if (list.length < 1 || list.length > L.resourceArns) throw invalidParameter(`ResourceARNList must have 1 to ${L.resourceArns} ARNs`);
  return new Set(
    list.map((raw, i) => {
      const arn = stringMember(raw, `ResourceARNList[${i}]`);
      if (arn.length < 1 || arn.length > L.resourceArnLength || !ARN.test(arn)) throw invalidParameter(`ResourceARNList[${i}] is not a valid Amazon Resource Name (ARN)`);
      return arn;
    }),
  );
}

function readInteger(input: JsonObject, name: string, bounds: { min: number; max: number }): number | undefined {
  const value = optionalInteger(input, name);
  if (value !== undefined && (value < bounds.min || value > bounds.max)) throw invalidParameter(`${name} must be between ${bounds.min} and ${bounds.max}`);
  return value;
}

interface TokenBody {
  /** The last ARN of the page the token ends. */
  a: string;
  /** When the token was issued, in ms. */
  t: number;
}

function encodeToken(after: string, now: number): string {
  return Buffer.from(JSON.stringify({ a: after, t: now } satisfies TokenBody)).toString('base64url');
}

/** The last ARN of the previous page; a token not of ours is malformed, one older than 15 minutes expired. */
function decodeToken(token: string, now: number): string {
  const malformed = () => invalidParameter('PaginationToken is not a token returned by a previous GetResources call');
  if (token.length > L.paginationTokenLength || !/^[A-Za-z0-9_-]+$/.test(token)) throw malformed();
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw malformed();
  }
  const { a, t } = (typeof body === 'object' && body !== null ? body : {}) as Partial<TokenBody>;
  if (typeof a !== 'string' || typeof t !== 'number' || !Number.isFinite(t)) throw malformed();
  if (now - t > L.paginationTokenLifetimeMs) {
    throw new AwsError('PaginationTokenExpiredException', 400, 'The PaginationToken has expired: a token is valid for 15 minutes');
  }
  return a;
}

export function readRequest(input: JsonObject, now: number): GetResourcesRequest {
  const tagFilters = readTagFilters(input);
  const typeFilters = readTypeFilters(input);
  const arns = readArns(input);
  const perPage = readInteger(input, 'ResourcesPerPage', L.resourcesPerPage);
  const tagsPerPage = readInteger(input, 'TagsPerPage', L.tagsPerPage);
  const token = optionalString(input, 'PaginationToken');
  const includeCompliance = optionalBoolean(input, 'IncludeComplianceDetails') ?? false;
  const excludeCompliant = optionalBoolean(input, 'ExcludeCompliantResources') ?? false;
  if (arns) {
    if (tagFilters.length > 0 || typeFilters.length > 0) throw invalidParameter('ResourceARNList cannot be combined with TagFilters or ResourceTypeFilters');
    // The API reference: ResourceARNList and the pagination parameters exclude each other.
    if (perPage !== undefined || tagsPerPage !== undefined || token) throw invalidParameter('ResourceARNList cannot be combined with ResourcesPerPage, TagsPerPage or PaginationToken');
  }
  if (excludeCompliant && !includeCompliance) throw invalidParameter('ExcludeCompliantResources can be true only when IncludeComplianceDetails is true');
  return {
    tagFilters,
    typeFilters,
    ...(arns ? { arns } : {}),
    perPage: perPage ?? L.resourcesPerPage.default,
    ...(tagsPerPage !== undefined ? { tagsPerPage } : {}),
    // An empty token is the documented way to ask for the first page.
    ...(token ? { after: decodeToken(token, now) } : {}),
    includeCompliance,
    excludeCompliant,
  };
}

/** A resource matches a filter when it has the key and, if the filter lists values, one of them. */
function matchesTags(tags: Record<string, string>, filters: TagFilter[]): boolean {
  return filters.every((f) => Object.hasOwn(tags, f.key) && (!f.values?.length || f.values.includes(tags[f.key]!)));
}

/** `arn:partition:service:region:account:resource`: the service, and the first segment of the resource. */
function resourceTypeOf(arn: string): { service: string; type: string } {
  const parts = arn.split(':');
  return { service: parts[2] ?? '', type: parts.slice(5).join(':').split(/[/:]/)[0] ?? '' };
}

function matchesTypes(arn: string, filters: TypeFilter[]): boolean {
  if (filters.length === 0) return true;
  const { service, type } = resourceTypeOf(arn);
  return filters.some((f) => f.service === service && (f.type === undefined || f.type === type));
}

export interface ResourceTagMapping {
  ResourceARN: string;
  Tags: { Key: string; Value: string }[];
  ComplianceDetails?: { NoncompliantKeys: string[]; KeysWithNoncompliantValues: string[]; ComplianceStatus: boolean };
}

export interface GetResourcesOutput {
  ResourceTagMappingList: ResourceTagMapping[];
  /** The empty string when there is no further page, as AWS answers. */
  PaginationToken: string;
}

/**
 * Answers GetResources for a region. `owners` say whether an ARN still names a resource: one whose
 * deletion has completed, though nothing has looked at it since, is settled away and not listed.
 */
export function getResources(input: JsonObject, ctx: ServiceContext, region: string, owners: ArnOwner[]): GetResourcesOutput {
  const now = ctx.clock.now();
  const request = readRequest(input, now);
  // No tag policy exists here, so every resource is compliant: ExcludeCompliantResources leaves none.
  const candidates = request.excludeCompliant
    ? []
    : listTaggedResources(ctx, region).filter(
        (r) =>
          (request.after === undefined || r.arn > request.after) &&
          (!request.arns || request.arns.has(r.arn)) &&
          matchesTypes(r.arn, request.typeFilters) &&
          matchesTags(r.tags, request.tagFilters),
      );
  const exists = (arn: string) => owners.some((owns) => owns(ctx, region, arn));
  const page: TaggedResource[] = [];
  let tagCount = 0;
  let more = false;
  for (const resource of candidates) {
    if (!exists(resource.arn)) continue;
    // TagsPerPage counts a resource without tags as one tag, and never splits a resource across pages.
    const weight = Math.max(1, Object.keys(resource.tags).length);
    const full = page.length >= request.perPage || (request.tagsPerPage !== undefined && page.length > 0 && tagCount + weight > request.tagsPerPage);
    if (full) {
      more = true;
      break;
    }
    page.push(resource);
    tagCount += weight;
  }
  return {
    ResourceTagMappingList: page.map((r) => ({
      ResourceARN: r.arn,
      Tags: Object.keys(r.tags)
        .sort()
        .map((Key) => ({ Key, Value: r.tags[Key]! })),
      ...(request.includeCompliance ? { ComplianceDetails: { NoncompliantKeys: [], KeysWithNoncompliantValues: [], ComplianceStatus: true } } : {}),
    })),
    PaginationToken: more ? encodeToken(page[page.length - 1]!.arn, now) : '',
  };
}
