import { RemovalPolicy, Stack, Stage, StageProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PipelineImage } from '../../src';

/** What the service Stage needs from the pipeline: the image it built, scanned and pushed. */
export interface ServiceStageProps extends StageProps {
  readonly image: PipelineImage;
}

/**
 * The service the container-app pipeline deploys: the `api` image on Fargate, in private subnets,
 * with no inbound access. The image comes from the pipeline's hardened repository, tagged with
 * the commit id this synthesis is for (`image.tag`); the task execution role pulls it (the
 * repository lets the Stage's account pull, the role's own policy lets the role).
 */
export class ServiceStage extends Stage {
  constructor(scope: Construct, id: string, props: ServiceStageProps) {
    super(scope, id, props);
    const stack = new Stack(this, 'Service');
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      flowLogs: { all: { trafficType: ec2.FlowLogTrafficType.ALL } },
    });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const key = new kms.Key(stack, 'LogsKey', { enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
    key.grantEncryptDecrypt(new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`));
    const logGroup = new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, encryptionKey: key });

    const task = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
    task.addContainer('api', {
      // The pipeline's image: repository by ARN (any account), the commit id as the tag.
      image: ecs.ContainerImage.fromEcrRepository(props.image.repositoryIn(stack), props.image.tag),
      portMappings: [{ containerPort: 8080 }],
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'api' }),
      readonlyRootFilesystem: true,
    });
    new ecs.FargateService(stack, 'Service', { cluster, taskDefinition: task, desiredCount: 1 });

    const pullPolicy = task.obtainExecutionRole().node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (pullPolicy) {
      Validations.of(pullPolicy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ecr:GetAuthorizationToken has no resource ARN (AWS\'s design); the pulls are limited to the pipeline\'s image repository.',
      });
    }
  }
}
