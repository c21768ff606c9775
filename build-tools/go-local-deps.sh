#!/usr/bin/env bash
# Generates the Go bindings of each jsii dependency whose Go module the Go module proxy does not
# serve, from the dependency's own jsii assembly in node_modules (what its publisher generates too).
# jsii-pacmak then builds the Go package against them with a `replace` directive
# (node_modules/<dep>/dist/go), and the Go smoke test replaces the module the same way.
#
# Why: the proxy reached here serves no github.com/cdklabs/cdk-nag-go/cdknag/v3, the Go module of
# the cdk-nag 3 peer dependency. The published go.mod still requires the real module and version.
#
# Usage: build-tools/go-local-deps.sh   (run in the project root, after compile)
# Prints one line per dependency: MODULE VERSION and either "proxy" or the local directory.
set -euo pipefail
# shellcheck disable=SC2016 # JavaScript in single quotes: the shell must not expand it
mapfile -t deps < <(node -e '
const fs = require("fs");
const a = JSON.parse(fs.readFileSync(".jsii", "utf8"));
for (const name of Object.keys(a.dependencies ?? {})) {
  const go = a.dependencyClosure?.[name]?.targets?.go;
  if (!go) continue;
  // jsii-pacmak pins a Go dependency at the version it built against (the installed one).
  const version = JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), "utf8")).version;
  const pkg = go.packageName ?? name.replace(/^@[^/]+\//, "").replace(/[^a-z0-9]/gi, "").toLowerCase();
  const major = Number(version.split(".")[0]);
  console.log(`${name} ${go.moduleName}/${pkg}${major >= 2 ? `/v${major}` : ""} v${version} ${pkg}`);
}')
for d in "${deps[@]}"; do
  read -r name module version pkg <<<"$d"
  if go mod download "$module@$version" 2>/dev/null; then
    echo "$module $version proxy"
    continue
  fi
  dir=$(dirname "$(node -p "require.resolve('$name/package.json')")")
  outdir=$(node -p "require('$name/package.json').jsii?.outdir ?? 'dist'")
  if [ ! -f "$dir/$outdir/go/$pkg/go.mod" ] || ! grep -q "^module $module\$" "$dir/$outdir/go/$pkg/go.mod"; then
    echo "go-local-deps: the Go module proxy does not serve $module@$version: generating it from $dir's jsii assembly" >&2
    # The directory first: --target takes every word after it.
    npx jsii-pacmak "$dir" --target go >&2
  fi
  echo "$module $version $dir/$outdir/go/$pkg"
done
