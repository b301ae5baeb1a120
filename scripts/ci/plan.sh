#!/usr/bin/env bash
# Plans every stack of one environment (or of one runner group of it) in dependency order, with the credentials
# of the job, and writes what the apply and the reviewers need.
#
# Usage: plan.sh --outdir cdktf.out --environment <env> --group aws|cluster|all --commit <sha> --out <dir>
#                [--mode plan|drift]
#
# --mode plan (default): `terraform plan -detailed-exitcode -out=tfplan` per stack, taking the state lock. Writes
#   <out>/<stack>/tfplan          the saved plan (the only thing apply.sh ever applies)
#   <out>/<stack>/plan.txt        `terraform show -no-color tfplan`, what reviewers read
#   <out>/<stack>/terraform.lock.hcl  the provider lock file of the plan (not hidden: artifacts skip dotfiles)
#   <out>/<stack>/meta            commit, environment, stack, changes (yes|no), tfplan_sha256, and
#                                 upstream.<dependency>=<sha256 of its `terraform output -json`> at plan time
# --mode drift: the same plan without taking the lock and without keeping the plan file: exit code 2 of
#   `-detailed-exitcode` means the environment differs from the code of the commit.
# Before a stack is planned, its sensitive variables (`"//".wms.ssmVariables` of its JSON, written by synth from
# config: the PagerDuty URL of the prod platform stack) are exported as TF_VAR_<name> from their SSM parameters,
# masked in the log, and removed again after its plan. apply.sh needs none: Terraform applies a saved plan with
# the variable values it was planned with.
# Both modes write <out>/results-<group>.tsv (`<environment>\t<stack>\t<status>`, status no-changes, changes or
# error) and <out>/summary-<group>.md, and append the summary to the job summary.
# Exits 1 when any stack failed to plan (after planning the others), else 0, changes or not.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

outdir="" environment="" group="" commit="" out="" mode=plan
while [ $# -gt 0 ]; do
  case "$1" in
    --outdir) outdir="$2" ;;
    --environment) environment="$2" ;;
    --group) group="$2" ;;
    --commit) commit="$2" ;;
    --out) out="$2" ;;
    --mode) mode="$2" ;;
    *) die "plan.sh: unknown argument $1" ;;
  esac
  shift 2
done
[ -n "$outdir" ] && [ -n "$environment" ] && [ -n "$group" ] && [ -n "$commit" ] && [ -n "$out" ] ||
  die "usage: plan.sh --outdir DIR --environment ENV --group aws|cluster|all --commit SHA --out DIR [--mode plan|drift]"
case "$mode" in plan | drift) ;; *) die "plan.sh: --mode must be plan or drift" ;; esac
[[ "$commit" =~ ^[0-9a-f]{40}$ ]] || die "plan.sh: --commit \"$commit\" is not a 40-character commit SHA"

LOCK_TIMEOUT="${WMS_LOCK_TIMEOUT:-10m}"
stack_list="$(bash "$CI_DIR/stacks.sh" "$outdir" "$environment" "$group" --with-deps)"
mkdir -p "$out"
results="$out/results-$group.tsv"
summary_file="$out/summary-$group.md"
: >"$results"
title="Plan"
[ "$mode" = drift ] && title="Drift check"
printf '### %s: %s (%s stacks) at `%s`\n\n' "$title" "$environment" "$group" "${commit:0:12}" >"$summary_file"

logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
declare -A inited=()
init_stack() {
  local dir="$outdir/stacks/$1"
  [ -n "${inited[$1]:-}" ] && return 0
  if ! terraform -chdir="$dir" init -input=false -no-color >"$logs/init-$1.log" 2>&1; then
    cat "$logs/init-$1.log" >&2
    return 1
  fi
  inited[$1]=1
}

# Hash of a stack's current outputs: what its dependants read through remote state at plan time.
outputs_hash() {
  init_stack "$1" >&2 || return 1
  terraform -chdir="$outdir/stacks/$1" output -json -no-color | sha256_stdin
}

failed=0
if [ -z "$stack_list" ]; then
  note "no $group stacks in environment $environment"
  echo "- no $group stacks in this environment" >>"$summary_file"
fi
while read -r stack deps; do
  [ -n "$stack" ] || continue
  dir="$outdir/stacks/$stack"
  echo "::group::$mode $stack"
  status=error
  if ! export_ssm_variables "$dir/cdk.tf.json"; then
    note "the sensitive variables of $stack could not be read: not planned"
  elif init_stack "$stack"; then
    planfile="$dir/tfplan"
    args=(plan -input=false -no-color -detailed-exitcode -out=tfplan)
    if [ "$mode" = drift ]; then args+=(-lock=false); else args+=("-lock-timeout=$LOCK_TIMEOUT"); fi
    set +e
    terraform -chdir="$dir" "${args[@]}"
    rc=$?
    set -e
    case "$rc" in 0) status=no-changes ;; 2) status=changes ;; *) status=error ;; esac
  fi
  unexport_variables
  echo "::endgroup::"
  printf '%s\t%s\t%s\n' "$environment" "$stack" "$status" >>"$results"
  if [ "$status" = error ]; then
    failed=1
    echo "- **$stack**: **plan failed** (see the job log)" >>"$summary_file"
    note "plan of $stack failed"
    continue
  fi
  terraform -chdir="$dir" show -json tfplan | bash "$CI_DIR/plan-summary.sh" "$stack" >>"$summary_file"
  if [ "$mode" = drift ]; then
    rm -f "$planfile"
    continue
  fi
  mkdir -p "$out/$stack"
  mv "$planfile" "$out/$stack/tfplan"
  cp "$out/$stack/tfplan" "$planfile"
  terraform -chdir="$dir" show -no-color tfplan >"$out/$stack/plan.txt"
  [ -f "$dir/.terraform.lock.hcl" ] && cp "$dir/.terraform.lock.hcl" "$out/$stack/terraform.lock.hcl"
  {
    echo "commit=$commit"
    echo "environment=$environment"
    echo "stack=$stack"
    echo "changes=$([ "$status" = changes ] && echo yes || echo no)"
    echo "tfplan_sha256=$(sha256_of "$out/$stack/tfplan")"
    for dep in ${deps//,/ }; do
      hash="$(outputs_hash "$dep")" || die "cannot read the outputs of $dep (a dependency of $stack)"
      echo "upstream.$dep=$hash"
    done
  } >"$out/$stack/meta"
done <<<"$stack_list"

echo >>"$summary_file"
summary <"$summary_file"
cat "$summary_file"
exit "$failed"
