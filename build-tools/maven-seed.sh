#!/usr/bin/env bash
# Puts the floor version of each jsii dependency's Maven artifact (the lowest version the package
# accepts, from .jsii) into a local Maven repository, with local metadata naming it.
#
# Why: the Java package's pom asks for version ranges (e.g. cdknag [3.0.2,4.0.0)), and Maven
# resolves a range from the repository's version list (maven-metadata.xml). Where that list is
# older than the artifacts it serves (as on the Maven Central reached here, whose cdknag list ends
# at 2.37.55 while 3.0.2 is served), the range finds nothing. An artifact installed locally is in
# the local list, so the range resolves to the floor.
#
# Usage: build-tools/maven-seed.sh [LOCAL_REPO]   (run in the project root, after compile)
# LOCAL_REPO defaults to $MAVEN_REPO, else ~/.m2/repository.
set -euo pipefail
repo=${1:-${MAVEN_REPO:-$HOME/.m2/repository}}
mkdir -p "$repo"
repo=$(cd "$repo" && pwd)

# group:artifact:floor for each dependency that has a Java target.
# shellcheck disable=SC2016 # JavaScript in single quotes: the shell must not expand it
mapfile -t coords < <(node -e '
const a = JSON.parse(require("fs").readFileSync(".jsii", "utf8"));
for (const [name, range] of Object.entries(a.dependencies ?? {})) {
  const m = a.dependencyClosure?.[name]?.targets?.java?.maven;
  const floor = /^\^?(\d+\.\d+\.\d+)$/.exec(range)?.[1];
  if (!m) continue;
  if (!floor) { console.error(`${name}: cannot read a floor version from "${range}"`); process.exit(1); }
  console.log(`${m.groupId}:${m.artifactId}:${floor}`);
}')

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Maven's output only when it fails.
quiet() { "$@" >"$tmp/mvn.log" 2>&1 || { cat "$tmp/mvn.log" >&2; return 1; }; }
for c in "${coords[@]}"; do
  IFS=: read -r group artifact version <<<"$c"
  dir="$repo/${group//.//}/$artifact"
  if grep -qs "<version>$version</version>" "$dir/maven-metadata-local.xml"; then
    echo "maven-seed: $c already in $repo"
    continue
  fi
  for kind in jar pom; do
    quiet mvn -B -Dmaven.repo.local="$repo" dependency:get -Dtransitive=false -Dartifact="$group:$artifact:$version:$kind"
    cp "$dir/$version/$artifact-$version.$kind" "$tmp/"
  done
  quiet mvn -B -Dmaven.repo.local="$repo" install:install-file -Dfile="$tmp/$artifact-$version.jar" -DpomFile="$tmp/$artifact-$version.pom"
  echo "maven-seed: $c installed in $repo"
done
