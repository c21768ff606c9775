/** One cdk-nag rule acknowledged by this library, where, and why it is safe. */
export interface AcknowledgmentRecord {
  /** Construct path the acknowledgment is attached to. */
  readonly constructPath: string;
  /** The rule or finding id, e.g. `AwsSolutions-IAM5[Action::s3:GetObject*]`. */
  readonly ruleId: string;
  /** Why it is safe. */
  readonly reason: string;
}
