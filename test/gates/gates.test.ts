import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { commandsOf, flatten, GATE_IDS, GATE_NAMES_JUDGED, stagesOf, synthGates } from './support';
import {
  DependencyScan, DockerfileScan, IacScan, IGateContext, PipelineSource, Sast, SastEngine, Sbom, SecretScan, Severity,
} from '../../src';
import { TOOLS } from '../../src/scanners';
import { CONNECTION_ARN } from '../pipeline/support';
import { LicenseGate } from '../support/license-gate';

describe('static gates by default', () => {
  const s = synthGates();

  test('every gate is on: secrets, SAST, SCA, SBOM and IaC', () => {
    expect(Object.keys(s.gates).sort()).toEqual([...GATE_IDS].sort());
    expect(s.pipeline.gateSteps.map((g) => g.id)).toEqual([...GATE_IDS]);
    const judged = GATE_IDS.map((id) => s.gates[id]).flatMap((g) => g!.build.flatMap((l) => [...l.matchAll(/cli\.js evaluate --gate (\S+)/g)].map((m) => m[1])));
    expect(judged).toEqual(GATE_NAMES_JUDGED);
  });

  test('trivy is installed once: the SBOM is judged in the SCA build, as a gate of its own (list, findings, JUnit)', () => {
    const g = s.gates.DependencyScan!;
    expect(g.install.filter((l) => /sha256sum -c -$/.test(l) && l.includes('trivy_'))).toHaveLength(1);
    const decide = g.build.find((l) => l.includes('cli.js evaluate'))!;
    expect(decide).toMatch(/^status=0; if mapfile -t listed < \/tmp\/devsecops\/report-list .*--gate dependencies .*--out devsecops-gate-out\/findings "\$\{reports\[@\]\}"; then true \|\| status=1; else status=1; fi; if mapfile -t listed < \/tmp\/devsecops\/report-list-sbom .*--gate sbom .*--out devsecops-gate-out\/findings-sbom "\$\{reports\[@\]\}"; then .*aws s3 cp .*&& true \|\| status=1; else status=1; fi; \[ "\$status" -eq 0 \]$/);
    expect(g.build).toContain("echo '/tmp/devsecops/reports/sbom.cdx.json:cyclonedx' >> /tmp/devsecops/report-list-sbom");
    const reports = Object.values<any>(g.buildspec.reports)[0];
    expect(reports).toEqual({ 'files': ['findings/junit.xml', 'findings-sbom/junit.xml'], 'base-directory': 'devsecops-gate-out', 'file-format': 'JUNITXML' });
  });

  test('all gates (and the weakening check) share one run order in one stage, right after Build, before self-mutation and the Stages', () => {
    const stages = stagesOf(s.template);
    const names = stages.map((st) => st.name);
    const gates = stages.find((st) => st.name === 'SecurityGates')!;
    expect(gates.actions.map((a) => a.name).sort()).toEqual([...GATE_IDS, 'PostureCheck'].sort());
    expect(new Set(gates.actions.map((a) => a.runOrder)).size).toBe(1);
    // The commit is judged before the pipeline updates itself from it: nothing but the weakening approval in between.
    expect(names).toEqual(['Source', 'Build', 'SecurityGates', 'PipelineSecurityChange', 'UpdatePipeline', 'Staging']);
  });

  test.each(GATE_IDS)('%s: unprivileged, KMS-encrypted, logging to the pipeline log group', (id) => {
    const p = s.gates[id]!.project.Properties;
    expect(p.Environment.PrivilegedMode).toBe(false);
    expect(p.EncryptionKey).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PipelineStorageKey/), 'Arn'] });
    expect(p.LogsConfig.CloudWatchLogs.Status).toBe('ENABLED');
  });

  test.each(GATE_IDS)('%s: the findings CLI arrives as an S3 asset, checked by sha256 before it runs', (id) => {
    const install = s.gates[id]!.install;
    const cp = install.findIndex((l) => /^aws s3 cp --only-show-errors s3:\/\/cdk-[a-z0-9]+-assets-\S+\/[0-9a-f]{64}\.zip \/tmp\/devsecops\/findings-cli\.zip$/.test(l));
    expect(cp).toBeGreaterThanOrEqual(0);
    expect(install[cp + 2]).toMatch(/^echo "[0-9a-f]{64} {2}\/tmp\/devsecops\/findings-cli\/cli\.js" \| sha256sum -c -$/);
    // Nothing comes from a package registry for the CLI (scanners' checked tarballs in /tmp/devsecops-tools are not it).
    expect(install.join('\n')).not.toMatch(/npx|npm (i|install) .*(cdk-devsecops|findings-cli)|registry\.npmjs\.org\/cdk-devsecops/);
  });

  test.each(GATE_IDS)('%s: evaluate decides, with --fail-on HIGH and every listed report, writing to the artifact directory', (id) => {
    const build = s.gates[id]!.build;
    const evaluate = build.filter((l) => l.includes('cli.js evaluate'));
    expect(evaluate).toHaveLength(1);
    expect(evaluate[0]).toMatch(/--fail-on HIGH /);
    expect(evaluate[0]).toContain('--out devsecops-gate-out/findings');
    // The scanner runs before evaluate.
    expect(build.findIndex((l) => l.includes('cli.js evaluate'))).toBeGreaterThan(build.findIndex((l) => l.includes('report-list') && l.startsWith('echo')));
    expect(s.gates[id]!.buildspec.artifacts).toEqual({ 'base-directory': 'devsecops-gate-out', 'files': ['**/*'] });
  });

  test.each(GATE_IDS)('%s: its own report group gets the JUnit, exported to S3 encrypted with the pipeline key', (id) => {
    const reports = s.gates[id]!.buildspec.reports;
    const keys = Object.keys(reports);
    expect(keys).toHaveLength(1);
    const groupId = /<TOKEN:\{Fn::GetAtt:\[([A-Za-z0-9]+),Arn\]\}>/.exec(keys[0])![1];
    if (id !== 'DependencyScan') expect(reports[keys[0]]).toEqual({ 'files': ['junit.xml'], 'base-directory': 'devsecops-gate-out/findings', 'file-format': 'JUNITXML' });
    const group = s.template.findResources('AWS::CodeBuild::ReportGroup')[groupId];
    expect(group.Properties.Type).toBe('TEST');
    expect(group.Properties.ExportConfig.ExportConfigType).toBe('S3');
    expect(group.Properties.ExportConfig.S3Destination.EncryptionKey).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PipelineStorageKey/), 'Arn'] });
    expect(group.Properties.ExportConfig.S3Destination.EncryptionDisabled).toBe(false);
    expect(group.Properties.ExportConfig.S3Destination.Bucket).toEqual({ Ref: expect.stringMatching(/^PipelineStorageArtifactsBucket/) });
  });

  test('each gate\'s role may write reports only to its own report group, by ARN', () => {
    const groups = Object.keys(s.template.findResources('AWS::CodeBuild::ReportGroup'));
    expect(groups).toHaveLength(GATE_IDS.length);
    for (const group of groups) {
      s.template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([{
            Effect: 'Allow',
            Action: ['codebuild:CreateReport', 'codebuild:UpdateReport', 'codebuild:BatchPutTestCases'],
            Resource: { 'Fn::GetAtt': [group, 'Arn'] },
          }]),
        },
      });
    }
  });

  test('the findings CLI asset (and the SAST gate\'s eslint engine, the IaC gate\'s Control Tower rules) are readable as those objects only', () => {
    const policies = Object.values<any>(s.template.findResources('AWS::IAM::Policy'));
    const reads = policies.flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((st: any) => JSON.stringify(st.Resource ?? '').includes('cdk-hnb659fds-assets'));
    // Each gate and the weakening check read the findings CLI; the SAST gate its eslint engine and Bandit's pip lock, the IaC gate its rules,
    // the policy gate the policy engine and the policies too.
    expect(reads).toHaveLength(GATE_IDS.length + 6);
    expect(new Set(reads.map((st: any) => JSON.stringify(st.Resource))).size).toBe(6);
    for (const st of reads) {
      expect(st.Action).toBe('s3:GetObject');
      const arn = JSON.stringify(st.Resource);
      expect(arn).toMatch(/cdk-hnb659fds-assets-111111111111-eu-west-1\/[0-9a-f]{64}\.zip/);
      expect(arn).not.toContain('*');
    }
  });

  test('secrets: gitleaks, pinned and verified, scanning the files (no full clone), said in the summary', () => {
    const g = s.gates.SecretScan!;
    const t = TOOLS.gitleaks;
    if (t.kind !== 'archive') throw new Error('gitleaks is an archive tool');
    expect(g.install).toContain(`echo "${t.download.sha256}  /root/.cache/devsecops-tools/${t.download.sha256}/${t.download.url.split('/').pop()}" | sha256sum -c -`);
    // The gate's config (gitleaks' defaults) and ignore file, never the repository's; gitleaks:allow comments do not count.
    expect(g.build).toContainEqual(expect.stringMatching(
      /^gitleaks dir --no-banner --redact --exit-code 0 --config \/tmp\/devsecops\/gitleaks\.toml --gitleaks-ignore-path \/tmp\/devsecops\/gitleaksignore --ignore-gitleaks-allow --report-format json --report-path \S+gitleaks\.json \.$/,
    ));
    expect(g.build).toContainEqual(expect.stringMatching(/^echo '.*\[extend\]\nuseDefault = true' > \/tmp\/devsecops\/gitleaks\.toml$/s));
    expect(g.build.find((l) => l.includes('evaluate'))).toMatch(/--secret-severity CRITICAL --secret-scan files /);
  });

  test('the scanner cache is a bucket of its own, which only the gates that use it can read or write', () => {
    const caches = Object.entries<any>(s.template.findResources('AWS::S3::Bucket')).filter(([id]) => id.includes('GatesCacheBucket'));
    expect(caches).toHaveLength(1);
    const [cacheId, cache] = caches[0];
    expect(cache.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
    const policies = Object.entries<any>(s.template.findResources('AWS::IAM::Policy'));
    const granted = policies.filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes(cacheId))
      .map(([, p]) => JSON.stringify(p.Properties.Roles)).map((r) => (/SecurityGates([A-Za-z]+?)(?:[0-9A-F]{8})?Role/.exec(r) ?? [r, r])[1]);
    // Never the synth or self-mutation roles, never SAST (whose build compiles the repository's code).
    expect(granted.sort()).toEqual(['DependencyScan', 'DockerfileScan', 'IacScan', 'SecretScan']);
    expect(s.gates.Sast!.project.Properties.Cache).toEqual({ Type: 'NO_CACHE' });
    expect(s.gates.Sast!.buildspec.cache).toBeUndefined();
    expect(JSON.stringify(s.template.toJSON())).not.toContain('devsecops-cache');
  });

  test('report exports are written under their own prefix, and no role can create report groups or set object ACLs', () => {
    for (const group of Object.values<any>(s.template.findResources('AWS::CodeBuild::ReportGroup'))) {
      expect(group.Properties.ExportConfig.S3Destination.Path).toBe('devsecops-reports');
    }
    const statements = Object.values<any>(s.template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const puts = statements.filter((st) => st.Action === 's3:PutObject' && JSON.stringify(st.Resource).includes('PipelineStorageArtifactsBucket'));
    expect(puts.length).toBe(GATE_IDS.length);
    for (const st of puts) expect(flatten(st.Resource)).toMatch(/\/devsecops-reports\/\*$/);
    const actions = statements.flatMap((st) => [st.Action].flat());
    for (const unused of ['codebuild:CreateReportGroup', 's3:PutObjectAcl', 's3:PutObjectVersionAcl']) expect(actions).not.toContain(unused);
  });

  test('SCA: trivy fs, its databases in the S3 cache with fallback repositories', () => {
    const g = s.gates.DependencyScan!;
    const trivy = g.build.find((l) => l.startsWith('trivy fs'))!;
    expect(trivy).toContain('--scanners vuln --format json');
    expect(trivy).toContain('--db-repository mirror.gcr.io/aquasec/trivy-db:2,ghcr.io/aquasecurity/trivy-db:2,public.ecr.aws/aquasecurity/trivy-db:2');
    expect(trivy).toContain('--java-db-repository mirror.gcr.io/aquasec/trivy-java-db:1,ghcr.io/aquasecurity/trivy-java-db:1,public.ecr.aws/aquasecurity/trivy-java-db:1');
    expect(trivy).toContain('--cache-dir /root/.cache/trivy');
    // One cache per project: trivy's databases and the tool downloads, under trivy's prefix.
    expect(g.buildspec.cache).toEqual({ paths: ['/root/.cache/trivy/**/*', '/root/.cache/devsecops-tools/**/*'] });
    expect(g.project.Properties.Cache).toEqual({
      Type: 'S3',
      Location: { 'Fn::Join': ['/', [{ Ref: expect.stringMatching(/^PipelineGatesCacheBucket/) }, 'trivy']] },
    });
    expect(commandsOf(g).join('\n')).toContain(`/download/v${TOOLS.trivy.version}/`);
    expect(TOOLS.trivy.version).not.toBe('0.69.4');
  });

  test('SAST: engines chosen by the files present; Semgrep, only when named, is left out with a message', () => {
    const g = s.gates.Sast!;
    const install = g.install.join('\n');
    expect(install).toMatch(/if find \. .*-name node_modules -prune -o \\\( -name '\*\.py' \\\) -print \| grep -q \.; then .*scanner-locks\/bandit\.txt" \| sha256sum -c - .*bandit-1\.9\.4\/bin\/pip install .*--require-hashes --only-binary=:all: --no-deps -r \/opt\/devsecops-tools\/scanner-locks\/bandit\.txt/);
    expect(install).toMatch(/if \[ -f pom\.xml \]; then .*spotbugs-4\.9\.3\.tgz.*sha256sum -c -.*findsecbugs-plugin-1\.14\.0\.jar.*sha256sum -c -/);
    // JS/TS: eslint with the security plugin, formatter and TypeScript parser, from the shipped lock (checked), npm ci without scripts.
    expect(install).toMatch(/if \{ \[ -f package\.json \] \|\| find \. .*-name node_modules -prune -o \\\( -name '\*\.js' .*-name '\*\.ts' .*\\\) -print \| grep -q \.; \}; then echo 'SAST: running eslint-security'/);
    expect(install).toMatch(/package\.json" \| sha256sum -c - && echo "[0-9a-f]{64} {2}\/opt\/devsecops-tools\/eslint-security\/package-lock\.json" \| sha256sum -c - && npm ci --prefix \/opt\/devsecops-tools\/eslint-security --ignore-scripts /);
    expect(install).not.toMatch(/eslint-9\.39\.5\.tgz/);
    expect(g.build.join('\n')).toMatch(/ESLINT_USE_FLAT_CONFIG=true eslint --config \S+\/eslint\.config\.mjs --no-config-lookup --no-inline-config /);
    expect(install).toContain('SAST: semgrep not chosen by detection: name it explicitly to run it');
    expect(install).not.toMatch(/semgrep-rules|semgrep-1\.156|bin\/semgrep/);
    expect(g.build.join('\n')).toContain('bandit -r . -f json');
    // Nothing applicable: an explicit empty report that says so, rather than no report.
    expect(g.build.join('\n')).toMatch(/sast-detect\.sarif/);
  });

  test('SBOM: CycloneDX JSON as an artifact and in a dedicated hardened bucket, under the commit id', () => {
    // Judged in the SCA build (one trivy), after the SCA scan.
    const g = s.gates.DependencyScan!;
    expect(g.build).toContainEqual(expect.stringMatching(/^trivy fs --format cyclonedx --output \S+sbom\.cdx\.json /));
    expect(g.build).toContain('cp /tmp/devsecops/reports/sbom.cdx.json devsecops-gate-out/sbom.cdx.json');
    const decide = g.build.find((l) => l.includes('aws s3 cp'))!;
    expect(decide).toMatch(/ && aws s3 cp --only-show-errors \/tmp\/devsecops\/reports\/sbom\.cdx\.json "s3:\/\/<TOKEN:\{Ref:PipelineGatesSbomBucket[0-9A-F]+\}>\/sbom\/\$\{CODEBUILD_RESOLVED_SOURCE_VERSION\}\/\$\{PIPELINE_EXECUTION_ID\}\.cdx\.json" && true \|\| status=1;/);
    // The upload comes only after the SBOM gate's evaluate found a well-formed SBOM.
    expect(decide.indexOf('aws s3 cp')).toBeGreaterThan(decide.indexOf('--gate sbom'));
    s.template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({
        Name: 'SecurityGates',
        Actions: Match.arrayWith([Match.objectLike({
          Name: 'DependencyScan',
          Configuration: Match.objectLike({ EnvironmentVariables: Match.stringLikeRegexp('PIPELINE_EXECUTION_ID.*#\\{codepipeline.PipelineExecutionId\\}') }),
        })]),
      })]),
    });
    const bucket = Object.entries<any>(s.template.findResources('AWS::S3::Bucket')).find(([id]) => id.startsWith('PipelineGatesSbomBucket'))![1].Properties;
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'aws:kms',
      KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^PipelineStorageKey/), 'Arn'] },
    });
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
    });
    expect(bucket.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: expect.stringMatching(/^PipelineStorageAccessLogsBucket/) }, LogFilePrefix: 'sbom/' });
    expect(bucket.ObjectLockEnabled).toBeUndefined();
    expect(s.pipeline.sbomBucket).toBeDefined();
  });

  test('SBOM: the build may only add objects under sbom/ of its bucket', () => {
    const policies = Object.values<any>(s.template.findResources('AWS::IAM::Policy'));
    const onSbom = policies.flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((st: any) => JSON.stringify(st.Resource).includes('PipelineGatesSbomBucket'));
    expect(onSbom).toEqual([{
      Effect: 'Allow',
      Action: 's3:PutObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^PipelineGatesSbomBucket/), 'Arn'] }, '/sbom/*']] },
    }]);
  });

  test('IaC: cfn-guard with the Control Tower rules over every template of the synth output', () => {
    const g = s.gates.IacScan!;
    const install = g.install.join('\n');
    expect(install).toContain('/cloudformation-guard/releases/download/3.2.0/');
    // The default Control Tower rules from the asset this package ships (test/gates/control-tower-rules.test.ts), each checked.
    for (const id of IacScan.defaultControlTowerRules()) expect(install).toMatch(new RegExp(`^echo "[0-9a-f]{64}  /tmp/devsecops/guard-rules/${id}\\.guard" \\| sha256sum -c -$`, 'm'));
    const build = g.build.join('\n');
    expect(build).toContain("find devsecops-cloud-assembly -name '*.template.json'");
    expect(build).toMatch(/cfn-guard validate --data \/tmp\/devsecops\/templates --rules \/tmp\/devsecops\/guard-rules --output-format sarif/);
    // The synth output is an input of the gate's action, beside the source.
    s.template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({
        Name: 'SecurityGates',
        Actions: Match.arrayWith([Match.objectLike({
          Name: 'IacScan',
          InputArtifacts: [{ Name: 'my_org_my_app_Source' }, { Name: 'Synth_Output' }],
        })]),
      })]),
    });
    expect(install).toContain('ln -s -- "$CODEBUILD_SRC_DIR_Synth_Output" "devsecops-cloud-assembly"');
  });
});

describe('tuning and switching gates off', () => {
  test.each([
    ['secrets', { secrets: SecretScan.none() }, 'SecretScan'],
    ['sast', { sast: Sast.none() }, 'Sast'],
    ['dependencies', { dependencies: DependencyScan.none() }, 'DependencyScan'],
    ['sbom', { sbom: Sbom.none() }, 'Sbom'],
    ['iac', { iac: IacScan.none() }, 'IacScan'],
    ['dockerfile', { dockerfile: DockerfileScan.none() }, 'DockerfileScan'],
  ] as const)('gates.%s off is one prop: that gate goes, the others stay, and a warning names it', (name, gates, id) => {
    const s = synthGates({ gates });
    // Without the SCA gate, the SBOM gate has a build of its own.
    const expected = [...GATE_IDS.filter((g) => g !== id), ...(name === 'dependencies' ? ['Sbom'] : [])];
    expect(Object.keys(s.gates).sort()).toEqual(expected.sort());
    const warnings = s.pipeline.node.findAll().flatMap((c) => c.node.metadata).filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`gates\\.${name} is off.*secure default weakened`))]);
  });

  test('every static gate off: the gates stage holds only the policy gate and the weakening check; no other report group, no SBOM bucket', () => {
    const s = synthGates({
      gates: {
        secrets: SecretScan.none(),
        sast: Sast.none(),
        dependencies: DependencyScan.none(),
        sbom: Sbom.none(),
        iac: IacScan.none(),
        dockerfile: DockerfileScan.none(),
      },
    });
    expect(stagesOf(s.template).find((st) => st.name === 'SecurityGates')!.actions.map((a) => a.name)).toEqual(['PolicyCheck', 'PostureCheck']);
    expect(Object.keys(s.template.findResources('AWS::CodeBuild::ReportGroup'))).toEqual([expect.stringMatching(/PolicyCheckReports/)]);
    expect(s.pipeline.sbomBucket).toBeUndefined();
  });

  test('failOn: the pipeline-wide value, overridden per gate; CRITICAL leaves a warning', () => {
    const s = synthGates({ gates: { failOn: Severity.MEDIUM, secrets: SecretScan.gitleaks({ failOn: Severity.LOW }) } });
    const failOn = (id: keyof typeof s.gates) => /--fail-on (\w+)/.exec(s.gates[id]!.build.find((l) => l.includes('evaluate'))!)![1];
    expect(failOn('SecretScan')).toBe('LOW');
    expect(failOn('Sast')).toBe('MEDIUM');
    expect(failOn('IacScan')).toBe('MEDIUM');
    const weak = synthGates({ gates: { failOn: Severity.CRITICAL } });
    const warnings = weak.pipeline.node.findAll().flatMap((c) => c.node.metadata).filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    expect(warnings).toEqual([expect.stringMatching(/failOn is CRITICAL/)]);
  });

  test('suppressions: the default file is left to the CLI (used if present); a named file is passed', () => {
    const byDefault = synthGates();
    expect(byDefault.gates.Sast!.build.find((l) => l.includes('evaluate'))).not.toContain('--suppressions');
    const named = synthGates({ gates: { suppressionsFile: 'security/suppressions.yaml', iac: IacScan.cfnGuard({ suppressionsFile: 'infra/iac-suppressions.yaml' }) } });
    expect(named.gates.Sast!.build.find((l) => l.includes('evaluate'))).toContain("--suppressions 'security/suppressions.yaml'");
    expect(named.gates.IacScan!.build.find((l) => l.includes('evaluate'))).toContain("--suppressions 'infra/iac-suppressions.yaml'");
  });

  test('secrets: a full clone has its history scanned, and the summary says so', () => {
    const s = synthGates({ source: PipelineSource.connection('my-org/my-app', 'main', { connectionArn: CONNECTION_ARN, fullClone: true }) });
    const g = s.gates.SecretScan!;
    expect(g.build).toContainEqual(expect.stringMatching(/^gitleaks git --no-banner --redact --exit-code 0 /));
    expect(g.build.find((l) => l.includes('evaluate'))).toContain('--secret-scan history');
  });

  test('secrets: trufflehog (no verification calls) and secretlint (files only, even on a full clone)', () => {
    const source = PipelineSource.connection('my-org/my-app', 'main', { connectionArn: CONNECTION_ARN, fullClone: true });
    const th = synthGates({ source, gates: { secrets: SecretScan.trufflehog({ secretSeverity: Severity.HIGH }) } }).gates.SecretScan!;
    expect(th.build).toContainEqual(expect.stringMatching(/^trufflehog git file:\/\/\. --json --no-update --no-verification > /));
    expect(th.build.find((l) => l.includes('evaluate'))).toContain('--secret-severity HIGH --secret-scan history');
    const sl = synthGates({ source, gates: { secrets: SecretScan.secretlint() } }).gates.SecretScan!;
    expect(sl.install.join('\n')).toMatch(/secretlint-11\.7\.1\.tgz; }\necho "[0-9a-f]{128} {2}\S+\/secretlint-11\.7\.1\.tgz" \| sha512sum -c -/);
    expect(sl.build.find((l) => l.includes('evaluate'))).toContain('--secret-scan files');
  });

  test('SAST: an explicit engine list runs those engines whatever the files', () => {
    const g = synthGates({ gates: { sast: Sast.engines([SastEngine.bandit(), SastEngine.spotbugs()]) } }).gates.Sast!;
    expect(g.install.filter((l) => l.startsWith('if true; then'))).toHaveLength(2);
    expect(g.build.join('\n')).not.toContain('sast-detect');
    expect(() => Sast.engines([])).toThrow(/the list is empty.*Sast\.none\(\)/);
  });

  test('Semgrep and checkov install from the locks this package ships, checked, hash-locked and wheels only; Semgrep with the shipped rules', () => {
    const s = synthGates({ gates: { sast: Sast.semgrep(), iac: IacScan.checkov() } });
    for (const [id, tool, version] of [['Sast', 'semgrep', '1.156.0'], ['IacScan', 'checkov', '3.2.513']] as const) {
      const install = s.gates[id]!.install.join('\n');
      expect(install).not.toMatch(/cannot generate a verified install/);
      const lockCheck = install.indexOf(`/opt/devsecops-tools/scanner-locks/${tool}.txt" | sha256sum -c -`);
      const pip = install.indexOf(`/opt/devsecops-tools/${tool}-${version}/bin/pip install --disable-pip-version-check -q --cache-dir /root/.cache/devsecops-tools/pip --require-hashes --only-binary=:all: --no-deps -r /opt/devsecops-tools/scanner-locks/${tool}.txt`);
      expect(lockCheck).toBeGreaterThan(0);
      expect(pip).toBeGreaterThan(lockCheck);
    }
    const sast = s.gates.Sast!;
    expect(sast.install.join('\n')).toMatch(/\/opt\/devsecops-tools\/semgrep-rules\/python-command-injection\.yaml" \| sha256sum -c -/);
    expect(sast.build.join('\n')).toContain("--config '/opt/devsecops-tools/semgrep-rules' .");
    // The repository's rule files replace the shipped ones, which are then not copied in.
    const own = synthGates({ gates: { sast: Sast.semgrep({ ruleFiles: ['rules/semgrep.yml'] }) } }).gates.Sast!;
    expect(own.install.join('\n')).not.toContain('semgrep-rules');
    expect(own.build.join('\n')).toContain("--config 'rules/semgrep.yml' .");
  });

  test('SBOM: cyclonedx-npm generator, object lock and expiry', () => {
    const sbom = Sbom.cyclonedxNpm({
      objectLockRetention: s3.ObjectLockRetention.governance(Duration.days(365)),
      expiration: Duration.days(730),
    });
    const s = synthGates({ gates: { sbom } });
    expect(s.gates.Sbom!.build).toContainEqual(expect.stringMatching(/^cyclonedx-npm --package-lock-only --output-format JSON /));
    // No trivy databases: only the tool downloads, under the tools prefix.
    expect(s.gates.Sbom!.project.Properties.Cache).toEqual({ Type: 'S3', Location: { 'Fn::Join': ['/', [{ Ref: expect.stringMatching(/^PipelineGatesCacheBucket/) }, 'tools']] } });
    expect(s.gates.Sbom!.buildspec.cache).toEqual({ paths: ['/root/.cache/devsecops-tools/**/*'] });
    const bucket = Object.entries<any>(s.template.findResources('AWS::S3::Bucket')).find(([id]) => id.startsWith('PipelineGatesSbomBucket'))![1].Properties;
    expect(bucket.ObjectLockEnabled).toBe(true);
    expect(bucket.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } } });
    expect(bucket.LifecycleConfiguration.Rules[0]).toMatchObject({ ExpirationInDays: 730, NoncurrentVersionExpiration: { NoncurrentDays: 730 } });
  });

  test('SCA: ignoreUnfixed is a weakening and says so', () => {
    const s = synthGates({ gates: { dependencies: DependencyScan.trivy({ ignoreUnfixed: true }) } });
    expect(s.gates.DependencyScan!.build.find((l) => l.startsWith('trivy fs'))).toContain('--ignore-unfixed');
    const warnings = s.pipeline.node.findAll().flatMap((c) => c.node.metadata).filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    expect(warnings).toEqual([expect.stringMatching(/ignoreUnfixed is true/)]);
  });

  test('IaC: the user\'s rule files beside chosen Control Tower rules; bad options name the fix', () => {
    const g = synthGates({ gates: { iac: IacScan.cfnGuard({ rules: ['policies/guard'], controlTowerRules: ['ct-s3-pr-1'] }) } }).gates.IacScan!;
    expect(g.install.filter((l) => l.includes('/tmp/devsecops/guard-rules/'))).toEqual([expect.stringMatching(/^echo "[0-9a-f]{64} {2}\/tmp\/devsecops\/guard-rules\/ct-s3-pr-1\.guard" \| sha256sum -c -$/)]);
    expect(g.build.join('\n')).toMatch(/--rules \/tmp\/devsecops\/guard-rules --rules 'policies\/guard' /);
    const only = synthGates({ gates: { iac: IacScan.cfnGuard({ rules: ['policies/guard'], controlTowerRules: [] }) } }).gates.IacScan!;
    expect(only.install.join('\n')).not.toContain('cdk-validator-cfnguard');
    expect(() => IacScan.cfnGuard({ controlTowerRules: ['s3-public'], rules: ['../outside'] })).toThrow(
      /controlTowerRules: 's3-public' is not a Control Tower proactive control id[^]*rules: '\.\.\/outside' is not a path inside the repository/);
    expect(() => IacScan.cfnGuard({ controlTowerRules: [] })).toThrow(/would check nothing/);
  });
});

describe('gates of your own (SecurityGate)', () => {
  test('runs beside the built-in gates and reports through the findings engine, failing closed on a missing report', () => {
    const s = synthGates({ gates: { additionalGates: [new LicenseGate('licenses', { failOn: Severity.MEDIUM })] } });
    const stages = stagesOf(s.template);
    expect(stages.find((st) => st.name === 'SecurityGates')!.actions.map((a) => a.name)).toContain('LicenseScan');
    const project = Object.entries<any>(s.template.findResources('AWS::CodeBuild::Project')).find(([id]) => id.includes('LicenseScan'))![1];
    const spec = JSON.parse(flatten(project.Properties.Source.BuildSpec));
    const build: string[] = spec.phases.build.commands;
    // The report is listed before the commands run: a scanner that writes nothing fails evaluate.
    expect(build.indexOf("echo '/tmp/licenses/report.sarif:sarif' >> /tmp/devsecops/report-list")).toBeLessThan(build.indexOf('license-scanner --sarif /tmp/licenses/report.sarif .'));
    expect(build.find((l) => l.includes('cli.js evaluate'))).toMatch(/evaluate --gate licenses --fail-on MEDIUM /);
    expect(spec.phases.install.commands).toContain('echo install');
    expect(project.Properties.Environment.PrivilegedMode).toBe(false);
  });

  test('bad step props are listed together, each with its fix', () => {
    const bad = new LicenseGate('Bad Name!', { id: 'has space', reports: [{ file: 'relative.sarif', format: 'pdf' }], failOn: 'HIGH;true' as Severity });
    expect(() => synthGates({ gates: { additionalGates: [bad] } })).toThrow(
      /gateStep\(has space\): invalid props \(5\):[^]*id: 'has space' is not a step id[^]*gateName: 'Bad Name!' is not a gate name[^]*reports\[0\]\.file: 'relative\.sarif' is not an absolute path[^]*reports\[0\]\.format: 'pdf' is not a format the findings engine reads: use one of sarif, [^]*failOn: 'HIGH;true' is not one of/,
    );
    expect(() => synthGates({ gates: { additionalGates: [new LicenseGate('licenses', { reports: [] })] } })).toThrow(/reports: give at least one report/);
  });

  test('a gate name is taken once, and a built-in gate is not an additional one', () => {
    expect(() => synthGates({ gates: { additionalGates: [new LicenseGate('secrets')] } })).toThrow(/two gates are named 'secrets'/);
    expect(() => synthGates({ gates: { additionalGates: [SecretScan.trufflehog()] } })).toThrow(/additionalGates\[0\]: SecretScan is a built-in gate: set it with its own prop \(e\.g\. gates\.secrets\)/);
    expect(() => synthGates({ gates: { additionalGates: [{ gateName: 'x', bind: () => ({}) } as any] } })).toThrow(/additionalGates\[0\]: .* is not a SecurityGate/);
  });

  test('a built-in gate bound outside the pipeline says how to add it', () => {
    const fake = { sourceHasHistory: false } as unknown as IGateContext;
    expect(() => SecretScan.gitleaks().bind(fake)).toThrow(/SecretScan: a built-in gate is bound by DevSecOpsPipeline itself/);
  });
});
