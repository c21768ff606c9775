package smoke;

import io.github.cdkdevsecops.pipeline.ConnectionSourceOptions;
import io.github.cdkdevsecops.pipeline.DevSecOpsPipeline;
import io.github.cdkdevsecops.pipeline.DevSecOpsStageOptions;
import io.github.cdkdevsecops.pipeline.PipelineSource;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Stage;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.constructs.Construct;

/**
 * The Java smoke test of the package (test/languages/run.sh): the README's quick start in Java,
 * with two application Stages, synthesized into $CDK_OUTDIR. check-assembly.ts asserts on the result.
 */
public final class SmokeApp {
    /** A small application: a KMS-encrypted bucket that logs to a second bucket, secure by its own settings. */
    static final class AppStage extends Stage {
        AppStage(final Construct scope, final String id) {
            super(scope, id);
            Stack stack = new Stack(this, "App");
            Key key = Key.Builder.create(stack, "DataKey").enableKeyRotation(true).removalPolicy(RemovalPolicy.RETAIN).build();
            Bucket accessLogs = Bucket.Builder.create(stack, "AccessLogs")
                .encryption(BucketEncryption.S3_MANAGED)
                .enforceSsl(true)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .versioned(true)
                .build();
            Bucket.Builder.create(stack, "Data")
                .encryption(BucketEncryption.KMS)
                .encryptionKey(key)
                .enforceSsl(true)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .versioned(true)
                .serverAccessLogsBucket(accessLogs)
                .build();
        }
    }

    public static void main(final String[] args) {
        App app = new App();
        Stage staging = new AppStage(app, "Staging");
        Stage prod = new AppStage(app, "Prod");

        // The README's quick start.
        Stack stack = new Stack(app, "PipelineStack", StackProps.builder()
            .env(Environment.builder().account("111111111111").region("eu-west-1").build())
            .build());
        DevSecOpsPipeline pipeline = DevSecOpsPipeline.Builder.create(stack, "Pipeline")
            .source(PipelineSource.connection("my-org/my-app", "main", ConnectionSourceOptions.builder()
                .connectionArn("arn:aws:codeconnections:eu-west-1:111111111111:connection/11111111-2222-3333-4444-555555555555")
                .build()))
            .build();
        pipeline.addStage(staging);
        pipeline.addStage(prod, DevSecOpsStageOptions.builder().approval(true).build());

        app.synth();
    }
}
