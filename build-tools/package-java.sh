#!/usr/bin/env bash
# `npx projen package:java`: the dependencies' floors into the local Maven repository
# (maven-seed.sh says why), then jsii-pacmak builds the jar against that repository.
# jsii-pacmak would otherwise use an empty local repository of its own and download everything on
# every build; $MAVEN_REPO (default ~/.m2/repository) is reused when present, never required.
set -euo pipefail
repo=${MAVEN_REPO:-$HOME/.m2/repository}
"$(dirname "$0")/maven-seed.sh" "$repo"
exec jsii-pacmak -v --target java --maven-local-repository "$repo"
