import { PlanSecretReader } from '../../../constructs/shared/plan-secret-reader';
import { listOfType, synthJson } from '../../support/synth';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Testing, TerraformStack } from 'cdktf';

function build(props: ConstructorParameters<typeof PlanSecretReader>[2]) {
  const stack = new TerraformStack(Testing.app(), 'test');
  new KubernetesProvider(stack, 'K8s', {});
  new PlanSecretReader(stack, 'Reader', props);
  return synthJson(stack);
}

describe('PlanSecretReader', () => {
  it('grants get, by name, on the listed Secrets only (no list: RBAC cannot narrow it), to the plan group by default', () => {
    const json = build({ namespace: 'monitoring', secretNames: ['alertmanager-wms'] });
    expect(listOfType(json, 'kubernetes_role_v1')).toEqual([
      expect.objectContaining({
        metadata: { name: 'wms-plan-secret-reader', namespace: 'monitoring' },
        rule: [
          { api_groups: [''], resources: ['secrets'], verbs: ['get'], resource_names: ['alertmanager-wms'] },
        ],
      }),
    ]);
    expect(listOfType(json, 'kubernetes_role_binding_v1')).toEqual([
      expect.objectContaining({
        metadata: { name: 'wms-plan-secret-reader', namespace: 'monitoring' },
        role_ref: { api_group: 'rbac.authorization.k8s.io', kind: 'Role', name: 'wms-plan-secret-reader' },
        subject: [{ kind: 'Group', name: 'wms:plan-secret-readers', api_group: 'rbac.authorization.k8s.io' }],
      }),
    ]);
  });

  it('GIVEN another group THEN binds that group', () => {
    const json = build({ namespace: 'x', secretNames: ['s'], group: 'other' });
    const [binding] = listOfType(json, 'kubernetes_role_binding_v1');
    expect((binding.subject as { name: string }[])[0].name).toBe('other');
  });

  it('GIVEN no Secret name THEN it refuses, naming the field', () => {
    expect(() => build({ namespace: 'x', secretNames: [] })).toThrow(
      /Reader: secretNames: \[\] is not allowed \(at least one Secret name\)/,
    );
  });
});
