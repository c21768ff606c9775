/**
 * Shell lines that record, in a gate's build, the versions that cannot be pinned exactly at synth:
 * they are appended to TOOL_VERSIONS and reach gate-result.json through `evaluate --tool-version`.
 * A line fails (and so the build) when the version cannot be read: a verdict is never recorded
 * without it.
 */
import { TOOL_VERSIONS } from './step';
import { shellArg } from '../scanners/steps';

// Names and packages are the library's own constants; checked anyway, as everything reaching a buildspec is.
function checked(value: string): string {
  if (!/^[a-z0-9][a-z0-9.+-]*$/.test(value)) throw new Error(`recorded-versions: unsafe name ${JSON.stringify(value)}`);
  return value;
}

/** The installed Debian/Ubuntu revision of an apt package (e.g. bandit 1.6.2-2), as `NAME=VERSION`. */
export function aptVersionRecord(pkg: string, name: string): string {
  return `v=$(dpkg-query -W -f "\\\${Version}" ${checked(pkg)}) && [ -n "$v" ] && echo "${checked(name)}=$v" >> ${TOOL_VERSIONS}`;
}

/**
 * The sha256 of trivy's vulnerability database file and its update and download times, as trivy
 * reports them (`trivy version --format json`): the database changes every few hours and cannot
 * be pinned, so each verdict records which one it was made with.
 */
export function trivyDbRecord(cacheDir: string): string {
  const dir = shellArg(cacheDir);
  const field = (f: string) => `node -e ${shellArg(`const d = JSON.parse(require("fs").readFileSync(0, "utf8")).VulnerabilityDB; if (!d || !d.${f}) process.exit(1); console.log(d.${f});`)}`;
  return [
    // No database file is an error, not an empty digest.
    `[ -s ${dir}/db/trivy.db ]`,
    `db=$(sha256sum ${dir}/db/trivy.db)`,
    `meta=$(trivy version --format json --cache-dir ${dir})`,
    `updated=$(echo "$meta" | ${field('UpdatedAt')})`,
    `downloaded=$(echo "$meta" | ${field('DownloadedAt')})`,
    `echo "trivy-db=sha256:\${db%% *}" >> ${TOOL_VERSIONS}`,
    `echo "trivy-db-updated=$updated" >> ${TOOL_VERSIONS}`,
    `echo "trivy-db-downloaded=$downloaded" >> ${TOOL_VERSIONS}`,
  ].join(' && ');
}
