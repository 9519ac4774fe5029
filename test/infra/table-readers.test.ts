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

/** Whether a statement's resource is the table or one of its indexes. */
const onTable = (resource: unknown, tableArn: unknown): boolean => {
  const arn = JSON.stringify(tableArn);
  const text = JSON.stringify(resource);
  if (text === arn || resource === '*') return true;
  // `${table.Arn}/index/*`: a Fn::Join whose parts are the table's ARN and the index suffix.
  return text.includes(arn) && text.includes('/index/');
};

const readersOf = (template: Template, tableArn: unknown): string[] => {
  const readers: string[] = [];
  for (const [role, statements] of statementsOf(template)) {
    const reads = statements.some(
      (statement: Statement) =>
        statement.Effect === 'Allow' &&
        [statement.Action].flat().some((action) => READ_ACTIONS.test(action)) &&
        [statement.Resource].flat().some((resource) => onTable(resource, tableArn)),
    );
    if (reads) readers.push(role);
  }
  return readers;
};

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
  const otherFunctions = () => [...rules.map((r) => r.name), ...schedules.map((s) => s.name)];

  it('prints the readers of each table and allows none outside its declared list', () => {
    const personalRoutes = routes
      .filter((r) => r.tables?.includes('personal-read-models'))
      .map((r) => r.name);
    const personalRules = rules.filter((r) => r.personalReadModels).map((r) => r.name);
    const personalDataFunctions = [
      ...routes.filter((r) => r.personalData && r.personalData !== 'mac').map((r) => r.name),
      ...rules.filter((r) => r.personalData && r.personalData !== 'mac').map((r) => r.name),
      ...schedules.filter((s) => s.personalData && s.personalData !== 'mac').map((s) => s.name),
    ];
    const declared: Record<string, { table: ITable; allowed: string[] }> = {
      Events: {
        table: stack.eventStore.table,
        allowed: [...eventsRoutes, ...otherFunctions(), 'EventPipeEnrichment', 'MakeDocument'],
      },
      StreamState: {
        table: stack.eventStore.stateTable,
        allowed: [...streamStateRoutes, ...otherFunctions(), 'MakeDocument'],
      },
      ReadModels: {
        table: stack.readModels.table,
        allowed: [
          ...readModelRoutes,
          ...rules.filter((r) => !r.personalReadModels).map((r) => r.name),
          ...schedules.map((s) => s.name),
          'MakeDocument',
        ],
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
      DataKeys: { table: stack.personalData.table, allowed: [...personalDataFunctions, 'BreakGlass'] },
    };
    // The declared list of the personal read models is the routes and rules that say so, nothing more.
    const personalSchedules = schedules.filter((s) => s.readsPersonalReadModels).map((s) => s.name);
    expect([...personalRoutes, ...personalRules, ...personalSchedules, 'MakeDocument'].sort()).toEqual(
      [...(declared.PersonalReadModels?.allowed ?? [])].sort(),
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
