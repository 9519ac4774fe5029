import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { missingProdSenderMessage } from './constructs/notifications.js';
import { ALLOWED_ORIGINS_CONTEXT, ANY_ORIGIN, parseAllowedOrigins } from './definitions/cors.js';
import { LearningCitiesStack } from './learning-cities-stack.js';
import { isStage, settingsOf } from './stage.js';

const app = new App();
const stage = app.node.tryGetContext('stage') ?? 'dev';
if (!isStage(stage)) {
  throw new Error(`Unknown stage ${JSON.stringify(stage)}: use -c stage=dev or -c stage=prod`);
}
/** A context value given with -c key=value or in cdk.json; absent or empty is undefined. */
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
};
// No default sender: an address nobody owns can never be verified in SES. The stack refuses prod
// without one and warns for dev (infra/constructs/notifications.ts).
const notificationSender = context('notificationSender');
if (stage === 'prod' && !notificationSender) {
  console.error(missingProdSenderMessage);
  process.exit(1);
}
const notificationIdentity = context('notificationIdentity');
const alarmEmail = context('alarmEmail');
/** Where links in emails point (CONTRACT 5.1 confirmation and manage links); default: the API's own URL. */
const publicBaseUrl = context('publicBaseUrl');
const oAuthCallbackUrls = context('oauthCallbackUrls')
  ?.split(',')
  .map((url) => url.trim())
  .filter((url) => url !== '');
// Origins whose browsers may call the API (CORS): none unless given; `*` never in prod.
const allowedOrigins = parseAllowedOrigins(context(ALLOWED_ORIGINS_CONTEXT));
if (stage === 'prod' && allowedOrigins.includes(ANY_ORIGIN)) {
  console.error('allowedOrigins: prod takes the origins of its web sites, never "*"');
  process.exit(1);
}

new LearningCitiesStack(app, settingsOf(stage).stackName, {
  stage,
  description: `Learning Cities conference backend (${stage})`,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  ...(notificationSender ? { notificationSender } : {}),
  ...(notificationIdentity ? { notificationIdentity } : {}),
  ...(alarmEmail ? { alarmEmail } : {}),
  ...(publicBaseUrl ? { publicBaseUrl } : {}),
  ...(oAuthCallbackUrls?.length ? { oAuthCallbackUrls } : {}),
  ...(allowedOrigins.length ? { allowedOrigins } : {}),
});

// cdk-nag 3 is a CDK policy-validation plugin (no longer an Aspect): it runs after synthesis, and an
// unacknowledged error fails `cdk synth`. Acknowledgements sit next to the resources, in the constructs.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
