import { SUPPORTED_EKS_VERSIONS } from '../../guardrails/rules/eks';
import { LOG_RETENTION_DAYS as GUARDRAIL_LOG_RETENTION_DAYS } from '../../guardrails/rules/logs';
import { STANDARD_SUPPORT_KUBERNETES_VERSIONS } from '../../shared/eks';
import { MIN_LOG_RETENTION_DAYS } from '../../shared/log-retention';

// The guardrails keep their own tables (an oracle does not read the code it polices); these tests make a change
// to either copy a deliberate change to both, so config never accepts what the guardrails then refuse.
describe('the guardrails and the environment schema agree', () => {
  it('on the Kubernetes versions in EKS standard support', () => {
    expect([...SUPPORTED_EKS_VERSIONS].sort()).toEqual(
      Object.keys(STANDARD_SUPPORT_KUBERNETES_VERSIONS).sort(),
    );
  });

  it('on the shortest log retention, in production and elsewhere', () => {
    expect(GUARDRAIL_LOG_RETENTION_DAYS).toEqual(MIN_LOG_RETENTION_DAYS);
  });
});
