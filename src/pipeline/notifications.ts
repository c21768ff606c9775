import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { GateNotifications } from '../gates/release';

/**
 * Where the pipeline tells its team what needs them: a failed execution, a blocked gate (named,
 * with its blocking count), an approval waiting, a suppression close to expiry. Subscribe email,
 * AWS Chatbot (Slack, Teams) or anything SNS delivers to the topic; the library creates no
 * account-wide integration.
 *
 * @example
 * declare const stack: Stack;
 * new DevSecOpsPipeline(stack, 'Pipeline', {
 *   source: PipelineSource.connection('my-org/my-app', 'main', {
 *     connectionArn: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/11111111-2222-3333-4444-555555555555',
 *   }),
 *   notifications: PipelineNotifications.newTopic(),
 * });
 */
export class PipelineNotifications {
  /**
   * A new SNS topic: encrypted with a KMS key of its own (with rotation) that only SNS, EventBridge
   * and the gates' builds use; SSL-only.
   */
  public static newTopic(): PipelineNotifications {
    return new PipelineNotifications(undefined);
  }

  /**
   * A topic you manage (e.g. one AWS Chatbot already subscribes to). The pipeline adds a topic
   * policy statement letting EventBridge publish; if the topic is encrypted with a key of yours,
   * its key policy must let `events.amazonaws.com` use it (kms:GenerateDataKey*, kms:Decrypt),
   * and the gates' builds are granted the key when the topic object names it (`masterKey`).
   */
  public static toTopic(topic: sns.ITopic): PipelineNotifications {
    if (!topic || typeof (topic as Partial<sns.ITopic>).topicArn !== 'string') {
      throw new Error('PipelineNotifications.toTopic: give an SNS topic (sns.Topic, or sns.Topic.fromTopicArn(...)), or use PipelineNotifications.newTopic() to have one created');
    }
    return new PipelineNotifications(topic);
  }

  private constructor(private readonly topic: sns.ITopic | undefined) {}

  /** @internal the topic (created in `scope` on first call) and its key */
  public _bind(scope: Construct, removalPolicy: RemovalPolicy): GateNotifications {
    if (this.topic) return { topic: this.topic, key: this.topic.masterKey };
    const found = scope.node.tryFindChild('NotificationsTopic');
    if (found instanceof sns.Topic) return { topic: found, key: found.masterKey };
    const key = new kms.Key(scope, 'NotificationsKey', {
      description: `Encrypts the notifications of pipeline ${scope.node.path}`,
      enableKeyRotation: true,
      removalPolicy,
    });
    const topic = new sns.Topic(scope, 'NotificationsTopic', {
      displayName: 'DevSecOps pipeline notifications',
      masterKey: key,
      enforceSSL: true,
    });
    return { topic, key };
  }
}
