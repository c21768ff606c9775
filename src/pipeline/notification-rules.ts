import { Duration } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { GateNotifications, RELEASE_SUMMARY, releaseConsoleUrl } from '../gates/release';

/** What the notification rules need from the built pipeline. */
export interface NotificationRulesProps {
  readonly pipeline: codepipeline.IPipeline;
  readonly notifications: GateNotifications;
  /** Action names of the gate builds (the static gates, and gates added with Stages). */
  readonly gateActions: readonly string[];
  /** Where each execution's gate results and release summary are, when a gate is on. */
  readonly releaseReports?: s3.IBucket;
  /** Records a cdk-nag acknowledgment with its reason. */
  readonly acknowledge: (construct: Construct, ruleId: string, reason: string) => void;
}

/**
 * The EventBridge rules on the pipeline's state changes, each with a message that says which
 * pipeline, which execution, which gate or action, and where the results and summary are:
 * a failed execution, a failed gate action, an approval waiting. (Suppressions close to expiry and
 * a blocked gate's count are published by the gate's own build, which knows them.)
 */
export function notificationRules(scope: Construct, props: NotificationRulesProps): events.Rule[] {
  const { pipeline, notifications } = props;
  const execution = events.EventField.fromPath('$.detail.execution-id');
  const pipelineName = events.EventField.fromPath('$.detail.pipeline');
  const results = props.releaseReports ? ` Gate results: ${releaseConsoleUrl(props.releaseReports, execution)}` : '';
  const summary = props.releaseReports ? ` Release summary: ${releaseConsoleUrl(props.releaseReports, execution, RELEASE_SUMMARY)}` : '';
  // A message EventBridge cannot deliver (a topic or key policy that changed) is kept, not lost.
  const deadLetterQueue = new sqs.Queue(scope, 'NotificationsDeadLetterQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  for (const rule of ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy']) {
    props.acknowledge(deadLetterQueue.node.defaultChild as Construct, rule,
      'This queue is itself the dead-letter queue of the pipeline\'s notification rules (EventBridge targets); a dead-letter queue has no dead-letter queue of its own.');
  }
  const target = (text: string): events.IRuleTarget => ({
    // Not events-targets' SnsTopic: it lets EventBridge publish for any rule of any account;
    // the statements below name this pipeline's rules.
    bind: () => ({
      arn: notifications.topic.topicArn,
      input: events.RuleTargetInput.fromText(text),
      deadLetterConfig: { arn: deadLetterQueue.queueArn },
      retryPolicy: { maximumRetryAttempts: 8 },
      targetResource: notifications.topic,
    }),
  });
  const source = { source: ['aws.codepipeline'], resources: [pipeline.pipelineArn] };
  const stage = events.EventField.fromPath('$.detail.stage');
  const action = events.EventField.fromPath('$.detail.action');

  const rules = [
    new events.Rule(scope, 'NotifyExecutionFailed', {
      description: 'A pipeline execution failed',
      eventPattern: { ...source, detailType: ['CodePipeline Pipeline Execution State Change'], detail: { state: ['FAILED'] } },
      targets: [target(`Pipeline ${pipelineName}: execution ${execution} FAILED.${results}`)],
    }),
    new events.Rule(scope, 'NotifyApprovalWaiting', {
      description: 'A manual approval of the pipeline is waiting',
      eventPattern: { ...source, detailType: ['CodePipeline Action Execution State Change'], detail: { state: ['STARTED'], type: { category: ['Approval'] } } },
      targets: [target(`Pipeline ${pipelineName}: approval ${action} in stage ${stage} is waiting (execution ${execution}).${summary}`)],
    }),
  ];
  if (props.gateActions.length > 0) {
    rules.push(new events.Rule(scope, 'NotifyGateFailed', {
      description: 'A security gate of the pipeline blocked or failed',
      eventPattern: { ...source, detailType: ['CodePipeline Action Execution State Change'], detail: { state: ['FAILED'], action: [...props.gateActions] } },
      targets: [target(`Pipeline ${pipelineName}: gate ${action} in stage ${stage} FAILED (execution ${execution}); the gate's own message gives its blocking count.${results}`)],
    }));
  }
  const ruleArns = rules.map((r) => r.ruleArn);
  const fromRules = { ArnEquals: { 'aws:SourceArn': ruleArns } };
  const eventBridge = new iam.ServicePrincipal('events.amazonaws.com');
  // Only these rules may publish; a topic you pass in (imported) keeps its own policy: allow them there.
  notifications.topic.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowThePipelinesNotificationRules',
    principals: [eventBridge],
    actions: ['sns:Publish'],
    resources: [notifications.topic.topicArn],
    conditions: fromRules,
  }));
  deadLetterQueue.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowThePipelinesNotificationRules',
    principals: [eventBridge],
    actions: ['sqs:SendMessage'],
    resources: [deadLetterQueue.queueArn],
    conditions: fromRules,
  }));
  // EventBridge encrypts with the topic's key when it publishes (the key policy must allow it).
  if (notifications.key && notifications.key instanceof kms.Key) {
    notifications.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEventBridgeToPublishToTheEncryptedTopic',
      principals: [eventBridge],
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      // in a key policy, '*' means this key: a key of its own, that encrypts nothing but this topic
      resources: ['*'],
    }));
  }
  return rules;
}
