import { awscdk, javascript, JsonFile } from 'projen';

// One place for the toolchain versions this project is built and tested with.
// The aws-cdk-lib the TypeScript build and tests use.
const CDK_VERSION = '2.276.0';
// The lowest aws-cdk-lib the package accepts (the peer dependency's floor, and so the floor of the
// Python and Java packages; the Go package requires the CDK_VERSION it was built against). The
// language smoke tests (`npm run test:languages`) install exactly this version from PyPI and Maven
// Central, so they prove the floor works. 2.272.0 is the newest that Maven Central serves here;
// 2.258.0 fails (its Validations reject the rule ids the nag packs acknowledge).
const CDK_MIN_VERSION = '2.272.0';
const CONSTRUCTS_VERSION = '10.5.1';
const CDK_CLI_VERSION = '2.1148.1';

// The findings CLI (src/findings) is bundled by esbuild into one file shipped in the package
// (assets/findings-cli/cli.js): its libraries are build-time dependencies only.
const FINDINGS_BUNDLED_DEPS: string[] = [
  // findings: bundled runtime libraries
  'yaml@^2.8.0', // suppressions file
  'picomatch@^4.0.2', // suppression path globs
  '@types/picomatch@^4',
  'fast-xml-parser@^4.5.7', // XML reports (ZAP, dependency-check)
  // AWS APIs the runtime calls in CodeBuild: AWS Config proactive evaluation, ECR scan findings
  '@aws-sdk/client-config-service@^3',
  '@aws-sdk/client-ecr@^3',
];

// Tools the tests run for real (scanners, schema validators).
const TEST_TOOL_DEPS: string[] = [
  // tests: real tools
  'ajv@^8.17.1', // validates the merged SARIF against the official schema
  'ajv-formats@^3.0.1',
  'ajv-draft-04@^1.0.0', // the SARIF 2.1.0 schema is draft-04
  // carries the SARIF 2.1.0 (rtm.5, the text approved as the OASIS standard) JSON schema: lib/schemas/sarif-2.1.0-rtm.5.json
  '@microsoft/jest-sarif@1.0.0-beta.0',
  // property-based tests: mutated scanner reports give the same findings or fail closed
  'fast-check@^4.11.0',
  // AWS SDK calls tested against mocked responses (the API reference's shapes)
  'aws-sdk-client-mock@^4',
  // static gates (issue 4): scanners run on examples/vulnerable-app and clean-app.
  // Exact versions: test/tools asserts they equal the versions in src/tools/tools.ts.
  // secretlint 11.x: the newest line that still runs on node 20 (12+ needs node 22).
  'secretlint@11.7.1',
  '@secretlint/secretlint-rule-preset-recommend@11.7.1',
  '@secretlint/secretlint-formatter-sarif@11.7.1',
  '@cyclonedx/cyclonedx-npm@6.0.1',
  // JS/TS SAST (Sast.eslintSecurity): the rules and the SARIF formatter. eslint itself and
  // @typescript-eslint/parser are the project's own lint dev dependencies (projen's eslint
  // component); test/tools checks that their locked versions equal the tools table's.
  'eslint-plugin-security@4.1.0',
  '@microsoft/eslint-formatter-sarif@3.1.0',
  // ships the cfn-guard binary and the Control Tower proactive rule sets
  '@cdklabs/cdk-validator-cfnguard@0.0.62',
];

// The findings CLI bundle the package ships (and the constructs upload as an S3 asset).
const FINDINGS_CLI = 'assets/findings-cli/cli.js';
// The Control Tower Guard rules the package ships (built from a devDependency, not committed).
const CONTROL_TOWER_RULES = 'assets/control-tower-guard';
// The policy engine the package ships (built from a devDependency, not committed).
const POLICY_ENGINE = 'assets/policy-engine';
// Tests that need programs npm cannot install: not part of `npm test`.
const INTEGRATION_TESTS = '<rootDir>/test/integration/';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-devsecops-pipeline',
  description: 'A hardened AWS CodePipeline (CDK Pipelines) with a security gate at every stage: secrets, SAST, SCA, SBOM, IaC and policy-as-code, reported through one findings engine.',
  author: 'cdk-devsecops-pipeline maintainers',
  authorAddress: 'maintainers@cdk-devsecops.dev',
  repositoryUrl: 'https://github.com/cdk-devsecops/cdk-devsecops-pipeline.git',
  keywords: ['cdk', 'devsecops', 'codepipeline', 'cdk-pipelines', 'security', 'sast', 'sca', 'sbom', 'cdk-nag'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  stability: 'experimental',

  cdkVersion: CDK_MIN_VERSION,
  constructsVersion: CONSTRUCTS_VERSION,
  cdkVersionPinning: false,
  // The dev dependencies below are the versions we build and test with, not the peers' floors.
  peerDependencyOptions: { pinnedDevDependency: false },
  jsiiVersion: '~6.0.0',

  // Python, Java, .NET and Go users get the same constructs through jsii. CI builds the Python,
  // Java and Go packages and runs each from its own language (npm run test:languages); .NET has no
  // SDK on these machines, so its package is built elsewhere. README examples go through
  // jsii-rosetta in strict mode.
  publishToPypi: { distName: 'cdk-devsecops-pipeline', module: 'cdk_devsecops_pipeline' },
  publishToMaven: {
    javaPackage: 'io.github.cdkdevsecops.pipeline',
    mavenGroupId: 'io.github.cdkdevsecops',
    mavenArtifactId: 'cdk-devsecops-pipeline',
  },
  publishToNuget: { dotNetNamespace: 'CdkDevSecOps.Pipeline', packageId: 'CdkDevSecOps.Pipeline' },
  publishToGo: { moduleName: 'github.com/cdk-devsecops/cdk-devsecops-pipeline-go' },

  peerDeps: ['cdk-nag@^3.0.2'],
  devDeps: [
    ...FINDINGS_BUNDLED_DEPS,
    ...TEST_TOOL_DEPS,
    `aws-cdk-lib@${CDK_VERSION}`,
    'cdk-nag@3.0.2',
    `aws-cdk@${CDK_CLI_VERSION}`,
    'esbuild@^0.28.2',
    'ts-node@^10.9.2',
    '@types/node@^20',
    'typescript@~6.0.3',
  ],

  // No GitHub here: CI is `.ci/run` on a clean clone.
  github: false,
  release: false,
  buildWorkflow: false,
  depsUpgrade: false,

  // Snapshots are never updated by the test command, and a run with no test fails.
  // test/integration/ needs programs npm cannot install (shellcheck; the gates' PyPI, Go and Maven scanners): `npm run test:integration`.
  // Coverage is off in `npm test` (it nearly doubles the run); `npm run test:coverage` measures it.
  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', INTEGRATION_TESTS],
      // A synthesized cloud assembly (`npm run example` writes cdk.out) holds a copy of the shipped policy
      // engine, whose package.json would clash with assets/policy-engine in jest's module map.
      modulePathIgnorePatterns: ['/cdk\\.out/'],
      collectCoverage: false,
      coverageReporters: ['text-summary'],
      testTimeout: 120_000,
    },
  },
  eslintOptions: { dirs: ['src'], devdirs: ['test', 'examples', 'build-tools', 'projenrc'] },
  // The CLI under the package's own name too, so `npx cdk-devsecops-pipeline scan .` works where
  // the package is not installed (npx looks for the bin named like the package).
  bin: { 'devsecops-findings': FINDINGS_CLI, 'cdk-devsecops-pipeline': FINDINGS_CLI },
  npmignoreEnabled: true,
  gitignore: ['/.scratch/', '.jsii.tabl.json', '/assets/findings-cli/', `/${CONTROL_TOWER_RULES}/`, `/${POLICY_ENGINE}/`, 'cdk.out', '/examples/**/cdk.out', '/.bench'],
});

// jsii warns when the aws-cdk-lib dev dependency is above the peer's floor: here that is on purpose
// (CDK_MIN_VERSION says why), and the language smoke tests run the floor.
project.compileTask.reset('jsii --silence-warnings=reserved-word --silence-warnings=metadata/missing-dev-dependency');

// The peers' floors are not pinned as dev dependencies (pinnedDevDependency: false): constructs is
// added here, after the CDK component, which drops any constructs dev dependency given in the options.
project.addDevDeps(`constructs@${CONSTRUCTS_VERSION}`);

// Examples are type-checked and linted like tests.
new JsonFile(project, 'examples/tsconfig.json', {
  obj: {
    extends: '../tsconfig.json',
    compilerOptions: { noEmit: true, rootDir: '..', isolatedModules: true },
    include: ['**/*.ts'],
    exclude: ['node_modules', '**/cdk.out'],
  },
});

// The findings CLI bundle: built before the jsii compile (so tests and the constructs' S3 asset
// find it), before the example, and before every packaging task, so no package ships without it
// (`projen compile` alone does not run pre-compile).
const bundleTask = project.addTask('bundle:findings-cli', {
  description: `Bundle the findings CLI (src/findings/cli.ts) into ${FINDINGS_CLI}`,
  exec: `esbuild src/findings/cli.ts --bundle --platform=node --target=node20 --minify-syntax --legal-comments=none --outfile=${FINDINGS_CLI}`,
});
// The Control Tower Guard rules the IaC gate selects from: copied from the pinned devDependency
// @cdklabs/cdk-validator-cfnguard with a sha256 manifest, so no gate build downloads its 12 MB tarball.
const controlTowerTask = project.addTask('bundle:control-tower-guard', {
  description: `Copy the Control Tower Guard rules of @cdklabs/cdk-validator-cfnguard into ${CONTROL_TOWER_RULES} with a sha256 manifest`,
  exec: 'ts-node --transpile-only --project projenrc/tsconfig.json projenrc/control-tower-guard.ts',
});
// The policy engine (@aws/cloudformation-validate, as the pinned aws-cdk-lib dev dependency bundles
// it) with a sha256 manifest: the synth-time check loads it from there, and the policy gate's build
// unpacks the same files, so both run one engine whatever aws-cdk-lib the user has.
const policyEngineTask = project.addTask('bundle:policy-engine', {
  description: `Copy the policy engine @aws/cloudformation-validate bundled in the pinned aws-cdk-lib into ${POLICY_ENGINE} with a sha256 manifest`,
  exec: 'ts-node --transpile-only --project projenrc/tsconfig.json projenrc/policy-engine.ts',
});
project.preCompileTask.spawn(bundleTask);
project.preCompileTask.spawn(controlTowerTask);
project.preCompileTask.spawn(policyEngineTask);
for (const name of ['package:js', 'package:python', 'package:java', 'package:dotnet', 'package:go']) {
  const task = project.tasks.tryFind(name);
  if (!task) throw new Error(`projen has no ${name} task to bundle the findings CLI before`);
  // jsii-pacmak packs what is on disk: a bundle that is still missing fails the package, naming it.
  for (const [file, built] of [[FINDINGS_CLI, bundleTask], [`${CONTROL_TOWER_RULES}/manifest.json`, controlTowerTask], [`${POLICY_ENGINE}/manifest.json`, policyEngineTask]] as const) {
    task.prependExec(`node -e "if (!require('fs').statSync('${file}', { throwIfNoEntry: false })?.size) { console.error('${file} is missing: run npx projen ${built.name}'); process.exit(1); }"`);
    task.prependSpawn(built);
  }
}
// Java: the pom's version ranges resolve only through a local Maven repository holding the
// dependencies' floors (build-tools/maven-seed.sh says why; build-tools/package-java.sh runs it, then jsii-pacmak).
const javaTask = project.tasks.tryFind('package:java')!;
// The last step is jsii-pacmak itself (the bundle steps are prepended above).
javaTask.updateStep(javaTask.steps.length - 1, { exec: 'build-tools/package-java.sh' });
// Go: Go bindings of any jsii dependency the Go module proxy does not serve (build-tools/go-local-deps.sh).
const goTask = project.tasks.tryFind('package:go')!;
goTask.insertStep(goTask.steps.length - 1, { exec: 'build-tools/go-local-deps.sh', name: 'jsii dependencies the Go proxy lacks, generated locally' });
project.addPackageIgnore('!/assets/');
// The package ships lib/, assets/ and the docs; never the examples (the vulnerable app carries a fake secret).
for (const dir of ['/.scratch/', '/build-tools/', '/examples/', '/rosetta/', '/.ci/', '/.bench/', '/cdk.out/']) project.addPackageIgnore(dir);
// The findings runtime is bundled, so its libraries are rightly dev dependencies.
project.eslint?.allowDevDeps('src/findings/**');
// No import cycles anywhere (npm test lints); test/layers.test.ts checks that the layers import one way.
project.eslint?.addRules({ 'import/no-cycle': ['error', { ignoreExternal: true }] });

project.tasks.removeTask('test:update');
const testTask = project.tasks.tryFind('test')!;
testTask.reset();
testTask.spawn(project.preCompileTask);
testTask.spawn(project.tasks.tryFind('compile')!);
testTask.exec('jsii-rosetta extract --strict --compile .jsii', { name: 'README examples translate (jsii-rosetta, strict)' });
testTask.exec('jest --ci', { receiveArgs: true });
testTask.spawn(project.tasks.tryFind('eslint')!);

project.addTask('example', {
  description: 'Synthesize an example (quickstart by default; `npm run example policy`) into cdk.out with the nag packs and the policies, and print a summary',
  steps: [
    { spawn: bundleTask.name },
    { spawn: controlTowerTask.name },
    { spawn: policyEngineTask.name },
    { exec: 'ts-node --project examples/tsconfig.json examples/run-example.ts', receiveArgs: true },
  ],
});
project.addTask('test:integration', {
  description: 'Tests that run programs npm cannot install: shellcheck (apt-get install shellcheck), and bandit, semgrep, checkov, gitleaks, SpotBugs (installed into .scratch/scanners; needs python3, go, java and mvn)',
  steps: [
    { spawn: bundleTask.name },
    { spawn: controlTowerTask.name },
    // The gates' PyPI, Go and Maven scanners, installed as the gates install them; a tool that cannot be installed stops the run, naming it.
    { exec: 'ts-node --transpile-only --project test/tsconfig.json test/integration/install-scanners.ts' },
    { exec: `PATH="$PWD/.scratch/scanners/bin:$PATH" jest --ci --testPathIgnorePatterns /node_modules/ --testMatch '${INTEGRATION_TESTS}**/*.test.ts'`, receiveArgs: true },
  ],
});
project.addTask('test:languages', {
  description: 'Smoke tests of the Python, Java and Go packages from their own languages (after package:python, package:java, package:go; args: python java go)',
  steps: [{ exec: 'test/languages/run.sh', receiveArgs: true }],
});
project.addTask('test:coverage', {
  description: 'The jest suites of npm test with coverage',
  steps: [{ spawn: bundleTask.name }, { spawn: controlTowerTask.name }, { exec: 'jest --ci --coverage' }],
});
project.addTask('bench:synth', {
  description: 'Benchmark: synth time of DevSecOpsPipeline against a bare pipelines.CodePipeline',
  exec: 'ts-node --transpile-only --project test/tsconfig.json test/bench/synth.bench.ts',
});
project.addTask('bench:findings', {
  description: 'Benchmark: findings CLI (parse + evaluate + reporters) on ~100 MB SARIF and trivy reports against JSON.parse; peak RSS',
  exec: 'ts-node --transpile-only --project test/tsconfig.json test/bench/findings.bench.ts',
});
project.addTask('bench', {
  description: 'All benchmarks',
  steps: [{ spawn: 'bench:synth' }, { spawn: 'bench:findings' }],
});

project.synth();
