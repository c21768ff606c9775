import { ReportFormatError } from './types';
import { hasKeys, isObject, line, nativeParser, repoPath, requiredList, requireObject, requireStr, severityOf, str } from './util';
import { Finding } from '../../model/finding';
import { BASE_IMAGES_MARKER, BASE_IMAGES_TOOL } from '../base-images';
import { genericFingerprint } from '../fingerprint';

/**
 * The report of `devsecops-findings base-images` (the minimal base image policy):
 * `{ devsecopsBaseImages: 1, tool, policy, dockerfiles: [...], violations: [{ ruleId, severity,
 * file, line, image, use, message, fix }] }`. Each violation is a finding on the Dockerfile's line.
 */
export const baseImagesParser = nativeParser({
  format: 'base-images',
  description: 'devsecops-findings base-images report (minimal base image policy)',
  encoding: 'json',
  detect: (report) => hasKeys(report.doc, BASE_IMAGES_MARKER),
  parse(report) {
    const doc = requireObject(report.file, report.doc, 'report');
    if (doc[BASE_IMAGES_MARKER] !== 1) throw new ReportFormatError(report.file, `${BASE_IMAGES_MARKER} ${JSON.stringify(doc[BASE_IMAGES_MARKER])} is not supported (expected 1)`);
    requiredList(report.file, doc, 'dockerfiles', 'dockerfiles');
    return requiredList(report.file, doc, 'violations', 'violations').map((raw, i): Finding => {
      const where = `violation ${i}`;
      if (!isObject(raw)) throw new ReportFormatError(report.file, `${where} is not an object`);
      const ruleId = requireStr(report.file, raw.ruleId, `${where} ruleId`);
      const file = repoPath(report.file, requireStr(report.file, raw.file, `${where} file`));
      const image = requireStr(report.file, raw.image, `${where} image`);
      const rawSeverity = requireStr(report.file, raw.severity, `${where} severity`);
      const message = requireStr(report.file, raw.message, `${where} message`);
      const fix = str(raw.fix);
      const startLine = line(raw.line);
      return {
        tools: [{ name: BASE_IMAGES_TOOL }],
        ruleId,
        title: message,
        description: fix ? `${message}. Fix: ${fix}` : message,
        severity: severityOf(report.file, rawSeverity, `${where} (${ruleId})`),
        rawSeverity,
        location: { file, startLine, endLine: startLine },
        resource: { id: image, kind: 'container-image', target: file },
        cves: [],
        cwes: [],
        // The file and the image, not the line: moving the FROM keeps a suppression matching.
        fingerprint: genericFingerprint('base-images', ruleId, file, image),
      };
    });
  },
});
