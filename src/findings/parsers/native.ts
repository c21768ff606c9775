import { asffNdjsonParser, asffParser } from './asff';
import { banditParser } from './bandit';
import { baseImagesParser } from './base-images';
import { cdkNagCsvParser, cdkNagJsonParser } from './cdk-nag';
import { cfnGuardParser } from './cfn-guard';
import { cfnNagParser } from './cfn-nag';
import { checkovParser } from './checkov';
import { configProactiveParser } from './config-proactive';
import { cyclonedxParser } from './cyclonedx';
import { dependencyCheckJsonParser, dependencyCheckXmlParser } from './dependency-check';
import { ecrParser } from './ecr';
import { gitleaksParser } from './gitleaks';
import { grypeParser } from './grype';
import { inspectorParser } from './inspector';
import { kicsParser } from './kics';
import { npmAuditParser } from './npm-audit';
import { semgrepParser } from './semgrep';
import { spdxParser } from './spdx';
import { trivyParser } from './trivy';
import { trufflehogParser } from './trufflehog';
import { ReportParser } from './types';
import { wapitiParser } from './wapiti';
import { zapJsonParser, zapXmlParser } from './zap';

/**
 * Parsers for every non-SARIF format (one file per format family beside this one).
 * A format name can have one parser per encoding (zap XML and JSON, cdk-nag CSV and JSON, ...):
 * (format, encoding) is unique, and for any decoded report at most one parser's `detect` is true
 * (test/findings/parsers/detect.test.ts checks both on every fixture).
 */
export const NATIVE_PARSERS: ReportParser[] = [
  gitleaksParser,
  trufflehogParser,
  semgrepParser,
  banditParser,
  trivyParser,
  grypeParser,
  checkovParser,
  kicsParser,
  cfnGuardParser,
  cfnNagParser,
  zapXmlParser,
  zapJsonParser,
  wapitiParser,
  ecrParser,
  inspectorParser,
  asffParser,
  asffNdjsonParser,
  cyclonedxParser,
  spdxParser,
  npmAuditParser,
  dependencyCheckJsonParser,
  dependencyCheckXmlParser,
  cdkNagJsonParser,
  cdkNagCsvParser,
  configProactiveParser,
  baseImagesParser,
];
