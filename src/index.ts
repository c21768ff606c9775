export { Severity } from './findings/severity';
export * from './pipeline/source';
export { CompliancePack } from './pipeline/nag';
export * from './pipeline/pipeline';
