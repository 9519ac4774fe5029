import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { env } from '../../../infra/definitions/tables.js';
import { awsClientSettings } from '../resilience/aws-clients.js';
import { adapter, type DocumentJobs } from '../runtime/adapters.js';

let cloud: DocumentJobs | undefined;

/** The documents queue (DOCUMENTS_QUEUE_URL): its function makes one document per message. */
const queueJobs = (queueUrl: string): DocumentJobs => {
  const client = new SQSClient(awsClientSettings());
  return {
    async start(job) {
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(job) }));
    },
  };
};

/** Where background documents are started: the runtime's (locally: the same handler, in process), else the queue. */
export const documentJobs = (): DocumentJobs =>
  adapter('documentJobs', () => {
    const queueUrl = process.env[env.documentsQueueUrl];
    if (!queueUrl) throw new Error(`No queue for documents: set ${env.documentsQueueUrl}, or supply one`);
    cloud ??= queueJobs(queueUrl);
    return cloud;
  });
