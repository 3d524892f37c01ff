/**
 * meta.k8s.io/v1 Table answers (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), built the way
 * kube-apiserver builds them:
 * - custom resources: a `Name` column, then the CRD's additionalPrinterColumns (or a single `Age` date
 *   column when the CRD declares none), cells evaluated with JSONPath as apiextensions-apiserver's
 *   tableconvertor does — `string` columns print any value, `integer`/`number`/`boolean` keep the value
 *   when it has that type, `date` columns become a human-readable age ("5m", "3d4h"), and a missing
 *   value is null (kubectl shows `<none>`);
 * - built-in kinds: the columns of kube-apiserver's internal printers (always generated "wide", so
 *   priority-1 columns carry cells too), with ages computed by the server; kinds without a printer
 *   (Role, ClusterRole, CustomResourceDefinition, …) get the default `Name` + `Created At` columns.
 * Each row carries the object as PartialObjectMetadata (includeObject=Metadata, the default), the whole
 * object (Object) or null (None).
 */
import { isObject } from './json.js';
import { compileJsonPath, formatJsonPathValue } from './jsonpath.js';
import type { KubeObject, PrinterColumn, ResourceType } from './types.js';

export interface TableOptions {
  includeObject?: 'None' | 'Metadata' | 'Object';
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
  /** TableOptions.noHeaders: leave out columnDefinitions. */
  noHeaders?: boolean;
  /** The clock ages are measured against; defaults to the current time. */
  now?: Date;
}

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

/** metav1.ObjectMeta{}.SwaggerDoc() texts the apiserver uses as column descriptions. */
export const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
export const CREATION_TIMESTAMP_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

function column(name: string, type: string, description: string, extra: { format?: string; priority?: number } = {}): TableColumnDefinition {
  return { name, type, format: extra.format ?? '', description, priority: extra.priority ?? 0 };
}

const nameColumn = column('Name', 'string', NAME_DESCRIPTION, { format: 'name' });
const ageColumn = column('Age', 'string', CREATION_TIMESTAMP_DESCRIPTION);

type Cells = (now: Date, object: KubeObject) => unknown[];

interface Printer {
  columns: TableColumnDefinition[];
  cells: Cells;
}

export function toTable(type: ResourceType, objects: KubeObject[], opts: TableOptions): Record<string, unknown> {
  const now = opts.now ?? new Date();
  const printer = type.custom ? customResourcePrinter(type.printerColumns) : builtInPrinter(type);
  const rows = objects.map((object) => ({ cells: printer.cells(now, object), object: rowObject(object, opts.includeObject) }));
  const metadata: Record<string, unknown> = { resourceVersion: opts.resourceVersion };
  if (opts.continue) metadata.continue = opts.continue;
  if (opts.remainingItemCount !== undefined) metadata.remainingItemCount = opts.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    ...(opts.noHeaders ? {} : { columnDefinitions: printer.columns }),
    rows,
  };
}

function rowObject(object: KubeObject, include: TableOptions['includeObject']): unknown {
  switch (include ?? 'Metadata') {
    case 'None':
      return null;
    case 'Object':
      return object;
    case 'Metadata':
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
  }
}

// ---- custom resources -------------------------------------------------------------------------

/** apiextensions-apiserver serves this single column when a CRD version declares none. */
const DEFAULT_CR_COLUMNS: PrinterColumn[] = [
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: CREATION_TIMESTAMP_DESCRIPTION },
];

function customResourcePrinter(printerColumns: PrinterColumn[]): Printer {
  const declared = printerColumns.length > 0 ? printerColumns : DEFAULT_CR_COLUMNS;
  const evaluators = declared.map((c) => {
    try {
      return compileJsonPath(c.jsonPath);
    } catch {
      return () => [];
    }
  });
  const columns = [
    nameColumn,
    ...declared.map((c) =>
      column(c.name, c.type, c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`, {
        format: c.format ?? '',
        priority: c.priority ?? 0,
      }),
    ),
  ];
  return {
    columns,
    cells: (now, object) => [
      object.metadata.name ?? '',
      ...declared.map((c, i) => {
        let results: unknown[];
        try {
          results = evaluators[i]!(object);
        } catch {
          return null;
        }
        if (results.length === 0) return null;
        return customCell(c.type, results[0], now);
      }),
    ],
  };
}

/** One cell of a CRD printer column, as the apiextensions tableconvertor computes it. */
export function customCell(columnType: string, value: unknown, now: Date): unknown {
  if (columnType === 'string') return formatJsonPathValue(value);
  if (value === null || value === undefined) return null;
  switch (columnType) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      const time = parseRfc3339(value);
      if (time === undefined) return '<invalid>';
      return humanReadableAge(time, now);
    }
    default:
      return null;
  }
}

// ---- built-in kinds ---------------------------------------------------------------------------

function builtInPrinter(type: ResourceType): Printer {
  const key = `${type.group}/${type.kind}`;
  const printer = BUILT_IN_PRINTERS[key];
  if (printer) return printer;
  // rest.NewDefaultTableConvertor
  return {
    columns: [nameColumn, column('Created At', 'date', CREATION_TIMESTAMP_DESCRIPTION)],
    cells: (_now, o) => [o.metadata.name ?? '', createdAt(o.metadata.creationTimestamp)],
  };
}

function record(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {};
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function count(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  return Object.keys(record(value)).length;
}

function age(timestamp: unknown, now: Date): string {
  const time = typeof timestamp === 'string' ? parseRfc3339(timestamp) : undefined;
  if (time === undefined) return '<unknown>';
  return humanReadableAge(time, now);
}

function createdAt(timestamp: string | undefined): string {
  const time = timestamp ? parseRfc3339(timestamp) : undefined;
  return time ? formatRfc3339(time) : '0001-01-01T00:00:00Z'; // Go's zero time
}

function roleBindingPrinter(scope: 'roleBinding' | 'clusterRoleBinding'): Printer {
  return {
    columns: [
      nameColumn,
      column('Role', 'string', 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.'),
      ageColumn,
      column('Users', 'string', `Users in the ${scope}`, { priority: 1 }),
      column('Groups', 'string', `Groups in the ${scope}`, { priority: 1 }),
      column('ServiceAccounts', 'string', `ServiceAccounts in the ${scope}`, { priority: 1 }),
    ],
    cells: (now, o) => {
      const roleRef = record(o.roleRef);
      const users: string[] = [];
      const groups: string[] = [];
      const serviceAccounts: string[] = [];
      for (const s of Array.isArray(o.subjects) ? o.subjects : []) {
        const subject = record(s);
        if (subject.kind === 'User') users.push(str(subject.name));
        else if (subject.kind === 'Group') groups.push(str(subject.name));
        else if (subject.kind === 'ServiceAccount') serviceAccounts.push(`${str(subject.namespace)}:${str(subject.name)}`);
      }
      return [
        o.metadata.name ?? '',
        `${str(roleRef.kind)}/${str(roleRef.name)}`,
        age(o.metadata.creationTimestamp, now),
        users.join(', '),
        groups.join(', '),
        serviceAccounts.join(', '),
      ];
    },
  };
}

/** core/v1 Event and events.k8s.io/v1 Event share the apiserver's internal Event printer. */
function eventCells(now: Date, o: KubeObject): unknown[] {
  const involved = record(o.involvedObject ?? o.regarding);
  const source = record(o.source ?? o.deprecatedSource);
  const series = o.series === undefined ? undefined : record(o.series);
  const firstTimestamp = o.firstTimestamp ?? o.deprecatedFirstTimestamp;
  const lastTimestamp = o.lastTimestamp ?? o.deprecatedLastTimestamp;
  const first = firstTimestamp ? age(firstTimestamp, now) : age(o.eventTime, now);
  let last = lastTimestamp ? age(lastTimestamp, now) : first;
  let n = typeof (o.count ?? o.deprecatedCount) === 'number' ? ((o.count ?? o.deprecatedCount) as number) : 0;
  if (series) {
    last = age(series.lastObservedTime, now);
    n = typeof series.count === 'number' ? series.count : 0;
  } else if (n === 0) {
    n = 1;
  }
  const kind = str(involved.kind).toLowerCase();
  const target = str(involved.name) ? `${kind}/${str(involved.name)}` : kind;
  const component = str(source.component) || str(o.reportingController ?? o.reportingComponent);
  const host = str(source.host) || str(o.reportingInstance);
  return [
    last,
    str(o.type),
    str(o.reason),
    target,
    str(involved.fieldPath),
    host ? `${component}, ${host}` : component,
    str(o.message ?? o.note).trim(),
    first,
    n,
    o.metadata.name ?? '',
  ];
}

const eventPrinter: Printer = {
  columns: [
    column('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
    column('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    column('Object', 'string', 'The object that this event is about.'),
    column('Subobject', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].', { priority: 1 }),
    column('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', { priority: 1 }),
    column('Message', 'string', 'A human-readable description of the status of this operation.'),
    column('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', { priority: 1 }),
    column('Count', 'string', 'The number of times this event has occurred.', { priority: 1 }),
    { ...nameColumn, priority: 1 },
  ],
  cells: eventCells,
};

const BUILT_IN_PRINTERS: Record<string, Printer> = {
  '/Namespace': {
    columns: [nameColumn, column('Status', 'string', 'The status of the namespace'), ageColumn],
    cells: (now, o) => [o.metadata.name ?? '', str(record(o.status).phase), age(o.metadata.creationTimestamp, now)],
  },
  '/Secret': {
    columns: [
      nameColumn,
      column('Type', 'string', 'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types'),
      column('Data', 'string', "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4"),
      ageColumn,
    ],
    cells: (now, o) => [o.metadata.name ?? '', str(o.type), count(o.data), age(o.metadata.creationTimestamp, now)],
  },
  '/ConfigMap': {
    columns: [
      nameColumn,
      column('Data', 'string', "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process."),
      ageColumn,
    ],
    cells: (now, o) => [o.metadata.name ?? '', count(o.data) + count(o.binaryData), age(o.metadata.creationTimestamp, now)],
  },
  '/ServiceAccount': {
    columns: [
      nameColumn,
      column('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. More info: https://kubernetes.io/docs/concepts/configuration/secret'),
      ageColumn,
    ],
    cells: (now, o) => [o.metadata.name ?? '', count(o.secrets), age(o.metadata.creationTimestamp, now)],
  },
  '/Event': eventPrinter,
  'events.k8s.io/Event': eventPrinter,
  'coordination.k8s.io/Lease': {
    columns: [
      nameColumn,
      column('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.'),
      ageColumn,
    ],
    cells: (now, o) => [o.metadata.name ?? '', str(record(o.spec).holderIdentity), age(o.metadata.creationTimestamp, now)],
  },
  'rbac.authorization.k8s.io/RoleBinding': roleBindingPrinter('roleBinding'),
  'rbac.authorization.k8s.io/ClusterRoleBinding': roleBindingPrinter('clusterRoleBinding'),
};

// ---- time ---------------------------------------------------------------------------------------

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** metav1.Time's parsing (RFC 3339); undefined when malformed. */
export function parseRfc3339(text: string): Date | undefined {
  if (!RFC3339.test(text)) return undefined;
  const time = new Date(text);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/** metav1.Time's encoding: RFC 3339 in UTC with whole seconds. */
export function formatRfc3339(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** meta/table.ConvertToHumanReadableDateType / translateTimestampSince: duration.HumanDuration(now - time). */
export function humanReadableAge(time: Date, now: Date): string {
  return humanDuration(now.getTime() - time.getTime());
}

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.trunc(hours / 24) % 365;
    const years = Math.trunc(hours / 24 / 365);
    return days === 0 ? `${years}y` : `${years}y${days}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}
