/**
 * One run of bench:documents in a process of its own, so that its peak RSS is the run's alone: either
 * the synchronous badges route (GetBadges) for a conference, or one background document (POST documents
 * through StartDocument's handler, then the documents function's own entry point, as the local stack
 * runs it). Prints one JSON line: the milliseconds, peak RSS, and where the file went.
 * Input (JSON in argv[2]): {endpoint, tables, dataDir, conferenceId, mode, kind?}.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { routes } from '../../infra/definitions/routes.js';
import { apiEvent, type HttpHandler, lambdaContext } from './lambda-events.js';
import { handlerEnvironment, localAdaptersWithOrganizer } from './local-dynamodb.js';

interface Input {
  endpoint: string;
  tables: { events: string; streamState: string; readModels: string; dataKeys: string };
  dataDir: string;
  conferenceId: string;
  mode: 'sync-badges' | 'document';
  kind?: string;
}

const input = JSON.parse(process.argv[2] ?? '{}') as Input;
await handlerEnvironment(input.endpoint, input.tables);
const jobs: Array<{ conferenceId: string; documentId: string; baseUrl: string }> = [];
const token = await localAdaptersWithOrganizer(input.dataDir, { exports: true });
const { supplyAdapters } = await import('../../functions/shared/runtime/adapters.js');
// The job is run below, in this process, as the local stack's document runner would.
supplyAdapters({ documentJobs: { start: async (job) => void jobs.push(job) } });

const handlerOf = async (name: string) => {
  const route = routes.find((r) => r.name === name);
  if (!route) throw new Error(`no route ${name}`);
  const module = (await import(`../../${route.entry.replace(/\.ts$/, '.js')}`)) as { handler: HttpHandler };
  return { route, handler: module.handler };
};
const authorization = { authorization: `Bearer ${token}` };

let result: Record<string, unknown>;
if (input.mode === 'sync-badges') {
  const { route, handler } = await handlerOf('GetBadges');
  const started = performance.now();
  const context = { ...lambdaContext(route.name), getRemainingTimeInMillis: () => 28_000 };
  const answer = await handler(
    apiEvent(route, { conferenceId: input.conferenceId }, undefined, authorization),
    context,
  );
  const ms = performance.now() - started;
  let bytes: Buffer;
  if (answer.statusCode === 200) bytes = Buffer.from(String(answer.body), 'base64');
  else if (answer.statusCode === 303) {
    const folder = new URL(String(answer.headers?.location)).pathname.split('/').slice(-2).join('/');
    bytes = await readFile(join(input.dataDir, 'exports', folder));
  } else throw new Error(`GetBadges: ${answer.statusCode} ${answer.body}`);
  result = { ms, bytes: bytes.length, pdf: bytes.subarray(0, 5).toString('latin1') };
} else {
  const { route, handler } = await handlerOf('StartDocument');
  const { handler: documents } = await import('../../functions/background/make-document.js');
  const started = performance.now();
  const answer = await handler(
    apiEvent(route, { conferenceId: input.conferenceId }, { kind: input.kind }, authorization),
    lambdaContext(route.name),
  );
  if (answer.statusCode !== 202) throw new Error(`StartDocument: ${answer.statusCode} ${answer.body}`);
  const { documentId } = JSON.parse(String(answer.body)) as { documentId: string };
  const { documentsFunction } = await import('../../infra/definitions/documents.js');
  const deadline = Date.now() + documentsFunction.timeoutSeconds * 1000;
  const job = jobs.shift();
  if (!job) throw new Error('No job was started');
  // Progress as a reader sees it, sampled while the document is made (GET documents' handler).
  const progress: Array<[number, number]> = [];
  const reader = await handlerOf('GetDocument');
  const poll = setInterval(async () => {
    const status = await reader.handler(
      apiEvent(reader.route, { conferenceId: input.conferenceId, documentId }, undefined, authorization),
      lambdaContext(reader.route.name),
    );
    const body = JSON.parse(String(status.body)) as { done: number; total: number };
    progress.push([body.done, body.total]);
  }, 2_000);
  await documents(
    {
      Records: [
        {
          messageId: '1',
          receiptHandle: '1',
          body: JSON.stringify(job),
          attributes: {
            ApproximateReceiveCount: '1',
            SentTimestamp: String(Date.now()),
            SenderId: 'bench',
            ApproximateFirstReceiveTimestamp: String(Date.now()),
          },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:local:000000000000:MakeDocument',
          awsRegion: 'local',
        },
      ],
    },
    { ...lambdaContext(documentsFunction.name), getRemainingTimeInMillis: () => deadline - Date.now() },
  );
  const ms = performance.now() - started;
  clearInterval(poll);
  const status = await reader.handler(
    apiEvent(reader.route, { conferenceId: input.conferenceId, documentId }, undefined, authorization),
    lambdaContext(reader.route.name),
  );
  const body = JSON.parse(String(status.body)) as Record<string, unknown>;
  const folder = new URL(String(body.location)).pathname.split('/').slice(-2).join('/');
  result = { ms, status: body, path: join(input.dataDir, 'exports', folder), progress };
}
// maxRSS: the peak resident set size of this process, in kilobytes.
process.stdout.write(
  `${JSON.stringify({ ...result, peakRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`,
);
process.exit(0);
