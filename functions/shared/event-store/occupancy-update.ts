import type { Update } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  bookingAttribute,
  type OccupancyUpdate,
  occupancyItemKey,
} from '../../../domain/agenda/occupancy.js';

/**
 * One occupancy update (domain/agenda/occupancy.ts) as a DynamoDB Update: the conditions become
 * `attribute_not_exists` (or, for a set the session itself is in, `size = 1`), so the transaction is
 * refused exactly when the booking overlaps another session's; the old item comes back with the refusal
 * to name that session.
 */
export const occupancyItemUpdate = (tableName: string, update: OccupancyUpdate): Update => {
  const names: Record<string, string> = { '#kind': 'kind' };
  const name = (attribute: string) => {
    const placeholder = `#a${Object.keys(names).length}`;
    names[placeholder] = attribute;
    return placeholder;
  };
  const values: Record<string, unknown> = { ':kind': 'occupancy' };
  if (update.cover.length > 0) values[':self'] = update.sessionId;
  const set = ['#kind = :kind', ...update.cover.map((attribute) => `${name(attribute)} = :self`)];
  const remove = update.uncover.map(name);
  if (update.booking) {
    set.push(`${name(bookingAttribute(update.sessionId))} = :booking`);
    values[':booking'] = update.booking;
  } else remove.push(name(bookingAttribute(update.sessionId)));
  const clauses = [`SET ${set.join(', ')}`];
  if (remove.length > 0) clauses.push(`REMOVE ${remove.join(', ')}`);
  if (update.enter.length > 0 || update.leave.length > 0) values[':selfSet'] = new Set([update.sessionId]);
  if (update.enter.length > 0)
    clauses.push(`ADD ${update.enter.map((a) => `${name(a)} :selfSet`).join(', ')}`);
  if (update.leave.length > 0)
    clauses.push(`DELETE ${update.leave.map((a) => `${name(a)} :selfSet`).join(', ')}`);
  const conditions = update.conditions.map(({ attribute, holds }) => {
    const placeholder = name(attribute);
    return holds === 'absent' ? `attribute_not_exists(${placeholder})` : `size(${placeholder}) = :one`;
  });
  if (update.conditions.some((condition) => condition.holds === 'only-self')) values[':one'] = 1;
  return {
    TableName: tableName,
    Key: marshall({ pk: occupancyItemKey(update.key), sk: 0 }),
    UpdateExpression: clauses.join(' '),
    ...(conditions.length > 0
      ? { ConditionExpression: conditions.join(' AND '), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }
      : {}),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: marshall(values, { removeUndefinedValues: true }),
  };
};
