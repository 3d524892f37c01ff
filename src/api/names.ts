/**
 * How an AWS resource name is derived from metadata.name when the spec does not set one.
 * metadata.name is an RFC 1123 subdomain (lower-case letters, digits, '-' and '.'), so each style
 * only has to map '-' and '.' onto what AWS allows, and say which names cannot be derived.
 */
import type { CelRule } from './schema.js';

export type NameStyle =
  /** AgentRuntime and Memory: letters, digits and underscores, starting with a letter, at most 48. */
  | { kind: 'underscore'; maxLength: number }
  /** Gateway and GatewayTarget: letters and digits, single hyphens between them, at most N alphanumerics. */
  | { kind: 'hyphen'; maxAlphanumerics: number }
  /** Credential providers: letters, digits, '-' and '_', at most N characters. */
  | { kind: 'dotToHyphen'; maxLength: number }
  /** Workload identities accept metadata.name as it is, given at least N characters. */
  | { kind: 'verbatim'; minLength: number };

export interface AwsNameRule {
  /** The spec field that sets the AWS name explicitly. */
  field: string;
  style: NameStyle;
  /** Names are unique per account, or only within the object a spec reference points at. */
  uniqueWithin?: { ref: string };
}

export function deriveAwsName(style: NameStyle, metadataName: string): string {
  switch (style.kind) {
    case 'underscore':
      return metadataName.replace(/[-.]/g, '_');
    case 'hyphen':
      return metadataName.replace(/[-.]+/g, '-');
    case 'dotToHyphen':
      return metadataName.replace(/\./g, '-');
    case 'verbatim':
      return metadataName;
  }
}

/** The regular expression a metadata.name must match for its derived AWS name to be valid. */
export function derivableNamePattern(style: NameStyle): string {
  switch (style.kind) {
    case 'underscore':
      return `^[a-z][-.a-z0-9]{0,${style.maxLength - 1}}$`;
    case 'hyphen':
      return `^([a-z0-9][-.]*){1,${style.maxAlphanumerics}}$`;
    case 'dotToHyphen':
      return `^.{1,${style.maxLength}}$`;
    case 'verbatim':
      return `^.{${style.minLength},}$`;
  }
}

function requirement(style: NameStyle): string {
  switch (style.kind) {
    case 'underscore':
      return `start with a letter and have at most ${style.maxLength} characters`;
    case 'hyphen':
      return `have at most ${style.maxAlphanumerics} letters and digits`;
    case 'dotToHyphen':
      return `have at most ${style.maxLength} characters`;
    case 'verbatim':
      return `have at least ${style.minLength} characters`;
  }
}

/** The object-level CEL rule: either the spec names the AWS resource, or metadata.name can be derived. */
export function derivableNameRule(rule: AwsNameRule): CelRule {
  return {
    rule: `has(self.spec.${rule.field}) || self.metadata.name.matches('${derivableNamePattern(rule.style)}')`,
    message: `must ${requirement(rule.style)} to derive the AWS name; otherwise set spec.${rule.field}`,
    fieldPath: '.metadata.name',
  };
}

/** The AWS name of an object: the explicit spec field, or the name derived from metadata.name. */
export function awsNameOf(rule: AwsNameRule, object: { metadata: { name: string }; spec: object }): string {
  const explicit = (object.spec as Record<string, unknown>)[rule.field];
  return typeof explicit === 'string' ? explicit : deriveAwsName(rule.style, object.metadata.name);
}
