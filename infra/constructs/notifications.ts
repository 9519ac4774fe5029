import { Duration } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { EmailIdentity, Identity, type IEmailIdentity } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { RuleEffect } from '../definitions/rules.js';
import { env } from '../definitions/tables.js';
import { type Stage, settingsOf } from '../stage.js';
import type { LambdaFunction } from './lambda-function.js';
import { acknowledge } from './nag.js';

export interface NotificationsProps {
  stage: Stage;
  /** The address delegates get email from (context `notificationSender`). */
  sender: string;
  /**
   * An SES identity that is verified already (a domain, e.g. `example.org`, or the address itself) to
   * send through (context `notificationIdentity`). Absent: this construct creates an email identity for
   * the sender address, and SES mails a verification link to it on the first deployment.
   */
  existingIdentity?: string;
}

const EMAIL = /^[^\s@]+@([^\s@]+\.[^\s@]+)$/;

/**
 * Where the notifier's messages leave the system (CONTRACT section 3): delegates' email through SES v2
 * from one sender identity, and the agenda changes SNS topic that subscribers follow. Functions get
 * exactly the effects their rule declares through `grantEffect`.
 */
export class Notifications extends Construct {
  readonly agendaChangesTopic: Topic;
  readonly topicKey: Key;
  readonly senderIdentity: IEmailIdentity;
  readonly sender: string;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    const settings = settingsOf(props.stage);
    const domain = EMAIL.exec(props.sender)?.[1];
    if (!domain) {
      throw new Error(
        `notificationSender must be an email address, not ${JSON.stringify(props.sender)}: use -c notificationSender=...`,
      );
    }
    const { existingIdentity } = props;
    if (existingIdentity !== undefined && ![props.sender, domain].includes(existingIdentity)) {
      throw new Error(
        `notificationIdentity ${existingIdentity} cannot send as ${props.sender}: give its address or its domain`,
      );
    }
    this.sender = props.sender;
    this.senderIdentity = existingIdentity
      ? EmailIdentity.fromEmailIdentityName(this, 'SenderIdentity', existingIdentity)
      : new EmailIdentity(this, 'SenderIdentity', { identity: Identity.email(props.sender) });

    // A customer managed key rather than alias/aws/sns, so that the key policy can admit subscribers
    // such as SQS queues or other accounts later.
    this.topicKey = new Key(this, 'TopicKey', {
      description: `Encrypts the agenda changes topic (${props.stage})`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
      removalPolicy: settings.removalPolicy,
    });
    this.agendaChangesTopic = new Topic(this, 'AgendaChangesTopic', {
      topicName: `${settings.namePrefix}-agenda-changes`,
      displayName: 'Learning Cities agenda changes',
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    this.agendaChangesTopic.applyRemovalPolicy(settings.removalPolicy);
  }

  /** Configures and permits one declared effect of a consumer, and nothing more. */
  grantEffect(effect: RuleEffect, fn: LambdaFunction): void {
    switch (effect) {
      case 'send-email':
        fn.addEnvironment(env.notificationSender, this.sender);
        // ses:SendEmail and ses:SendRawEmail, on this one identity.
        this.senderIdentity.grantSendEmail(fn);
        return;
      case 'publish-agenda-changes':
        fn.addEnvironment(env.agendaChangesTopicArn, this.agendaChangesTopic.topicArn);
        // sns:Publish on the topic, kms:Decrypt and kms:GenerateDataKey* on its key.
        this.agendaChangesTopic.grantPublish(fn);
        if (fn.role) {
          acknowledge(
            fn.role,
            'IAM5[Action::kms:GenerateDataKey*]',
            'Granted by topic.grantPublish: publishing to an encrypted topic needs a data key; the ' +
              'wildcard covers only GenerateDataKey and GenerateDataKeyWithoutPlaintext, on the topic key alone.',
          );
        }
        return;
      default: {
        const unhandled: never = effect;
        throw new Error(`Unknown rule effect ${String(unhandled)}`);
      }
    }
  }
}
