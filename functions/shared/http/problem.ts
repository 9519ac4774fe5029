import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ZodError } from 'zod';
import { DomainError, type FieldError } from '../../../domain/shared/errors.js';
import { PersonalDataUnavailableError } from '../personal-data/errors.js';
import { RetriesExhaustedError } from '../resilience/policy.js';
import { logger } from '../runtime/observability.js';
import { HttpProblem } from './errors.js';
import { problemType } from './problem-types.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export const problemResponse = (
  status: number,
  detail: string,
  errors: FieldError[] = [],
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 => {
  const title = titles[status] ?? 'Error';
  const body: Problem = { type: problemType(title), title, status, detail };
  if (errors.length > 0) body.errors = errors;
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: JSON.stringify(body),
  };
};

export const zodFieldErrors = (error: ZodError, prefix = ''): FieldError[] =>
  error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: issue.message,
  }));

/** Throttling and transient error names, as the SDK's retry strategy classifies them (DynamoDB's among them). */
const TRANSIENT_AWS_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TransactionConflictException',
  'TransactionInProgressException',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** Connections cut, refused or timed out under a request (the SDK retries these as transient, too). */
const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

/** What the SDK still failed with after its own retries: throttling, a DynamoDB 5xx, a timeout or a cut. */
const isTransientAwsError = (error: unknown): boolean => {
  if (!(error instanceof Error)) return false;
  const { $metadata, code } = error as { $metadata?: { httpStatusCode?: number }; code?: unknown };
  const status = $metadata?.httpStatusCode ?? 0;
  return (
    TRANSIENT_AWS_ERRORS.has(error.name) ||
    status === 429 ||
    status >= 500 ||
    (typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code))
  );
};

/** Every failure becomes problem+json; only an unexpected one is logged with its stack, never shown. */
export const toProblem = (error: unknown): APIGatewayProxyStructuredResultV2 => {
  if (error instanceof HttpProblem)
    return problemResponse(error.status, error.message, error.errors, error.headers);
  if (error instanceof ZodError)
    return problemResponse(400, 'The request is not valid', zodFieldErrors(error));
  if (error instanceof DomainError) {
    const status = { invalid: 400, 'not-found': 404, conflict: 409, gone: 410 }[error.kind];
    return problemResponse(status, error.message, 'errors' in error ? (error.errors as FieldError[]) : []);
  }
  if (error instanceof PersonalDataUnavailableError) {
    logger.error('Personal data unavailable', { error });
    return problemResponse(503, 'The service is busy; try again shortly', [], {
      'retry-after': String(error.retryAfterSeconds),
    });
  }
  if (error instanceof RetriesExhaustedError || isTransientAwsError(error)) {
    logger.warn('Retries exhausted', { error });
    return problemResponse(503, 'The service is busy; try again shortly', [], {
      'retry-after': String(error instanceof RetriesExhaustedError ? error.retryAfterSeconds : 1),
    });
  }
  logger.error('Unexpected failure', { error });
  return problemResponse(500, 'The server failed to handle the request');
};
