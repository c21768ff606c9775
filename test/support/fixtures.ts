import * as path from 'path';

/**
 * The real scanner reports the tests read, inside the repository (test/fixtures/scanner-reports,
 * each file's source in its PROVENANCE.md). A clone needs nothing beside it.
 */
export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'scanner-reports');
