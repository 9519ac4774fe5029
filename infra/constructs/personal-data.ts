import { Duration } from 'aws-cdk-lib';
import { BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import {
  dataKeysTable,
  env,
  type PersonalDataAccess,
  type SensitiveDataAccess,
} from '../definitions/tables.js';
import { type Stage, settingsOf } from '../stage.js';
import { addIndexes, keySchema } from './table-schema.js';

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

  constructor(scope: Construct, id: string, props: { stage: Stage }) {
    super(scope, id);
    const { removalPolicy, deletionProtection } = settingsOf(props.stage);
    this.dataKey = new Key(this, 'DataKeyWrappingKey', {
      description: 'Wraps the per-registration data keys of personal data (learning-cities)',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy,
    });
    this.emailMacKey = new Key(this, 'EmailMacKey', {
      description: 'HMAC key of the one-registration-per-email guard (learning-cities)',
      keySpec: KeySpec.HMAC_256,
      keyUsage: KeyUsage.GENERATE_VERIFY_MAC,
      pendingWindow: Duration.days(30),
      removalPolicy,
    });
    this.idempotencyKey = new Key(this, 'IdempotencyKey', {
      description: 'HMAC key of the secret that keys stored Idempotency-Key responses (learning-cities)',
      keySpec: KeySpec.HMAC_256,
      keyUsage: KeyUsage.GENERATE_VERIFY_MAC,
      pendingWindow: Duration.days(30),
      removalPolicy,
    });
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
    switch (access) {
      case 'create':
        this.dataKey.grant(grantee, 'kms:GenerateDataKey');
        this.emailMacKey.grant(grantee, 'kms:GenerateMac');
        this.table.grant(grantee, 'dynamodb:PutItem');
        return;
      case 'read':
        this.dataKey.grantDecrypt(grantee);
        this.table.grant(grantee, 'dynamodb:Query');
        return;
      case 'read-mac':
        this.dataKey.grantDecrypt(grantee);
        this.emailMacKey.grant(grantee, 'kms:GenerateMac');
        this.table.grant(grantee, 'dynamodb:Query');
        return;
      case 'mac':
        this.emailMacKey.grant(grantee, 'kms:GenerateMac');
        return;
      case 'erase':
        this.dataKey.grantDecrypt(grantee);
        this.table.grant(grantee, 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem');
        return;
    }
  }
}
