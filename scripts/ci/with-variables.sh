#!/usr/bin/env bash
# Runs a command with the sensitive variables of one synthesized stack exported: TF_VAR_<name> from the SSM
# parameter its `"//".wms.ssmVariables` names (written by synth from config), as plan.sh does in CI. For the stacks
# an administrator applies by hand (the prod account's baseline stack reads the PagerDuty URL), with the
# administrator's credentials. The values are never printed.
#
# Usage: with-variables.sh <stack folder> <command> [argument...]
#   e.g. with-variables.sh cdktf.out/stacks/wms-baseline-<accountId> terraform -chdir=cdktf.out/stacks/wms-baseline-<accountId> plan
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "usage: with-variables.sh <stack folder> <command> [argument...]"
stack_dir="$1"
shift
[ -f "$stack_dir/cdk.tf.json" ] || die "with-variables.sh: $stack_dir/cdk.tf.json not found (run npm run synth first)"
export_ssm_variables "$stack_dir/cdk.tf.json" || die "the sensitive variables of $stack_dir could not be read"
exec "$@"
