import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { LearningCitiesStack } from './learning-cities-stack.js';
import { isStage, stageLabel } from './stage.js';

const app = new App();
const stage = app.node.tryGetContext('stage') ?? 'dev';
if (!isStage(stage)) {
  throw new Error(`Unknown stage ${JSON.stringify(stage)}: use -c stage=dev or -c stage=prod`);
}

new LearningCitiesStack(app, `LearningCities-${stageLabel(stage)}`, {
  stage,
  description: `Learning Cities conference backend (${stage})`,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});

// cdk-nag 3 is a CDK policy-validation plugin (no longer an Aspect): it runs after synthesis, and an
// unacknowledged error fails `cdk synth`. Acknowledgements sit next to the resources, in the constructs.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
