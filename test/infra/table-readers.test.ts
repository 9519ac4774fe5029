import type { Template } from 'aws-cdk-lib/assertions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../infra/definitions/routes.js';
import { rules } from '../../infra/definitions/rules.js';
import { schedules } from '../../infra/definitions/schedules.js';
import type { LearningCitiesStack } from '../../infra/learning-cities-stack.js';
import { arnOf, buildStack, logicalId, type Statement, statementsOf, templateOf } from './template.js';

/** What reads a table's items (a wildcard included). */
const READ_ACTIONS = /^dynamodb:(\*|Get\*|GetItem|BatchGetItem|Query|Scan|PartiQLSelect|Batch\*|Partiql\*)$/i;
/** What changes a table's items (a wildcard included). */
const WRITE_ACTIONS =
  /^dynamodb:(\*|Put\*|PutItem|Update\*|UpdateItem|Delete\*|DeleteItem|BatchWriteItem|Batch\*|PartiQL(Insert|Update|Delete)|Partiql\*)$/i;

/** Whether a statement's resource is the table or one of its indexes. */
const onTable = (resource: unknown, tableArn: unknown): boolean => {
  const arn = JSON.stringify(tableArn);
  const text = JSON.stringify(resource);
  if (text === arn || resource === '*') return true;
  // `${table.Arn}/index/*`: a Fn::Join whose parts are the table's ARN and the index suffix.
  return text.includes(arn) && text.includes('/index/');
};

/** The roles with an Allow of one of `actions` on the table (or its indexes). */
const rolesWith =
  (actions: RegExp) =>
  (template: Template, tableArn: unknown): string[] => {
    const roles: string[] = [];
    for (const [role, statements] of statementsOf(template)) {
      const may = statements.some(
        (statement: Statement) =>
          statement.Effect === 'Allow' &&
          [statement.Action].flat().some((action) => actions.test(action)) &&
          [statement.Resource].flat().some((resource) => onTable(resource, tableArn)),
      );
      if (may) roles.push(role);
    }
    return roles;
  };
const readersOf = rolesWith(READ_ACTIONS);
const writersOf = rolesWith(WRITE_ACTIONS);

describe('who may read each table (issue 16 item 2)', () => {
  let stack: LearningCitiesStack;
  let template: Template;
  const nameOf = new Map<string, string>();

  beforeAll(() => {
    stack = buildStack('prod');
    template = templateOf(stack);
    const roles: Array<[string, IRole | undefined]> = [
      ...routes.map((r): [string, IRole | undefined] => [r.name, stack.httpApi.functions.get(r.name)?.role]),
      ...rules.map((r): [string, IRole | undefined] => [
        r.name,
        stack.consumers.consumers.get(r.name)?.function.role,
      ]),
      ...schedules.map((s): [string, IRole | undefined] => [
        s.name,
        stack.scheduledJobs.functions.get(s.name)?.role,
      ]),
      ['EventPipeEnrichment', stack.eventPipe.enrichment.role],
      ['EventPipe', stack.eventPipe.role],
      ['BreakGlass', stack.personalData.breakGlassRole],
      ['MakeDocument', stack.documents.function.role],
    ];
    for (const [name, role] of roles) if (role) nameOf.set(logicalId(role), name);
  });

  const readers = (table: ITable) =>
    readersOf(template, arnOf(table))
      .map((role) => nameOf.get(role) ?? `unknown role ${role}`)
      .sort();

  /**
   * The routes whose handlers read each table, from an audit of the handlers (issue 16 item 2): what each
   * imports, and the tables each touched in a run of the end-to-end suites (TABLE_ACCESS_LOG, local/
   * table-grants.ts). Written out, not derived from the definitions, so that a definition that grants
   * more fails here.
   */
  const eventStoreRoutes = [
    'CreateConference',
    'GetConference',
    'ChangeConferenceSettings',
    'PutRegistrationForm',
    'GetRegistrationForm',
    'GetAnswersSummary',
    'RegisterDelegate',
    'GetRegistration',
    'CancelRegistration',
    'ErasePersonalData',
    'RequestVisaLetter',
    'IssueVisaLetter',
    'DeclineVisaLetter',
    'GetVisaLetterPdf',
    'ListRegistrations',
    'ExportRegistrations',
    'CheckInDelegate',
    'ChangeRegistrationDetails',
    'CheckInByCode',
    'GetCheckInCode',
    'GetRegistrationBadge',
    'GetBadges',
    'StartDocument',
    'ScheduleSession',
    'RescheduleSession',
    'CancelSession',
    'GrantAward',
    'ListAwards',
    'GetAgenda',
    'GetAgendaCalendar',
    'GetSchedule',
    'GetMissingTranslations',
    'GetDelegateCounts',
    'ListVisaLetters',
    'VerifyVisaLetter',
    'ConfirmRegistration',
    'RequestManageLink',
    'GetRegistrationPage',
    'GetConfirmationPage',
    'GetManagePage',
    // Issue 18: decisions, invitations, delegations and the List of Participants (delegation names).
    'DecideRegistrations',
    'SendInvitation',
    'ListInvitations',
    'RemindInvitation',
    'RevokeInvitation',
    'DeclineInvitation',
    'CreateDelegation',
    'GetDelegation',
    'NameHeadOfDelegation',
    'ChangeDelegationCredentials',
    'SubstituteDelegationMember',
    'GetParticipants',
  ];
  /** The conference list reads the events' catalog index only; a document's status is in the stream state only. */
  const eventsRoutes = [...eventStoreRoutes, 'ListConferences'];
  const streamStateRoutes = [...eventStoreRoutes, 'GetDocument'];
  /** The agenda, the counts and the answers' summary: read models without personal data. */
  const readModelRoutes = [
    'GetAnswersSummary',
    'GetAgenda',
    'GetAgendaCalendar',
    'GetSchedule',
    'GetMissingTranslations',
    'GetDelegateCounts',
  ];
  /** No table at all: health, the API's description and docs, the pages' scripts. */
  const tablelessRoutes = ['Health', 'GetOpenApi', 'GetDocs', 'GetDocsAsset', 'GetPageScript'];

  /**
   * The consumers, schedules, documents function and enrichment that read each table, from the same audit
   * of their handlers (each run held to its definition by the local runtime: local/table-grants.ts), written
   * out by name: a rule, schedule or function whose definition grants more fails here.
   */
  const eventsFunctions = [
    // Every projector fills a gap in a stream from its events; the notifier and the waitlist read streams.
    'DelegateCountsProjector',
    'AgendaProjector',
    'WaitlistProcess',
    'VisaLettersProjector',
    'Notifier',
    'RegistrantListProjector',
    'AnswersSummaryProjector',
    'InvitationsProjector',
    'EraseExpiredPersonalData',
    'MakeDocument',
  ];
  /** Stream tips and guards: the functions that run commands or load a stream's state; a document's status. */
  const streamStateFunctions = ['WaitlistProcess', 'Notifier', 'EraseExpiredPersonalData', 'MakeDocument'];
  /** Their own rows (projectors); the waitlist and answers' rows the retention job erases by. */
  const readModelFunctions = [
    'DelegateCountsProjector',
    'AgendaProjector',
    'WaitlistProcess',
    'AnswersSummaryProjector',
    'EraseExpiredPersonalData',
  ];
  /** The functions that open or erase personal data (a data key's item); `mac` reads no item. */
  const dataKeyFunctions = [
    'VisaLettersProjector',
    'Notifier',
    'RegistrantListProjector',
    'AnswersSummaryProjector',
    'InvitationsProjector',
    'EraseExpiredPersonalData',
  ];
  /** The enrichment reshapes the records the pipe hands it: no table at all (nor does the pipe's role). */
  const tablelessFunctions = ['EventPipeEnrichment', 'EventPipe'];

  /**
   * Who may change each table's items, written out likewise: the commands (appends: a put of an event
   * item, and the stream state's tips, guards and Idempotency-Key records), the projectors (their own
   * read model), the notifier (its once-only claims), the documents function (a document's status) and
   * the functions that make or destroy data keys.
   */
  const commandRoutes = [
    'CreateConference',
    'ChangeConferenceSettings',
    'PutRegistrationForm',
    'RegisterDelegate',
    'CancelRegistration',
    'ErasePersonalData',
    'RequestVisaLetter',
    'IssueVisaLetter',
    'DeclineVisaLetter',
    'CheckInDelegate',
    'ChangeRegistrationDetails',
    'CheckInByCode',
    'StartDocument',
    'ScheduleSession',
    'RescheduleSession',
    'CancelSession',
    'GrantAward',
    'ConfirmRegistration',
    'RequestManageLink',
    'DecideRegistrations',
    'SendInvitation',
    'RemindInvitation',
    'RevokeInvitation',
    'DeclineInvitation',
    'CreateDelegation',
    'NameHeadOfDelegation',
    'ChangeDelegationCredentials',
    'SubstituteDelegationMember',
  ];
  const declaredWriters: Record<string, string[]> = {
    Events: [...commandRoutes, 'WaitlistProcess', 'EraseExpiredPersonalData'],
    StreamState: [...commandRoutes, 'WaitlistProcess', 'EraseExpiredPersonalData', 'MakeDocument'],
    ReadModels: [
      'DelegateCountsProjector',
      'AgendaProjector',
      'WaitlistProcess',
      'Notifier',
      'AnswersSummaryProjector',
    ],
    PersonalReadModels: ['VisaLettersProjector', 'RegistrantListProjector', 'InvitationsProjector'],
    DataKeys: [
      'RegisterDelegate',
      'ChangeRegistrationDetails',
      'ErasePersonalData',
      'ConfirmRegistration',
      'CreateDelegation',
      'SendInvitation',
      'SubstituteDelegationMember',
      'EraseExpiredPersonalData',
      'BreakGlass',
    ],
  };

  it('prints the readers of each table and allows none outside its declared list', () => {
    const personalRoutes = routes
      .filter((r) => r.tables?.includes('personal-read-models'))
      .map((r) => r.name);
    const personalDataRoutes = routes
      .filter((r) => r.personalData && r.personalData !== 'mac')
      .map((r) => r.name);
    const declared: Record<string, { table: ITable; allowed: string[] }> = {
      Events: {
        table: stack.eventStore.table,
        allowed: [...eventsRoutes, ...eventsFunctions],
      },
      StreamState: {
        table: stack.eventStore.stateTable,
        allowed: [...streamStateRoutes, ...streamStateFunctions],
      },
      ReadModels: {
        table: stack.readModels.table,
        allowed: [...readModelRoutes, ...readModelFunctions],
      },
      // Plaintext names, emails, passport names: the routes that serve them and their two projectors only.
      PersonalReadModels: {
        table: stack.readModels.personalTable,
        allowed: [
          'ExportRegistrations',
          'GetBadges',
          'ListRegistrations',
          'ListVisaLetters',
          'VerifyVisaLetter',
          'RegistrantListProjector',
          'VisaLettersProjector',
          // The invitations' list (its addresses), its projector, and the retention's schedule that
          // expires and erases invitations found in it (CONTRACT 5.3).
          'ListInvitations',
          'InvitationsProjector',
          'EraseExpiredPersonalData',
          // The background documents print badges, the CSV and the List of Participants from its rows.
          'MakeDocument',
          // A delegation's members (organizer or focal point) and the public List of Participants, whose
          // entries hold only the public fields of consenting seat holders (CONTRACT 5.3).
          'GetDelegation',
          'GetParticipants',
        ],
      },
      DataKeys: {
        table: stack.personalData.table,
        allowed: [...personalDataRoutes, ...dataKeyFunctions, 'BreakGlass'],
      },
    };
    // The routes among the declared readers of the personal read models are those whose definitions say so.
    expect(personalRoutes.sort()).toEqual(
      (declared.PersonalReadModels?.allowed ?? [])
        .filter((name) => routes.some((r) => r.name === name))
        .sort(),
    );
    const report: string[] = [];
    for (const [name, { table, allowed }] of Object.entries(declared)) {
      const actual = readers(table);
      report.push(`${name} (${actual.length} readers): ${actual.join(', ')}`);
      const outside = actual.filter((reader) => !allowed.includes(reader));
      expect(outside, `roles outside the declared readers of ${name}`).toEqual([]);
    }
    console.log(`Readers of each table:\n${report.join('\n')}`);
    // Every table of the stack is declared here.
    expect(Object.keys(template.findResources('AWS::DynamoDB::Table')).sort()).toEqual(
      Object.values(declared)
        .map(({ table }) => logicalId(table))
        .sort(),
    );
    // Among the routes, exactly the declared readers: none missing either (its handler would fail).
    const routeNames = new Set(routes.map((r) => r.name));
    const routeReaders: Array<[string, ITable, string[]]> = [
      ['Events', stack.eventStore.table, eventsRoutes],
      ['StreamState', stack.eventStore.stateTable, streamStateRoutes],
      ['ReadModels', stack.readModels.table, readModelRoutes],
    ];
    for (const [name, table, list] of routeReaders) {
      expect(
        readers(table).filter((reader) => routeNames.has(reader)),
        name,
      ).toEqual([...list].sort());
    }
    // Among the consumers, schedules and the documents function too: exactly the declared readers.
    const functionReaders: Array<[string, ITable, string[]]> = [
      ['Events', stack.eventStore.table, eventsFunctions],
      ['StreamState', stack.eventStore.stateTable, streamStateFunctions],
      ['ReadModels', stack.readModels.table, readModelFunctions],
      ['DataKeys', stack.personalData.table, dataKeyFunctions],
    ];
    for (const [name, table, list] of functionReaders) {
      expect(
        readers(table).filter((reader) => !routeNames.has(reader) && reader !== 'BreakGlass'),
        name,
      ).toEqual([...list].sort());
    }
    for (const name of tablelessFunctions)
      for (const { table } of Object.values(declared)) expect(readers(table), name).not.toContain(name);
    // The personal read models: exactly the declared readers (none missing either).
    expect(readers(stack.readModels.personalTable)).toEqual(
      [...(declared.PersonalReadModels?.allowed ?? [])].sort(),
    );
    // Health, docs, openapi and the pages' scripts use no table and no key (tracing is all they may do).
    for (const name of tablelessRoutes) {
      const role = stack.httpApi.functions.get(name)?.role;
      if (!role) throw new Error(`no role for ${name}`);
      const actions = (statementsOf(template).get(logicalId(role)) ?? []).flatMap((st) => [st.Action].flat());
      expect(
        actions.filter((action) => /^(dynamodb|kms):/.test(action)),
        name,
      ).toEqual([]);
    }
  });

  it('prints the writers of each table: exactly its declared list', () => {
    const tablesById: Record<string, ITable> = {
      Events: stack.eventStore.table,
      StreamState: stack.eventStore.stateTable,
      ReadModels: stack.readModels.table,
      PersonalReadModels: stack.readModels.personalTable,
      DataKeys: stack.personalData.table,
    };
    const report: string[] = [];
    for (const [name, table] of Object.entries(tablesById)) {
      const actual = writersOf(template, arnOf(table))
        .map((role) => nameOf.get(role) ?? `unknown role ${role}`)
        .sort();
      report.push(`${name} (${actual.length} writers): ${actual.join(', ')}`);
      expect(actual, `the writers of ${name}`).toEqual([...(declaredWriters[name] ?? [])].sort());
    }
    console.log(`Writers of each table:\n${report.join('\n')}`);
  });

  it('can fail: a projector granted more than it declares is found among the readers and writers', () => {
    const probe = buildStack('dev');
    const fn = probe.consumers.consumers.get('AgendaProjector')?.function;
    if (!fn?.role) throw new Error('no AgendaProjector');
    probe.eventStore.stateTable.grantReadWriteData(fn);
    const probed = templateOf(probe);
    const role = logicalId(fn.role);
    expect(readersOf(probed, arnOf(probe.eventStore.stateTable))).toContain(role);
    expect(writersOf(probed, arnOf(probe.eventStore.stateTable))).toContain(role);
    expect(readers(stack.eventStore.stateTable)).not.toContain('AgendaProjector');
  });

  it('can fail: a role granted read on the personal read models outside the list is found', () => {
    const probe = buildStack('dev');
    const fn = probe.httpApi.functions.get('GetConference');
    if (!fn) throw new Error('no GetConference');
    probe.readModels.personalTable.grantReadData(fn);
    const probed = templateOf(probe);
    const role = fn.role ? logicalId(fn.role) : '';
    expect(readersOf(probed, arnOf(probe.readModels.personalTable))).toContain(role);
  });
});
