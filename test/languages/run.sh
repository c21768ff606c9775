#!/usr/bin/env bash
# `npm run test:languages [python|java|go ...]`: the language smoke tests. Each uses the package
# built by `npx projen package:<language>` (dist/) from its own language, with aws-cdk-lib from
# that language's registry, runs the README's quick start with two application Stages, synthesizes,
# and check-assembly.ts asserts on the cloud assembly (five gates, stage order, no nag error).
#
# Versions: Python and Java install the package's floors (the peer dependencies' lowest versions,
# read from .jsii), so they prove the floors work; Go takes what the generated go.mod requires.
# Caches are reused when present, never required: pip's cache, $MAVEN_REPO (default
# ~/.m2/repository), Go's module and build caches.
set -euo pipefail
cd "$(dirname "$0")/../.."
# Outputs (venv, Maven project copy, cloud assemblies) go outside the clone, so that no other tool
# (jest's module map, the scanners) finds them; kept when a language fails.
if [ -z "${LANGUAGES_WORK:-}" ]; then
  LANGUAGES_WORK=$(mktemp -d "${TMPDIR:-/tmp}/cdk-devsecops-languages.XXXXXX")
  export LANGUAGES_WORK
fi
work=$LANGUAGES_WORK
# The jsii runtime's banner about this Node.js release (the project's CI runs Node 20): said once
# here, not by each app. The end-of-life variable takes the major versions to keep quiet about.
JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=$(node -p 'process.versions.node.split(".")[0]')
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1

# The floor of each peer dependency, as the package declares it (e.g. aws-cdk-lib 2.272.0).
floor() {
  # shellcheck disable=SC2016 # JavaScript in single quotes: the shell must not expand it
  node -e '
    const a = JSON.parse(require("fs").readFileSync(".jsii", "utf8"));
    const v = /^\^?(\d+\.\d+\.\d+)$/.exec(a.dependencies?.[process.argv[1]] ?? "")?.[1];
    if (!v) { console.error(`.jsii: no floor version for ${process.argv[1]}`); process.exit(1); }
    console.log(v);' "$1"
}
CDK=$(floor aws-cdk-lib)
CONSTRUCTS=$(floor constructs)
NAG=$(floor cdk-nag)
VERSION=$(node -p 'require("./package.json").version')

# A command's output only when it fails (Maven's is long).
quiet() {
  local log
  log=$(mktemp)
  "$@" >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; return 1; }
  rm -f "$log"
}
check() { npx --no-install ts-node --transpile-only --project test/tsconfig.json test/languages/check-assembly.ts "$1" "$2"; }

python_smoke() {
  local wheel venv="$work/python-venv" out="$work/python.out"
  wheel=$(ls dist/python/*.whl) || { echo "no wheel in dist/python: run npx projen package:python" >&2; return 1; }
  rm -rf "$venv" "$out"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "$wheel" \
    "aws-cdk-lib==$CDK" "constructs==$CONSTRUCTS" "cdk-nag==$NAG"
  "$venv/bin/pip" show aws-cdk-lib cdk-devsecops-pipeline | grep -E '^(Name|Version):' | paste - - | sed 's/^/python: /'
  CDK_OUTDIR="$out" "$venv/bin/python" test/languages/python/app.py
  check python "$out"
  # A gate of the user's own, written in Python (SecurityGate subclassed across jsii).
  rm -rf "$out-user-gate"
  CDK_OUTDIR="$out-user-gate" "$venv/bin/python" test/languages/python/user_gate.py
}

java_smoke() {
  local repo=${MAVEN_REPO:-$HOME/.m2/repository} out="$work/java.out" dir="dist/java/io/github/cdkdevsecops/cdk-devsecops-pipeline/$VERSION"
  local mvn=(quiet mvn -B -Dmaven.repo.local="$repo")
  [ -f "$dir/cdk-devsecops-pipeline-$VERSION.jar" ] || { echo "no jar in $dir: run npx projen package:java" >&2; return 1; }
  rm -rf "$out" "$work/java"
  build-tools/maven-seed.sh "$repo"
  # Installed on every run: the version stays 0.0.0, so a copy left from an older build would be used otherwise.
  "${mvn[@]}" install:install-file -Dfile="$dir/cdk-devsecops-pipeline-$VERSION.jar" -DpomFile="$dir/cdk-devsecops-pipeline-$VERSION.pom"
  cp -r test/languages/java "$work/java"
  (
    cd "$work/java"
    "${mvn[@]}" -Dpipeline.version="$VERSION" -Dcdk.version="$CDK" -Dconstructs.version="$CONSTRUCTS" \
      compile dependency:build-classpath -Dmdep.outputFile=classpath.txt -Dmdep.includeScope=runtime
    grep -o 'aws-cdk-lib-[0-9.]*\.jar\|cdknag-[0-9.]*\.jar' classpath.txt | sed 's/^/java: /'
    CDK_OUTDIR="$out" java -cp "target/classes:$(cat classpath.txt)" smoke.SmokeApp
  )
  check java "$out"
}

go_smoke() {
  local out="$work/go.out"
  [ -f dist/go/cdkdevsecopspipeline/go.mod ] || { echo "no Go module in dist/go: run npx projen package:go" >&2; return 1; }
  rm -rf "$out"
  # The generated bindings of dependencies the Go proxy lacks (the go.mod replaces them).
  build-tools/go-local-deps.sh | sed 's/^/go: /'
  (
    cd test/languages/go
    # go.sum is checked, never rewritten (-mod=readonly): a changed dependency fails here.
    GOFLAGS="${GOFLAGS:-} -mod=readonly" go build -o "$work/go-smoke" . || {
      echo "go build failed. After a change of CDK_VERSION, cdk-nag or jsii-pacmak, run 'go mod tidy' in test/languages/go and commit go.mod and go.sum" >&2
      exit 1
    }
    go list -m github.com/aws/aws-cdk-go/awscdk/v2 | sed 's/^/go: /'
  )
  CDK_OUTDIR="$out" "$work/go-smoke"
  check go "$out"
}

# One language in a process of its own, so that `set -e` holds inside it (it does not in a
# function called as an `if` condition).
if [ "${1:-}" = --one ]; then
  "${2}_smoke"
  exit 0
fi

langs=("$@")
[ ${#langs[@]} -gt 0 ] || langs=(python java go)
echo "languages: ${langs[*]}; the apps' jsii runtime runs on Node.js $(node --version)"
passed=0
failed=0
for lang in "${langs[@]}"; do
  case "$lang" in python | java | go) ;; *) echo "unknown language: $lang (python, java, go)" >&2; exit 2 ;; esac
  printf '\n== %s smoke test\n' "$lang"
  t0=$SECONDS
  if "$0" --one "$lang"; then
    passed=$((passed + 1))
    echo "-- $lang: passed in $((SECONDS - t0)) s"
  else
    failed=$((failed + 1))
    echo "-- $lang: FAILED after $((SECONDS - t0)) s"
  fi
done
echo
if [ "$failed" -eq 0 ]; then rm -rf "$work"; else echo "outputs kept in $work"; fi
echo "languages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
