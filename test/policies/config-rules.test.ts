import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnWaitConditionHandle, RemovalPolicy, Stack, Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { AppStage } from '../../examples/quickstart/app-stage';
import { CompliancePack, ConfigPolicy } from '../../src';
import { PROACTIVE_ACTIONS } from '../../src/gates/config-proactive';
import { CONFIG_RULES_STACK_ID, ConfigRulesStack, defaultConfigRulesSpec, lambdaTimeoutGuard } from '../../src/policies/config-rules';
import { flatten } from '../gates/support';
import { errorsOf, pipelineApp, synthViolations } from '../pipeline/support';

function rulesOf(stage: Stage): Template {
  return Template.fromStack(stage.node.findChild(CONFIG_RULES_STACK_ID) as Stack);
}

function pipelineResources(stack: Stack, type: string): any[] {
  return Object.values<any>(Template.fromStack(stack).findResources(type));
}

function statements(stack: Stack): any[] {
  return pipelineResources(stack, 'AWS::IAM::Policy').flatMap((p) => p.Properties.PolicyDocument.Statement);
}

function proactiveProject(stack: Stack, stage: string): any {
  return pipelineResources(stack, 'AWS::CodeBuild::Project')
    .find((p) => JSON.stringify(p.Properties.Source.BuildSpec).includes(`--stage-assembly assembly-${stage} `));
}

function warningsOf(c: { node: { metadata: Array<{ type: string; data: unknown }> } }): string[] {
  return c.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
}

describe('AWS Config rules in each Stage', () => {
  test('configRules: true adds a rules stack to the Stage, in its account and Region, before CDK Pipelines reads its stacks', () => {
    const { app, pipeline } = pipelineApp();
    const stage = new AppStage(app, 'Prod', { env: { account: '111111111111', region: 'eu-central-1' } });
    const deployment = pipeline.addStage(stage, { configRules: true });
    expect(deployment.stacks.map((s) => s.stackName)).toContain('Prod-DevSecOpsConfigRules');
    const rules = stage.node.findChild(CONFIG_RULES_STACK_ID) as Stack;
    expect([rules.account, rules.region]).toEqual(['111111111111', 'eu-central-1']);

    const template = rulesOf(stage);
    template.resourceCountIs('AWS::Config::ConfigRule', 3);
    // Rules only: no account-wide singleton.
    for (const singleton of ['AWS::Config::ConfigurationRecorder', 'AWS::Config::DeliveryChannel', 'AWS::SecurityHub::Hub', 'AWS::GuardDuty::Detector']) {
      template.resourceCountIs(singleton, 0);
    }
    template.hasResource('AWS::Config::ConfigRule', {
      Properties: {
        ConfigRuleName: 'Prod-DevSecOpsConfigRules-EC2_INSTANCE_IN_VPC',
        Source: { Owner: 'AWS', SourceIdentifier: 'INSTANCES_IN_VPC' },
        Scope: { ComplianceResourceTypes: ['AWS::EC2::Instance'] },
        EvaluationModes: [{ Mode: 'DETECTIVE' }],
      },
      Metadata: { 'cdk-devsecops-pipeline:policy-id': 'EC2_INSTANCE_IN_VPC' },
    });
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      ConfigRuleName: 'Prod-DevSecOpsConfigRules-S3_BUCKET_ENCRYPTED',
      Source: { Owner: 'AWS', SourceIdentifier: 'S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED' },
      Scope: { ComplianceResourceTypes: ['AWS::S3::Bucket'] },
    });
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      ConfigRuleName: 'Prod-DevSecOpsConfigRules-LAMBDA_TIMEOUT_MAXIMUM',
      Source: { Owner: 'CUSTOM_POLICY', CustomPolicyDetails: { PolicyRuntime: 'guard-2.x.x', PolicyText: lambdaTimeoutGuard(900) } },
      Scope: { ComplianceResourceTypes: ['AWS::Lambda::Function'] },
      EvaluationModes: [{ Mode: 'DETECTIVE' }, { Mode: 'PROACTIVE' }],
    });
  });

  test('the spec: KMS only, a built-in off, another maximum, and users\' managed and Guard rules', () => {
    const stage = new Stage(new App(), 'Test');
    const versioning = ConfigPolicy.managed('BUCKET_VERSIONING', 'S3_BUCKET_VERSIONING_ENABLED', {
      resourceTypes: ['AWS::S3::Bucket'], inputParameters: { isMfaDeleteEnabled: 'false' }, proactive: true,
    });
    const tagged = ConfigPolicy.guard('TABLE_PITR', 'rule t when resourceType == "AWS::DynamoDB::Table" { configuration.pointInTimeRecoveryDescription exists }', {
      resourceTypes: ['AWS::DynamoDB::Table'],
    });
    const rules = ConfigRulesStack.inStage(stage, { disabled: ['EC2_INSTANCE_IN_VPC'], s3KmsOnly: true, lambdaMaxTimeoutSeconds: 300, userRules: [versioning, tagged] });
    const template = Template.fromStack(rules);
    template.resourceCountIs('AWS::Config::ConfigRule', 4);
    expect(JSON.stringify(template.toJSON())).not.toContain('INSTANCES_IN_VPC');
    template.hasResourceProperties('AWS::Config::ConfigRule', { Source: { Owner: 'AWS', SourceIdentifier: 'S3_DEFAULT_ENCRYPTION_KMS' } });
    template.hasResourceProperties('AWS::Config::ConfigRule', { Source: { CustomPolicyDetails: { PolicyText: Match.stringLikeRegexp('configuration.timeout < 300') } } });
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      ConfigRuleName: 'Test-DevSecOpsConfigRules-BUCKET_VERSIONING',
      Source: { Owner: 'AWS', SourceIdentifier: 'S3_BUCKET_VERSIONING_ENABLED' },
      InputParameters: { isMfaDeleteEnabled: 'false' },
      EvaluationModes: [{ Mode: 'DETECTIVE' }, { Mode: 'PROACTIVE' }],
    });
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      ConfigRuleName: 'Test-DevSecOpsConfigRules-TABLE_PITR',
      Scope: { ComplianceResourceTypes: ['AWS::DynamoDB::Table'] },
      EvaluationModes: [{ Mode: 'DETECTIVE' }],
    });
    expect(rules.proactiveResourceTypes).toEqual(['AWS::Lambda::Function', 'AWS::S3::Bucket']);
  });

  test('a bad spec and bad policies are refused with every problem named', () => {
    expect(() => ConfigRulesStack.inStage(new Stage(new App(), 'S'), { ...defaultConfigRulesSpec(), disabled: ['NOPE'], lambdaMaxTimeoutSeconds: 901 }))
      .toThrow(/lambdaMaxTimeoutSeconds: 901 is not a whole number of seconds from 2 to 900[\s\S]*disabled: 'NOPE' is not a built-in policy id/);
    expect(() => ConfigPolicy.managed('S3_BUCKET_ENCRYPTED', 'lower-case', { resourceTypes: ['S3::Bucket'] }))
      .toThrow(/id: 'S3_BUCKET_ENCRYPTED' is a built-in policy's id[\s\S]*resourceTypes: 'S3::Bucket' is not a CloudFormation resource type[\s\S]*identifier: 'lower-case' is not a managed rule identifier/);
    expect(() => ConfigPolicy.guard('X', ' ', { resourceTypes: [] })).toThrow(/resourceTypes: give the CloudFormation types[\s\S]*policyText: give Guard rules/);
    expect(() => ConfigPolicy.guard('X', 'a'.repeat(10001), { resourceTypes: ['AWS::S3::Bucket'] })).toThrow(/10001 characters, more than the 10000/);
    expect(() => ConfigPolicy.guardFile('X', '/nonexistent/rules.guard', { resourceTypes: ['AWS::S3::Bucket'] })).toThrow(/cannot read '\/nonexistent\/rules.guard'/);
    const twice = ConfigPolicy.managed('SAME', 'S3_BUCKET_VERSIONING_ENABLED', { resourceTypes: ['AWS::S3::Bucket'] });
    expect(() => ConfigRulesStack.inStage(new Stage(new App(), 'S'), defaultConfigRulesSpec([twice, twice]))).toThrow(/two are named 'SAME'/);
  });

  test('a Guard file is read at synthesis', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-'));
    const file = path.join(dir, 'rules.guard');
    fs.writeFileSync(file, 'rule r when resourceType == "AWS::SQS::Queue" { configuration.KmsMasterKeyId exists }\n');
    const policy = ConfigPolicy.guardFile('QUEUE_KMS', file, { resourceTypes: ['AWS::SQS::Queue'] });
    const template = Template.fromStack(ConfigRulesStack.inStage(new Stage(new App(), 'S'), defaultConfigRulesSpec([policy])));
    template.hasResourceProperties('AWS::Config::ConfigRule', { Source: { CustomPolicyDetails: { PolicyText: fs.readFileSync(file, 'utf8') } } });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('off by default: no rules stack, no proactive step', () => {
    const { app, stack, pipeline } = pipelineApp();
    const stage = new AppStage(app, 'Prod');
    pipeline.addStage(stage);
    pipeline.codePipeline.buildPipeline();
    expect(stage.node.tryFindChild(CONFIG_RULES_STACK_ID)).toBeUndefined();
    expect(proactiveProject(stack, 'Prod')).toBeUndefined();
    expect(JSON.stringify(statements(stack))).not.toContain('config:');
  });

  test('the pipeline default turns them on; a Stage that turns them off leaves a warning', () => {
    const { app, pipeline } = pipelineApp({ configRules: true });
    const on = new AppStage(app, 'Staging');
    const off = new AppStage(app, 'Prod');
    pipeline.addStage(on);
    pipeline.addStage(off, { configRules: false });
    expect(on.node.tryFindChild(CONFIG_RULES_STACK_ID)).toBeDefined();
    expect(off.node.tryFindChild(CONFIG_RULES_STACK_ID)).toBeUndefined();
    expect(warningsOf(pipeline)).toEqual([expect.stringMatching(/^configRules is false for Stage Prod: .*\(secure default weakened\)/)]);
  });
});

describe('proactive evaluation before deploy', () => {
  test('runs after the approval and before the deploy actions, through the findings engine', () => {
    const { app, stack, pipeline } = pipelineApp();
    pipeline.addStage(new AppStage(app, 'Prod'), { approval: true, configRules: true });
    pipeline.codePipeline.buildPipeline();
    const p = pipelineResources(stack, 'AWS::CodePipeline::Pipeline')[0];
    const prod = p.Properties.Stages.find((s: any) => s.Name === 'Prod');
    const approve = prod.Actions.find((a: any) => a.Name === 'Approve');
    const check = prod.Actions.find((a: any) => a.Name === 'ConfigProactive-Prod');
    const deploys = prod.Actions.filter((a: any) => a.ActionTypeId.Provider === 'CloudFormation');
    expect(deploys.length).toBeGreaterThan(0);
    expect(approve.RunOrder).toBeLessThan(check.RunOrder);
    for (const d of deploys) expect(check.RunOrder).toBeLessThan(d.RunOrder);
    // Its inputs: the source (suppressions file) and the cloud assembly.
    expect(check.InputArtifacts).toHaveLength(2);

    const buildSpec = JSON.parse(flatten(proactiveProject(stack, 'Prod').Properties.Source.BuildSpec));
    const commands: string[] = buildSpec.phases.build.commands;
    const run = commands.find((c) => c.includes('cli.js proactive'))!;
    expect(run).toBe('node /tmp/devsecops/findings-cli/cli.js proactive --assembly devsecops-cloud-assembly --stage-assembly assembly-Prod --stage Prod --resource-type AWS::Lambda::Function --out /tmp/devsecops/reports/config-proactive.json');
    // The report is listed before the command runs, and evaluate judges it with the pipeline's failOn.
    const listed = commands.findIndex((c) => c.includes("'/tmp/devsecops/reports/config-proactive.json:config-proactive'"));
    expect(listed).toBeGreaterThanOrEqual(0);
    expect(listed).toBeLessThan(commands.indexOf(run));
    expect(commands.join('\n')).toMatch(/cli\.js evaluate --gate config-proactive\.prod --fail-on HIGH /);
    expect(buildSpec.reports).toBeDefined();
  });

  test('CDK\'s own provider functions (900 s by design) are named to the step, and only they', () => {
    // No pack: this Stage's plain constructs are not what is tested here.
    const { app, stack, pipeline } = pipelineApp({ nagPacks: [] });
    const stage = new Stage(app, 'Prod');
    const appStack = new Stack(stage, 'App');
    new s3.Bucket(appStack, 'Scratch', { encryption: s3.BucketEncryption.S3_MANAGED, autoDeleteObjects: true, removalPolicy: RemovalPolicy.DESTROY });
    const handler = new lambda.Function(appStack, 'OnEvent', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>({})') });
    new cr.Provider(appStack, 'Provider', { onEventHandler: handler });
    pipeline.addStage(stage, { configRules: true });
    pipeline.codePipeline.buildPipeline();
    const commands: string[] = JSON.parse(flatten(proactiveProject(stack, 'Prod').Properties.Source.BuildSpec)).phases.build.commands;
    const named = [...commands.find((c) => c.includes('cli.js proactive'))!.matchAll(/--cdk-provider (\S+)/g)].map((m) => m[1]);
    expect(named).toHaveLength(2);
    expect(named[0]).toMatch(/^Prod-App\/CustomS3AutoDeleteObjectsCustomResourceProviderHandler[0-9A-F]{8}$/);
    expect(named[1]).toMatch(/^Prod-App\/Providerframework/);
    // The user's own handler is not exempt.
    expect(named.join(' ')).not.toContain('OnEvent');
  });

  test('IAM: exactly the three Config actions (no resource-level permission exists), nothing else of Config, no role assumed', () => {
    const { app, stack, pipeline } = pipelineApp();
    pipeline.addStage(new AppStage(app, 'Prod'), { configRules: true });
    pipeline.codePipeline.buildPipeline();
    const config = statements(stack).filter((s) => [s.Action].flat().some((a: string) => a.startsWith('config:')));
    expect(config).toEqual([{ Effect: 'Allow', Action: [...PROACTIVE_ACTIONS], Resource: '*' }]);
    expect(JSON.stringify(statements(stack))).not.toMatch(/"sts:AssumeRole","Effect":"Allow","Resource":"arn:aws:iam::\d+:role\/(?!cdk-)/);
    const acks = pipeline.acknowledgments.filter((a) => a.ruleId === 'AwsSolutions-IAM5[Resource::*]' && /proactive/.test(a.reason));
    expect(acks).toHaveLength(1);
  });

  test('a Stage in another account needs a role to assume; with one, the step assumes it', () => {
    const { app, pipeline } = pipelineApp();
    const stage = new AppStage(app, 'Prod', { env: { account: '333333333333', region: 'eu-west-1' } });
    expect(() => pipeline.addStage(stage, { configRules: true }))
      .toThrow(/configEvaluationRoleArn: the Stage is in account 333333333333, not the pipeline's/);

    const { app: app2, stack: stack2, pipeline: pipeline2 } = pipelineApp();
    const roleArn = 'arn:aws:iam::333333333333:role/ConfigProactiveEvaluation';
    pipeline2.addStage(new AppStage(app2, 'Prod', { env: { account: '333333333333', region: 'eu-west-1' } }), { configRules: true, configEvaluationRoleArn: roleArn });
    pipeline2.codePipeline.buildPipeline();
    expect(statements(stack2)).toContainEqual({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn });
    const commands: string[] = JSON.parse(flatten(proactiveProject(stack2, 'Prod').Properties.Source.BuildSpec)).phases.build.commands;
    expect(commands).toContain(`printf '[profile devsecops-stage]\\nrole_arn = %s\\ncredential_source = EcsContainer\\n' '${roleArn}' > /tmp/devsecops/aws-config`);
    expect(commands.find((c) => c.includes('cli.js proactive'))).toMatch(/^AWS_CONFIG_FILE=\/tmp\/devsecops\/aws-config AWS_PROFILE=devsecops-stage AWS_SDK_LOAD_CONFIG=1 node /);
  });

  test('a bad role ARN, or a role with Config rules off, is refused', () => {
    const { app, pipeline } = pipelineApp();
    expect(() => pipeline.addStage(new AppStage(app, 'A'), { configRules: true, configEvaluationRoleArn: 'arn:aws:iam::1:user/x' }))
      .toThrow(/configEvaluationRoleArn: 'arn:aws:iam::1:user\/x' is not an IAM role ARN/);
    expect(() => pipeline.addStage(new AppStage(app, 'B'), { configEvaluationRoleArn: 'arn:aws:iam::111111111111:role/r' }))
      .toThrow(/configEvaluationRoleArn: given while Config rules are off/);
  });

  test('a wave\'s Stage gets its rules and its own step', () => {
    const { app, stack, pipeline } = pipelineApp();
    const wave = pipeline.addWave('Regions');
    const eu = new AppStage(app, 'Eu');
    const us = new AppStage(app, 'Us');
    wave.addStage(eu, { configRules: true });
    wave.addStage(us, { configRules: true });
    pipeline.codePipeline.buildPipeline();
    expect(eu.node.tryFindChild(CONFIG_RULES_STACK_ID)).toBeDefined();
    expect(proactiveProject(stack, 'Eu')).toBeDefined();
    expect(proactiveProject(stack, 'Us')).toBeDefined();
  });
});

describe('under the nag packs', () => {
  test('the rules stack, the step and its role stay clean under all five packs', () => {
    const { app, pipeline } = pipelineApp({ nagPacks: CompliancePack.all(), configRules: true });
    // Stages that hold nothing any pack flags, so that only what the library adds is judged.
    const quiet = (id: string) => {
      const stage = new Stage(app, id);
      new CfnWaitConditionHandle(new Stack(stage, 'App'), 'Nothing');
      return stage;
    };
    pipeline.addStage(quiet('Staging'), { approval: true });
    pipeline.addWave('Later').addStage(quiet('Prod'), { approval: true });
    expect(errorsOf(synthViolations(app))).toEqual([]);
    expect(pipeline.acknowledgments.every((a) => a.reason.length > 40)).toBe(true);
  });

  test('the packs do see the rules stack: a plain bucket put in it is reported', () => {
    const { app, pipeline } = pipelineApp({ nagPacks: CompliancePack.all(), configRules: true });
    const stage = new Stage(app, 'Staging');
    new CfnWaitConditionHandle(new Stack(stage, 'App'), 'Nothing');
    // Made before addStage, as the pipeline does (CDK Pipelines synthesizes the Stage in addStage).
    new s3.Bucket(ConfigRulesStack.inStage(stage, defaultConfigRulesSpec()), 'Plain');
    pipeline.addStage(stage);
    const errors = errorsOf(synthViolations(app)).map((e) => `${e.rule} ${e.path}`);
    expect(errors).toContain('AwsSolutions-S1 Staging/DevSecOpsConfigRules/Plain/Resource');
    expect(errors).toContain('NIST.800.53.R5-S3BucketLoggingEnabled Staging/DevSecOpsConfigRules/Plain/Resource');
  });
});
