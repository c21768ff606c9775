/**
 * `devsecops-findings ecr-scan-findings`: waits, with a bound, for ECR's own scan of an image
 * (basic: status COMPLETE; enhanced, by Amazon Inspector: status ACTIVE, findings under
 * `enhancedFindings`) and writes every page of its findings as one DescribeImageScanFindings
 * document, which `evaluate` reads with the `ecr` parser. Fails closed: a timeout, a failed or
 * unsupported scan, or any API error is exit 2, and no report is written.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { dirname } from 'path';
import { parseArgs } from 'util';
import { DescribeImageScanFindingsCommand, DescribeImageScanFindingsCommandOutput, ECRClient } from '@aws-sdk/client-ecr';
import type { Io } from './cli-io';

export const ECR_SCAN_HELP = `ecr-scan-findings: waits for ECR's scan of an image and writes its findings (basic or enhanced).
  --repository NAME         the repository
  --tag TAG | --digest SHA  the image
  --registry-id ACCOUNT     the registry's account (default: the caller's)
  --out FILE                where to write the DescribeImageScanFindings JSON (read by evaluate as 'ecr')
  --timeout-seconds N       how long to wait for the scan (default 600)
  --interval-seconds N      how long between polls (default 15)
  Exit codes: 0 written; 2 timeout, failed scan, API error or bad input (nothing written).`;

/** What the command needs from the outside world (a test gives its own). */
export interface EcrScanDeps {
  readonly client: Pick<ECRClient, 'send'>;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
}

/** Statuses that mean the findings are final: COMPLETE (basic), ACTIVE (enhanced, continuously rescanned). */
const DONE = new Set(['COMPLETE', 'ACTIVE']);
/** Statuses that mean "not yet". */
const WAITING = new Set(['IN_PROGRESS', 'PENDING']);

class EcrScanError extends Error {}

function positive(value: string | undefined, name: string, dflt: number): number {
  if (value === undefined) return dflt;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new EcrScanError(`--${name} ${value}: give a positive whole number of seconds`);
  return n;
}

/** Runs `ecr-scan-findings`; resolves to the exit code. */
export async function ecrScanFindings(args: string[], io: Io, deps?: EcrScanDeps): Promise<number> {
  try {
    const { values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        'repository': { type: 'string' },
        'tag': { type: 'string' },
        'digest': { type: 'string' },
        'registry-id': { type: 'string' },
        'out': { type: 'string' },
        'timeout-seconds': { type: 'string' },
        'interval-seconds': { type: 'string' },
      },
    });
    if (!values.repository || !values.out) throw new EcrScanError('--repository and --out are required');
    if ((values.tag === undefined) === (values.digest === undefined)) throw new EcrScanError('give exactly one of --tag and --digest');
    const timeout = positive(values['timeout-seconds'], 'timeout-seconds', 600) * 1000;
    const interval = positive(values['interval-seconds'], 'interval-seconds', 15) * 1000;
    const d = deps ?? { client: new ECRClient({}), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)), now: () => Date.now() };
    const imageId = values.tag !== undefined ? { imageTag: values.tag } : { imageDigest: values.digest };
    const image = `${values.repository}:${values.tag ?? values.digest}`;
    const deadline = d.now() + timeout;

    for (;;) {
      const first = await describe(d, values.repository, imageId, values['registry-id'], undefined);
      const status = first?.imageScanStatus?.status;
      if (status !== undefined && DONE.has(status)) {
        const doc = await allPages(d, first!, values.repository, imageId, values['registry-id']);
        mkdirSync(dirname(values.out), { recursive: true });
        writeFileSync(values.out, JSON.stringify(doc, null, 2));
        const s = doc.imageScanFindings;
        io.out(`ecr-scan-findings: ${image}: scan ${status}, ${(s.findings?.length ?? 0) + (s.enhancedFindings?.length ?? 0)} finding(s) written to ${values.out}\n`);
        return 0;
      }
      if (status !== undefined && !WAITING.has(status)) {
        throw new EcrScanError(`${image}: ECR scan status ${status}${first?.imageScanStatus?.description ? ` (${first.imageScanStatus.description})` : ''}: no findings to trust`);
      }
      if (d.now() + interval > deadline) {
        throw new EcrScanError(`${image}: the ECR scan did not finish within ${timeout / 1000} s (last status ${status ?? 'not started'}): failing closed`);
      }
      io.out(`ecr-scan-findings: ${image}: scan ${status ?? 'not started yet'}; waiting ${interval / 1000} s\n`);
      await d.sleep(interval);
    }
  } catch (e) {
    const message = e instanceof EcrScanError ? e.message : `${(e as Error)?.name ?? 'Error'}: ${(e as Error)?.message ?? String(e)}`;
    io.err(`devsecops-findings ecr-scan-findings: ${message}\n`);
    return 2;
  }
}

type ImageId = { imageTag?: string; imageDigest?: string };

/** One page; undefined when the scan has not started yet (ScanNotFoundException right after a push). */
async function describe(d: EcrScanDeps, repositoryName: string, imageId: ImageId, registryId: string | undefined, nextToken: string | undefined):
Promise<DescribeImageScanFindingsCommandOutput | undefined> {
  try {
    return await d.client.send(new DescribeImageScanFindingsCommand({ repositoryName, imageId, registryId, nextToken, maxResults: 1000 }));
  } catch (e) {
    if ((e as Error)?.name === 'ScanNotFoundException' && nextToken === undefined) return undefined;
    throw e;
  }
}

/** Every page merged into the first: findings and enhancedFindings complete, as the ecr parser checks against the counts. */
async function allPages(
  d: EcrScanDeps, first: DescribeImageScanFindingsCommandOutput, repositoryName: string, imageId: ImageId, registryId: string | undefined,
) {
  const findings = [...(first.imageScanFindings?.findings ?? [])];
  const enhancedFindings = [...(first.imageScanFindings?.enhancedFindings ?? [])];
  let token = first.nextToken;
  while (token) {
    const page = await describe(d, repositoryName, imageId, registryId, token);
    findings.push(...(page?.imageScanFindings?.findings ?? []));
    enhancedFindings.push(...(page?.imageScanFindings?.enhancedFindings ?? []));
    token = page?.nextToken;
  }
  const { $metadata: _m, nextToken: _n, ...rest } = first;
  return {
    ...rest,
    imageScanFindings: {
      ...first.imageScanFindings,
      ...(first.imageScanFindings?.findings !== undefined || enhancedFindings.length === 0 ? { findings } : {}),
      ...(first.imageScanFindings?.enhancedFindings !== undefined ? { enhancedFindings } : {}),
    },
  };
}
