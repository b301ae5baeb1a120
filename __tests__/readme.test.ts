import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withAlertTable } from '../constructs/observability/alert-rules';

describe('README', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

  it('carries the current generated alert table (regenerate with npm run update-docs)', () => {
    expect(readme).toBe(withAlertTable(readme, 'docs/runbooks'));
  });
});
