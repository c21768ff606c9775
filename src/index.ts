export { Severity } from './findings/severity';
