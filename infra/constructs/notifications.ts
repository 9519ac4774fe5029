import { Annotations, CfnOutput, Duration } from 'aws-cdk-lib';
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
  /**
   * The address delegates get email from (context `notificationSender`). There is no default: an
   * address nobody owns can never be verified in SES. Required in prod; a dev stack without it sends no
   * email (the notifier logs each email it leaves out) and says so at synth.
   */
  sender?: string;
  /**
   * An SES identity that is verified already (a domain, e.g. `example.org`, or the address itself) to
   * send through (context `notificationIdentity`). Absent: this construct creates an email identity for
   * the sender address, and SES mails a verification link to it on the first deployment.
   */
  existingIdentity?: string;
}

/** Why `cdk synth -c stage=prod` stops when no sender is given, and how to give one. */
export const missingProdSenderMessage =
  'The prod stage needs the address delegates get email from: cdk synth -c stage=prod ' +
  '-c notificationSender=<address you own> (SES mails it a verification link on deploy; or add ' +
  '-c notificationIdentity=<verified domain>)';

const EMAIL = /^[^\s@]+@([^\s@]+\.[^\s@]+)$/;

/**
 * Where the notifier's messages leave the system (CONTRACT section 3): delegates' email through SES v2
 * from one sender identity, and the agenda changes SNS topic that subscribers follow. Functions get
 * exactly the effects their rule declares through `grantEffect`.
 */
export class Notifications extends Construct {
  readonly agendaChangesTopic: Topic;
  readonly topicKey: Key;
  /** Absent when no sender is configured (dev only): then no email leaves the stage. */
  readonly senderIdentity: IEmailIdentity | undefined;
  readonly sender: string | undefined;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    this.topicKey = this.encryptionKey(props.stage);
    this.agendaChangesTopic = this.topic(props.stage);
    const { sender } = props;
    if (sender === undefined) {
      if (props.stage === 'prod') {
        throw new Error(missingProdSenderMessage);
      }
      Annotations.of(this).addWarningV2(
        'learning-cities:no-notification-sender',
        `No notificationSender: the ${props.stage} stage sends no email to delegates (the notifier logs ` +
          'each email it leaves out). Set one with -c notificationSender=<address you own>.',
      );
      this.sender = undefined;
      this.senderIdentity = undefined;
      return;
    }
    const domain = EMAIL.exec(sender)?.[1];
    if (!domain) {
      throw new Error(
        `notificationSender must be an email address, not ${JSON.stringify(sender)}: use -c notificationSender=...`,
      );
    }
    const { existingIdentity } = props;
    if (existingIdentity !== undefined && ![sender, domain].includes(existingIdentity)) {
      throw new Error(
        `notificationIdentity ${existingIdentity} cannot send as ${sender}: give its address or its domain`,
      );
    }
    this.sender = sender;
    this.senderIdentity = existingIdentity
      ? EmailIdentity.fromEmailIdentityName(this, 'SenderIdentity', existingIdentity)
      : new EmailIdentity(this, 'SenderIdentity', { identity: Identity.email(sender) });
  }

  /**
   * A customer managed key rather than alias/aws/sns, so that the key policy can admit subscribers
   * such as SQS queues or other accounts later.
   */
  private encryptionKey(stage: Stage): Key {
    return new Key(this, 'TopicKey', {
      description: `Encrypts the agenda changes topic (${stage})`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
      removalPolicy: settingsOf(stage).removalPolicy,
    });
  }

  /**
   * The topic has no fixed name: CloudFormation names it, so a stack created again after a deletion that
   * retained the old topic (prod) makes a new one instead of failing on the name. Subscribers find it by
   * the stack output AgendaChangesTopicArn.
   */
  private topic(stage: Stage): Topic {
    const topic = new Topic(this, 'AgendaChangesTopic', {
      displayName: 'Learning Cities agenda changes',
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    topic.applyRemovalPolicy(settingsOf(stage).removalPolicy);
    new CfnOutput(this, 'AgendaChangesTopicArn', {
      key: 'AgendaChangesTopicArn',
      value: topic.topicArn,
      description: 'The SNS topic of agenda changes (session rescheduled or cancelled), for subscribers',
    });
    return topic;
  }

  /** Configures and permits one declared effect of a consumer, and nothing more. */
  grantEffect(effect: RuleEffect, fn: LambdaFunction): void {
    switch (effect) {
      case 'send-email':
        // Without a sender (dev only) the function gets neither the address nor the permission.
        if (this.sender === undefined || this.senderIdentity === undefined) return;
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
