"""The Python smoke test of the package (test/languages/run.sh).

Runs the README's Python quick start (jsii-rosetta's translation, taken from README.md as it
stands) with two application Stages, then synthesizes into $CDK_OUTDIR. check-assembly.ts
asserts on the result.
"""
import pathlib
import re

from aws_cdk import App, RemovalPolicy, Stack, Stage
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

README = pathlib.Path(__file__).resolve().parents[3] / "README.md"
# The first Python block after the quick start heading.
QUICK_START = re.compile(r"^## Quick start\n.*?^```python\n(.*?)^```", re.S | re.M)


class AppStage(Stage):
    """A small application: a KMS-encrypted bucket that logs to a second bucket, secure by its
    own settings (no cdk-nag acknowledgments needed)."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        stack = Stack(self, "App")
        key = kms.Key(stack, "DataKey", enable_key_rotation=True, removal_policy=RemovalPolicy.RETAIN)
        access_logs = s3.Bucket(stack, "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            versioned=True,
        )
        s3.Bucket(stack, "Data",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=key,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            versioned=True,
            server_access_logs_bucket=access_logs,
        )


def main() -> None:
    match = QUICK_START.search(README.read_text(encoding="utf-8"))
    if match is None:
        raise SystemExit(f"{README}: no ```python block under '## Quick start'")
    app = App()
    # The names the quick start declares (`# app: App`, `# staging: Stage`, `# prod: Stage`).
    scope = {"app": app, "staging": AppStage(app, "Staging"), "prod": AppStage(app, "Prod")}
    exec(compile(match.group(1), f"{README}:quick start (python)", "exec"), scope)  # noqa: S102 - the README's own code
    app.synth()


if __name__ == "__main__":
    main()
