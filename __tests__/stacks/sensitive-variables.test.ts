import { synthesizedAppStacks } from '../support/app';

// CI can only supply a sensitive variable whose source synth recorded (scripts/ci/plan.sh reads
// "//".wms.ssmVariables): a required sensitive variable without one would stop the plan at "No value for required
// variable", as the PagerDuty URL did before.
describe('sensitive variables of the synthesized stacks', () => {
  const stacks = Object.entries(synthesizedAppStacks());
  type Variable = { sensitive?: boolean; default?: unknown };

  it.each(stacks.map(([name]) => name))(
    '%s: every required sensitive variable has its SSM source recorded',
    (name) => {
      const json = Object.fromEntries(stacks)[name];
      const variables = Object.entries((json.variable ?? {}) as Record<string, Variable>)
        .filter(([, variable]) => variable.sensitive === true && variable.default === undefined)
        .map(([variable]) => variable)
        .sort();
      const recorded = Object.keys(
        ((json['//'] as { wms?: { ssmVariables?: Record<string, unknown> } } | undefined)?.wms
          ?.ssmVariables ?? {}) as object,
      ).sort();
      expect(recorded).toEqual(variables);
    },
  );

  it('today: the PagerDuty URL of the prod platform stack and of the prod account baseline, nothing else', () => {
    const withVariables = stacks.filter(([, json]) => json.variable !== undefined).map(([name]) => name);
    expect(withVariables.sort()).toEqual(['wms-baseline-333333333333', 'wms-prod-platform']);
  });
});
