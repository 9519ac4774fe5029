import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
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
const notificationSender = context('notificationSender');
if (!notificationSender) {
  throw new Error('Set the address delegates get email from: -c notificationSender=no-reply@example.org');
}
const notificationIdentity = context('notificationIdentity');
const alarmEmail = context('alarmEmail');

new LearningCitiesStack(app, settingsOf(stage).stackName, {
  stage,
  description: `Learning Cities conference backend (${stage})`,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  notificationSender,
  ...(notificationIdentity ? { notificationIdentity } : {}),
  ...(alarmEmail ? { alarmEmail } : {}),
});

// cdk-nag 3 is a CDK policy-validation plugin (no longer an Aspect): it runs after synthesis, and an
// unacknowledged error fails `cdk synth`. Acknowledgements sit next to the resources, in the constructs.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
