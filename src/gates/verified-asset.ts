import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';

/** sha256 of each named file of `dir`, taken at synth; a missing file is an error saying `what` is missing. */
export function sha256Of(dir: string, files: readonly string[], missing: (file: string, p: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of files) {
    const p = path.join(dir, file);
    if (!fs.existsSync(p)) throw new Error(missing(file, p));
    out[file] = createHash('sha256').update(fs.readFileSync(p)).digest('hex');
  }
  return out;
}

/** Read access to this one asset object, nothing else in the bootstrap bucket. */
export function assetReadStatement(asset: s3assets.Asset): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['s3:GetObject'],
    resources: [`arn:${Aws.PARTITION}:s3:::${asset.s3BucketName}/${asset.s3ObjectKey}`],
  });
}

/** Copies the asset's zip to `zip`, unpacks it into `dir` and checks each file against its sha256 before anything uses it. */
export function unpackVerified(asset: s3assets.Asset, zip: string, dir: string, sha256: Readonly<Record<string, string>>): string[] {
  return [
    `aws s3 cp --only-show-errors s3://${asset.s3BucketName}/${asset.s3ObjectKey} ${zip}`,
    `unzip -q -o ${zip} -d ${dir}`,
    ...Object.entries(sha256).map(([file, digest]) => `echo "${digest}  ${dir}/${file}" | sha256sum -c -`),
  ];
}
