import type { Scanner } from './scanner';
import { exec, shellArg } from './steps';

const VERSION = '4.9.3';
const FINDSECBUGS_VERSION = '1.14.0';

/** SpotBugs with the FindSecBugs plugin over a Maven project at the repository root, compiled first. */
export const spotbugs: Scanner = {
  name: 'spotbugs',
  artifact: {
    kind: 'archive',
    name: 'spotbugs',
    version: VERSION,
    download: {
      url: `https://repo.maven.apache.org/maven2/com/github/spotbugs/spotbugs/${VERSION}/spotbugs-${VERSION}.tgz`,
      sha256: 'd464d56050cf1dbda032e9482e1188f7cd7b7646eaff79c2e6cbe4d6822f4d9f',
      sha256Source: 'Homebrew/homebrew-core Formula/s/spotbugs.rb (same Maven Central URL); matched by an install script pinning spotbugs-4.9.3.tgz',
      format: 'tar.gz',
    },
    binaries: { [`spotbugs-${VERSION}/bin/spotbugs`]: 'spotbugs' },
    extras: [{
      url: `https://repo.maven.apache.org/maven2/com/h3xstream/findsecbugs/findsecbugs-plugin/${FINDSECBUGS_VERSION}/findsecbugs-plugin-${FINDSECBUGS_VERSION}.jar`,
      sha256: '6fa340344fa433ff46c2985dab1010e8bc739f9395c983594a5240095e92abc8',
      sha256Source: 'an install script pinning findsecbugs-plugin-1.14.0.jar; matched by an audit report listing the FindSecBugs 1.14.0 jar hash',
      format: 'file',
      // SpotBugs loads every jar in its plugin directory.
      destination: `spotbugs-${VERSION}/plugin/findsecbugs-plugin-${FINDSECBUGS_VERSION}.jar`,
    }],
    note: `SpotBugs with the FindSecBugs ${FINDSECBUGS_VERSION} plugin; needs a Java runtime (present on CodeBuild standard images).`,
  },
  engines: [{
    gate: 'sast',
    id: 'spotbugs',
    report: 'sarif',
    covers: { rootFiles: ['pom.xml'], absent: 'no pom.xml' },
    invoke: (o) => {
      const file = `${o.reportDir}/spotbugs.sarif`;
      const classpath = `${o.workDir}/classpath.txt`;
      return {
        requires: ['mvn', 'spotbugs', 'bash'],
        steps: [
          exec(['mvn', '-B', '-q', '-DskipTests', 'compile']),
          exec(['mvn', '-B', '-q', 'dependency:build-classpath', `-Dmdep.outputFile=${classpath}`]),
          // Every module's classes; FindSecBugs loads from SpotBugs' plugin directory. A project without
          // dependencies has an empty classpath: an empty -auxclasspath makes spotbugs drop the SARIF report.
          { kind: 'shell', script: `mapfile -t classes < <(find . -type d -path '*/target/classes') && aux=$(cat ${shellArg(classpath)}) && spotbugs -textui -effort:max -low \${aux:+-auxclasspath "$aux"} -sarif=${shellArg(file)} "\${classes[@]}"` },
        ],
        report: { file, format: 'sarif' },
      };
    },
  }],
};
