/**
 * The built-in policies' Rego text. Each reports with its fixed id (src/model/policies.ts); a value
 * the engine can't resolve at synth (a parameter, an import) counts as a violation: a policy
 * fails closed, it never passes what it could not read.
 */
import { BUILT_IN_POLICY_IDS, S3_KMS_ALGORITHMS } from '../model/policies';

const IDS = BUILT_IN_POLICY_IDS;

/** EC2_INSTANCE_IN_VPC: an instance has a SubnetId, or network interfaces that each name a subnet (or an existing interface). */
export function ec2InstanceInVpcRego(): string {
  return `package devsecops.ec2_instance_in_vpc

import rego.v1

has_value(v) if {
	v != null
	not is_no_value(v)
}

is_no_value(v) if v == {"Ref": "AWS::NoValue"}

in_vpc(props) if has_value(props.SubnetId)

in_vpc(props) if {
	is_array(props.NetworkInterfaces)
	count(props.NetworkInterfaces) > 0
	every nic in props.NetworkInterfaces {
		nic_in_vpc(nic)
	}
}

nic_in_vpc(nic) if has_value(nic.SubnetId)

nic_in_vpc(nic) if has_value(nic.NetworkInterfaceId)

violation contains v if {
	some name, res in input.resources
	res.resourceType == "AWS::EC2::Instance"
	props := object.get(res, "properties", {})
	not in_vpc(props)
	v := make_diag_at("${IDS.ec2InstanceInVpc}", "ERROR", name, "Properties.SubnetId", "the instance is not placed in a VPC subnet")
}
`;
}

/** S3_BUCKET_ENCRYPTED: a bucket declares BucketEncryption; with kmsOnly, every rule uses an AWS KMS algorithm. */
export function s3BucketEncryptedRego(kmsOnly: boolean): string {
  const base = `package devsecops.s3_bucket_encrypted

import rego.v1

violation contains v if {
	some name, res in input.resources
	res.resourceType == "AWS::S3::Bucket"
	object.get(object.get(res, "properties", {}), "BucketEncryption", null) == null
	v := make_diag_at("${IDS.s3BucketEncrypted}", "ERROR", name, "Properties.BucketEncryption", "the bucket declares no BucketEncryption")
}
`;
  if (!kmsOnly) return base;
  return `${base}
kms_algorithms := ${JSON.stringify(S3_KMS_ALGORITHMS)}

violation contains v if {
	some name, res in input.resources
	res.resourceType == "AWS::S3::Bucket"
	object.get(object.get(res, "properties", {}), "BucketEncryption", null) != null
	rules := resolve(name, "Properties.BucketEncryption.ServerSideEncryptionConfiguration")
	not kms_rules(rules)
	v := make_diag_at("${IDS.s3BucketEncrypted}", "ERROR", name, "Properties.BucketEncryption.ServerSideEncryptionConfiguration", sprintf("the bucket is not encrypted with SSE-KMS only: SSEAlgorithm must be one of %v", [kms_algorithms]))
}

kms_rules(rules) if {
	is_array(rules)
	count(rules) > 0
	every rule in rules {
		rule.ServerSideEncryptionByDefault.SSEAlgorithm in kms_algorithms
	}
}
`;
}

/** LAMBDA_TIMEOUT_MAXIMUM: a function's Timeout (3 s when absent) is a number below the maximum. */
export function lambdaTimeoutMaximumRego(maxSeconds: number): string {
  return `package devsecops.lambda_timeout_maximum

import rego.v1

max_timeout := ${maxSeconds}

violation contains v if {
	some name, res in input.resources
	res.resourceType == "AWS::Lambda::Function"
	object.get(object.get(res, "properties", {}), "Timeout", null) != null
	timeout := resolve(name, "Properties.Timeout")
	is_number(timeout)
	timeout >= max_timeout
	v := make_diag_at("${IDS.lambdaTimeoutMaximum}", "ERROR", name, "Properties.Timeout", sprintf("the timeout is %v s: it must be below %v s", [timeout, max_timeout]))
}

violation contains v if {
	some name, res in input.resources
	res.resourceType == "AWS::Lambda::Function"
	raw := object.get(object.get(res, "properties", {}), "Timeout", null)
	raw != null
	not is_number(resolve(name, "Properties.Timeout"))
	v := make_diag_at("${IDS.lambdaTimeoutMaximum}", "ERROR", name, "Properties.Timeout", sprintf("the timeout %v can't be read at synth: give a number below %v s", [raw, max_timeout]))
}
`;
}
