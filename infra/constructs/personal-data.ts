import { Duration } from 'aws-cdk-lib';
import { BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import {
  AccountRootPrincipal,
  Effect,
  type IGrantable,
  type IRole,
  PolicyDocument,
  PolicyStatement,
  Role,
} from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { dataKeyActions } from '../definitions/table-access.js';
import {
  dataKeysTable,
  env,
  type PersonalDataAccess,
  type SensitiveDataAccess,
} from '../definitions/tables.js';
import { type Stage, settingsOf } from '../stage.js';
import { addIndexes, keySchema } from './table-schema.js';

/**
 * What the account keeps on the keys of personal data: their administration (describe, enable, disable,
 * rotate, tag, change the policy, schedule deletion), listed one by one so that nothing of it uses a key
 * (`kms:Create*` would include CreateGrant, which hands out use). Changing the key policy stays possible
 * for an administrator, as a change CloudTrail records, never as a silent use.
 */
export const KEY_ADMINISTRATION_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListAliases',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListResourceTags',
  'kms:ListKeyRotations',
  'kms:PutKeyPolicy',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
] as const;

/** The actions that use a key of personal data: allowed by the key policy to named roles only. */
export const KEY_USE_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:GenerateMac'] as const;

/** The PITR window of the data keys: the minimum, since a restorable backup of a key is an erasure undone. */
export const DATA_KEYS_RECOVERY_DAYS = 1;

/**
 * The keys of personal data: a customer-managed KMS key that wraps each registration's data key, an
 * HMAC key for the email guard, and the table of wrapped data keys. They follow the stage's removal
 * policy (prod keeps them: losing one makes every event's personal part unreadable, which is an erasure
 * of everyone); the table's point-in-time recovery is at its minimum, one day, so an erased
 * registration's key is recoverable from a backup for one day at most (README, "Personal data").
 */
export class PersonalData extends Construct {
  readonly dataKey: Key;
  readonly emailMacKey: Key;
  /**
   * HMAC key of the server's secrets (functions/shared/personal-data/server-secrets.ts): stored
   * Idempotency-Key responses, which may hold a manage token and names, are encrypted with a key that
   * mixes a secret made with it into the client's key, and their body hash is an HMAC under it.
   */
  readonly idempotencyKey: Key;
  readonly table: Table;
  /**
   * The one role besides the functions that may use the keys (an erasure re-applied by hand, a rebuild
   * --cloud of the read models of plaintext): assumed by a person of the account with MFA, on purpose.
   */
  readonly breakGlassRole: Role;
  /** Key policy statements by key and action, their principals added as functions are granted. */
  private readonly useStatements = new Map<string, PolicyStatement>();

  constructor(scope: Construct, id: string, props: { stage: Stage }) {
    super(scope, id);
    const { removalPolicy, deletionProtection } = settingsOf(props.stage);
    // The key policies do not delegate use to IAM (no `kms:*` for the account root): a principal allowed
    // `kms:*` on `*` (an administrator, a CI role) cannot unwrap a data key or compute an email's MAC.
    const administration = () =>
      new PolicyDocument({
        statements: [
          new PolicyStatement({
            sid: 'AccountAdministersTheKey',
            effect: Effect.ALLOW,
            principals: [new AccountRootPrincipal()],
            actions: [...KEY_ADMINISTRATION_ACTIONS],
            resources: ['*'],
          }),
        ],
      });
    this.dataKey = new Key(this, 'DataKeyWrappingKey', {
      description: 'Wraps the per-registration data keys of personal data (learning-cities)',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy,
      policy: administration(),
    });
    this.emailMacKey = new Key(this, 'EmailMacKey', {
      description: 'HMAC key of the one-registration-per-email guard (learning-cities)',
      keySpec: KeySpec.HMAC_256,
      keyUsage: KeyUsage.GENERATE_VERIFY_MAC,
      pendingWindow: Duration.days(30),
      removalPolicy,
      policy: administration(),
    });
    this.idempotencyKey = new Key(this, 'IdempotencyKey', {
      description: 'HMAC key of the secret that keys stored Idempotency-Key responses (learning-cities)',
      keySpec: KeySpec.HMAC_256,
      keyUsage: KeyUsage.GENERATE_VERIFY_MAC,
      pendingWindow: Duration.days(30),
      removalPolicy,
    });
    this.breakGlassRole = new Role(this, 'BreakGlassRole', {
      description:
        'Break-glass use of the keys of personal data (decrypt, data keys, MACs): assumed with MFA only, every use in CloudTrail',
      assumedBy: new AccountRootPrincipal().withConditions({
        Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      }),
      maxSessionDuration: Duration.hours(1),
    });
    this.allowUse(this.dataKey, 'kms:Decrypt', this.breakGlassRole);
    this.allowUse(this.dataKey, 'kms:GenerateDataKey', this.breakGlassRole);
    this.allowUse(this.emailMacKey, 'kms:GenerateMac', this.breakGlassRole);
    this.table = new Table(this, dataKeysTable.id, {
      ...keySchema(dataKeysTable),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: {
        pointInTimeRecoveryEnabled: true,
        recoveryPeriodInDays: DATA_KEYS_RECOVERY_DAYS,
      },
      deletionProtection,
      removalPolicy,
    });
    addIndexes(this.table, dataKeysTable);
    this.breakGlassRole.addToPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.dataKey.keyArn],
      }),
    );
    this.breakGlassRole.addToPolicy(
      new PolicyStatement({ actions: ['kms:GenerateMac'], resources: [this.emailMacKey.keyArn] }),
    );
    this.table.grantReadWriteData(this.breakGlassRole);
  }

  /**
   * Lets `role` use `key` for `action` in the key policy itself (one statement per key and action, its
   * principals the roles that have it): with no IAM delegation, the key policy is what admits a role.
   */
  private readonly admittedRoles = new Map<string, Set<IRole>>();

  private allowUse(key: Key, action: (typeof KEY_USE_ACTIONS)[number], role: IRole): void {
    const id = `${key.node.id}:${action}`;
    let statement = this.useStatements.get(id);
    if (!statement) {
      statement = new PolicyStatement({
        sid: `Use${action.replace('kms:', '')}`,
        effect: Effect.ALLOW,
        actions: [action],
        resources: ['*'],
      });
      this.useStatements.set(id, statement);
      key.addToResourcePolicy(statement);
    }
    // Each role once, however many grants admit it (e.g. `create` and the sensitive answers' `create`).
    const admitted = this.admittedRoles.get(id) ?? new Set<IRole>();
    if (admitted.has(role)) return;
    admitted.add(role);
    this.admittedRoles.set(id, admitted);
    statement.addArnPrincipal(role.roleArn);
  }

  /**
   * The sensitive answers' keys (CONTRACT 5.2) are wrapped under the same KMS key with the encryption
   * context `purpose: sensitive`. A function that never shows them is denied that context outright (a
   * Deny beats its Allow of the personal data's keys); one that seals or shows them is not, and one that
   * makes them (`create`) may generate keys in that context and store them.
   */
  private grantSensitive(fn: LambdaFunction, sensitive: SensitiveDataAccess | undefined): void {
    const inSensitiveContext = { StringEquals: { 'kms:EncryptionContext:purpose': 'sensitive' } };
    if (!sensitive) {
      fn.addToRolePolicy(
        new PolicyStatement({
          effect: Effect.DENY,
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [this.dataKey.keyArn],
          conditions: inSensitiveContext,
        }),
      );
      return;
    }
    if (sensitive === 'create') {
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['kms:GenerateDataKey'],
          resources: [this.dataKey.keyArn],
          conditions: inSensitiveContext,
        }),
      );
      // The key policy admits it too: with no IAM delegation, the key policy is what lets a role use a key.
      if (fn.role) this.allowUse(this.dataKey, 'kms:GenerateDataKey', fn.role);
      this.table.grant(fn, 'dynamodb:PutItem');
    }
  }

  /** Lets a command's function key its stored Idempotency-Key responses (kms:GenerateMac on their key only). */
  grantIdempotency(fn: LambdaFunction): void {
    fn.addEnvironment(env.idempotencyKeyId, this.idempotencyKey.keyArn);
    this.idempotencyKey.grant(fn, 'kms:GenerateMac');
  }

  /** Gives a function what `access` needs, and the environment that names the keys and the table. */
  grant(access: PersonalDataAccess, fn: LambdaFunction, sensitive?: SensitiveDataAccess): void {
    this.grantSensitive(fn, sensitive);
    fn.addEnvironment(env.dataKeysTable, this.table.tableName);
    fn.addEnvironment(env.personalDataKeyId, this.dataKey.keyArn);
    fn.addEnvironment(env.emailMacKeyId, this.emailMacKey.keyArn);
    const grantee: IGrantable = fn;
    const role = fn.role;
    if (!role) throw new Error(`${fn.node.path} has no role to admit in the key policies`);
    const use = (key: Key, action: (typeof KEY_USE_ACTIONS)[number]) => {
      key.grant(grantee, action);
      this.allowUse(key, action, role);
    };
    const tableActions = dataKeyActions[access];
    if (tableActions.length > 0) this.table.grant(grantee, ...tableActions);
    switch (access) {
      case 'create':
        use(this.dataKey, 'kms:GenerateDataKey');
        use(this.emailMacKey, 'kms:GenerateMac');
        return;
      case 'read':
        use(this.dataKey, 'kms:Decrypt');
        return;
      case 'read-mac':
        use(this.dataKey, 'kms:Decrypt');
        use(this.emailMacKey, 'kms:GenerateMac');
        return;
      case 'mac':
        use(this.emailMacKey, 'kms:GenerateMac');
        return;
      case 'read-create':
        use(this.dataKey, 'kms:Decrypt');
        use(this.dataKey, 'kms:GenerateDataKey');
        use(this.emailMacKey, 'kms:GenerateMac');
        return;
      case 'erase':
        use(this.dataKey, 'kms:Decrypt');
        return;
    }
  }
}
