import { execFileSync } from 'node:child_process';

/**
 * Command lines of the running DynamoDB Local processes (pgrep; zombies have no command line and do not
 * count), only those on `port` when given.
 */
export const dynamoDbLocalProcesses = (port?: number): string[] => {
  let output: string;
  try {
    output = execFileSync('pgrep', ['-af', 'DynamoDBLocal.jar'], { encoding: 'utf8' });
  } catch (error) {
    if ((error as { status?: number }).status === 1) return []; // none
    throw error;
  }
  return output
    .split('\n')
    .filter((line) => line.includes('DynamoDBLocal.jar') && !line.includes('pgrep'))
    .filter((line) => port === undefined || new RegExp(`-port ${port}(\\s|$)`).test(line));
};
