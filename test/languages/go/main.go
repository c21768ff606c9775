// The Go smoke test of the package (test/languages/run.sh): the README's quick start in Go, with
// two application Stages, synthesized into $CDK_OUTDIR. check-assembly.ts asserts on the result.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-devsecops/cdk-devsecops-pipeline-go/cdkdevsecopspipeline"
)

// newAppStage is a small application: a KMS-encrypted bucket that logs to a second bucket,
// secure by its own settings (no cdk-nag acknowledgments needed).
func newAppStage(scope constructs.Construct, id string) awscdk.Stage {
	stage := awscdk.NewStage(scope, jsii.String(id), nil)
	stack := awscdk.NewStack(stage, jsii.String("App"), nil)
	key := awskms.NewKey(stack, jsii.String("DataKey"), &awskms.KeyProps{
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})
	accessLogs := awss3.NewBucket(stack, jsii.String("AccessLogs"), &awss3.BucketProps{
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		Versioned:         jsii.Bool(true),
	})
	awss3.NewBucket(stack, jsii.String("Data"), &awss3.BucketProps{
		Encryption:             awss3.BucketEncryption_KMS,
		EncryptionKey:          key,
		EnforceSSL:             jsii.Bool(true),
		BlockPublicAccess:      awss3.BlockPublicAccess_BLOCK_ALL(),
		Versioned:              jsii.Bool(true),
		ServerAccessLogsBucket: accessLogs,
	})
	return stage
}

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	staging := newAppStage(app, "Staging")
	prod := newAppStage(app, "Prod")

	// The README's quick start.
	stack := awscdk.NewStack(app, jsii.String("PipelineStack"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")},
	})
	pipeline := cdkdevsecopspipeline.NewDevSecOpsPipeline(stack, jsii.String("Pipeline"), &cdkdevsecopspipeline.DevSecOpsPipelineProps{
		Source: cdkdevsecopspipeline.PipelineSource_Connection(jsii.String("my-org/my-app"), jsii.String("main"), &cdkdevsecopspipeline.ConnectionSourceOptions{
			ConnectionArn: jsii.String("arn:aws:codeconnections:eu-west-1:111111111111:connection/11111111-2222-3333-4444-555555555555"),
		}),
	})
	pipeline.AddStage(staging, nil)
	pipeline.AddStage(prod, &cdkdevsecopspipeline.DevSecOpsStageOptions{Approval: jsii.Bool(true)})

	app.Synth(nil)
}
