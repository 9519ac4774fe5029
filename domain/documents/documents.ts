import * as z from 'zod';
import {
  parseRegistrantQuery,
  type QueryError,
  type RegistrantFilters,
  type RegistrantRow,
} from '../projections/registrant-list.js';
import { foldForSearch } from '../projections/registrant-search.js';

/**
 * Documents for a whole conference, made in the background (CONTRACT 5.5): what may be asked for, the
 * status a request is in, and the order of the List of Participants. Pure: the clock comes in.
 */

export const documentKinds = ['badges', 'registrations-csv', 'participants-list'] as const;
export type DocumentKind = (typeof documentKinds)[number];

/** The seat holders' statuses: badges and the List of Participants are for them only. */
export const SEAT_STATUSES = ['registered', 'checked-in'] as const;

/** The filter as sent: the registrant list's query fields as an object (status may be a list or comma-separated). */
export const documentFilterSchema = z
  .object({
    status: z.union([z.string().max(200), z.array(z.string().max(40)).min(1).max(8)]).optional(),
    country: z.string().max(10).optional(),
    category: z.string().max(60).optional(),
    q: z.string().max(400).optional(),
    delegationId: z
      .string()
      .regex(/^[\w-]{1,64}$/, 'must be a delegation id')
      .optional(),
  })
  .strict();

export const documentRequestSchema = z
  .object({ kind: z.enum(documentKinds), filter: documentFilterSchema.optional() })
  .strict();

export type DocumentRequest = z.infer<typeof documentRequestSchema>;

/** What a document selects: the list's filters, and a delegation (read from the rows, when they carry one). */
export interface DocumentSelection {
  filters: RegistrantFilters;
  delegationId?: string;
}

/**
 * The selection of a request, or the errors that make it a 400: the list's own parser checks the
 * fields (one meaning of `status`, `country`, `category`, `q` everywhere); badges and the List of
 * Participants keep the seat holders among the statuses asked for (default: every seat holder), the CSV
 * takes them as they are (default: every registration, as the synchronous CSV).
 */
export const selectionOf = (
  request: DocumentRequest,
): { selection: DocumentSelection } | { errors: QueryError[] } => {
  const filter = request.filter ?? {};
  const parameters: Record<string, string> = {};
  if (filter.status !== undefined)
    parameters.status = Array.isArray(filter.status) ? filter.status.join(',') : filter.status;
  if (filter.country !== undefined) parameters.country = filter.country;
  if (filter.category !== undefined) parameters.category = filter.category;
  if (filter.q !== undefined) parameters.q = filter.q;
  const parsed = parseRegistrantQuery(parameters, { paged: false });
  if ('errors' in parsed)
    return { errors: parsed.errors.map((error) => ({ ...error, path: `filter.${error.path}` })) };
  const filters = { ...parsed.query.filters };
  if (request.kind !== 'registrations-csv') {
    const statuses = (filters.statuses ?? [...SEAT_STATUSES]).filter((status) =>
      (SEAT_STATUSES as readonly string[]).includes(status),
    );
    if (statuses.length === 0)
      return {
        errors: [
          {
            path: 'filter.status',
            message: `${request.kind} are printed for seat holders only: name at least one of ${SEAT_STATUSES.join(', ')}`,
          },
        ],
      };
    filters.statuses = statuses;
  }
  return {
    selection: {
      filters,
      ...(filter.delegationId !== undefined ? { delegationId: filter.delegationId } : {}),
    },
  };
};

// ---------------------------------------------------------------------------------------------------
// Rows as the documents read them: the registrant list's, with what later issues add when present.

/** A registrant row with the fields of the approval issue, when its projection has them. */
export type DocumentRow = RegistrantRow & {
  delegationId?: string | null;
  delegationName?: string | null;
  consentToPublish?: boolean | null;
};

/** Whether a row belongs to the selection's delegation (a row without one belongs to none). */
export const inDelegation = (row: DocumentRow, delegationId: string | undefined): boolean =>
  delegationId === undefined || row.delegationId === delegationId;

/** The List of Participants names only those who consented to publication (absent: not consenting). */
export const publishable = (row: DocumentRow): boolean => row.consentToPublish === true;

/** A participant as listed: no email, no city (CONTRACT 5.5 publishes names, organization and country). */
export interface Participant {
  delegation: string;
  familyName: string;
  givenName: string;
  organization: string | null;
  country: string;
}

export const NO_DELEGATION = '';

export const participantOf = (row: DocumentRow): Participant => ({
  delegation: row.delegationName ?? row.delegationId ?? NO_DELEGATION,
  familyName: row.familyName,
  givenName: row.givenName,
  organization: row.organization,
  country: row.country,
});

const collationKey = (text: string) => foldForSearch(text).trim();

/** By delegation (those of none last), then family name, then given name, ignoring case and accents. */
export const byDelegationThenName = (a: Participant, b: Participant): number => {
  if (a.delegation !== b.delegation) {
    if (a.delegation === NO_DELEGATION) return 1;
    if (b.delegation === NO_DELEGATION) return -1;
  }
  const keys = (p: Participant) => [
    collationKey(p.delegation),
    collationKey(p.familyName),
    collationKey(p.givenName),
  ];
  const [ka, kb] = [keys(a), keys(b)];
  for (let i = 0; i < ka.length; i++) {
    const order = (ka[i] ?? '').localeCompare(kb[i] ?? '');
    if (order !== 0) return order;
  }
  return 0;
};

// ---------------------------------------------------------------------------------------------------
// The status of a document.

export type DocumentState = 'running' | 'done' | 'failed';

/** The status item as stored (no personal data: ids, the filter's values, counts, instants, a link). */
export interface DocumentStatus {
  documentId: string;
  conferenceId: string;
  kind: DocumentKind;
  request: DocumentRequest;
  status: DocumentState;
  done: number;
  total: number;
  /** Where the file is, once done (the export store's reference: a link, or an object key). */
  location?: string;
  /** When the link stops working (ISO instant). */
  expiresAt?: string;
  reason?: string;
  createdAt: string;
  /** Past it, a document still `running` has failed: its function timed out or died (ISO instant). */
  deadline: string;
}

/** What GET answers (CONTRACT 5.5), as of `now`: a document running past its deadline has failed. */
export const documentView = (stored: DocumentStatus, now: Date) => {
  const timedOut = stored.status === 'running' && now.getTime() > Date.parse(stored.deadline);
  const status: DocumentState = timedOut ? 'failed' : stored.status;
  return {
    documentId: stored.documentId,
    kind: stored.kind,
    status,
    done: stored.done,
    total: stored.total,
    ...(status === 'done' && stored.location !== undefined ? { location: stored.location } : {}),
    ...(status === 'done' && stored.expiresAt !== undefined ? { expiresAt: stored.expiresAt } : {}),
    ...(status === 'failed'
      ? {
          reason: timedOut
            ? `The document was not finished by ${stored.deadline}: its function timed out or stopped`
            : (stored.reason ?? 'The document could not be made'),
        }
      : {}),
  };
};

/**
 * How often progress is written: every `step` items, so that a document writes its status about 50 times
 * however large (20,000 badges: every 400 badges), and a small one not on every item.
 */
export const progressStep = (total: number): number => Math.max(25, Math.ceil(total / 50));
