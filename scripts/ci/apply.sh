#!/usr/bin/env bash
# Applies exactly the saved plans of one environment, in dependency order, and refuses anything stale.
#
# Usage: apply.sh --outdir cdktf.out --environment <env> --commit <sha> --plans <dir>
#   <dir> holds the <stack>/ folders plan.sh wrote (the plan artifacts of this workflow run).
#
# Before anything is applied, for every stack of the environment: a plan exists, its meta names this commit and
# environment, and the plan file's sha256 is the one recorded when it was planned; there is no plan for a stack
# the environment does not have. Then, per stack in order: init with the plan's provider lock file; refuse when a
# dependency's outputs differ from those the plan read (an earlier apply of this run changed them: the plan is
# stale, plan again); refuse when `terraform show` of the plan differs from the reviewed plan.txt; then
# `terraform apply <planfile>`: the saved plan is the approval, so no approve flag, and never without a plan file.
# Terraform itself refuses a plan made against an older state ("Saved plan is stale"). Stacks whose plan has no
# changes are not applied. No sensitive variable is read here: a saved plan carries the values it was planned with
# (plan.sh exported them), so the apply role needs no access to their SSM parameters.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

outdir="" environment="" commit="" plans=""
while [ $# -gt 0 ]; do
  case "$1" in
    --outdir) outdir="$2" ;;
    --environment) environment="$2" ;;
    --commit) commit="$2" ;;
    --plans) plans="$2" ;;
    *) die "apply.sh: unknown argument $1" ;;
  esac
  shift 2
done
[ -n "$outdir" ] && [ -n "$environment" ] && [ -n "$commit" ] && [ -n "$plans" ] ||
  die "usage: apply.sh --outdir DIR --environment ENV --commit SHA --plans DIR"
[[ "$commit" =~ ^[0-9a-f]{40}$ ]] || die "apply.sh: --commit \"$commit\" is not a 40-character commit SHA"
[ -d "$plans" ] || die "apply.sh: no plan folder $plans: the plan artifact of this commit was not downloaded"

LOCK_TIMEOUT="${WMS_LOCK_TIMEOUT:-10m}"
stack_list="$(bash "$CI_DIR/stacks.sh" "$outdir" "$environment" all --with-deps)"

# 1. Verify every plan before applying any.
expected=()
while read -r stack _; do
  [ -n "$stack" ] || continue
  expected+=("$stack")
  meta="$plans/$stack/meta"
  [ -f "$meta" ] && [ -f "$plans/$stack/tfplan" ] ||
    die "no saved plan for $stack in $plans: refusing to apply an environment partly (was its plan job skipped or did it fail?)"
  planned_commit="$(meta_get "$meta" commit)"
  [ "$planned_commit" = "$commit" ] ||
    die "the plan of $stack was made for commit $planned_commit, not $commit: refusing a plan of another commit"
  [ "$(meta_get "$meta" environment)" = "$environment" ] ||
    die "the plan of $stack is for environment $(meta_get "$meta" environment), not $environment"
  [ "$(meta_get "$meta" stack)" = "$stack" ] || die "the plan in $plans/$stack names stack $(meta_get "$meta" stack)"
  [ "$(sha256_of "$plans/$stack/tfplan")" = "$(meta_get "$meta" tfplan_sha256)" ] ||
    die "the plan file of $stack does not match the sha256 recorded when it was planned"
done <<<"$stack_list"
for found in "$plans"/*/meta; do
  [ -f "$found" ] || continue
  name="$(basename "$(dirname "$found")")"
  [[ " ${expected[*]} " == *" $name "* ]] ||
    die "$plans has a plan for $name, which is not a stack of $environment in $outdir: the artifact does not match this synth"
done

printf '### Apply: %s at `%s`\n\n' "$environment" "${commit:0:12}" | summary

# 2. Apply in dependency order.
while read -r stack deps; do
  [ -n "$stack" ] || continue
  dir="$outdir/stacks/$stack"
  meta="$plans/$stack/meta"
  echo "::group::apply $stack"
  cp "$plans/$stack/tfplan" "$dir/tfplan"
  init_args=(init -input=false -no-color)
  if [ -f "$plans/$stack/terraform.lock.hcl" ]; then
    cp "$plans/$stack/terraform.lock.hcl" "$dir/.terraform.lock.hcl"
    init_args+=(-lockfile=readonly)
  fi
  terraform -chdir="$dir" "${init_args[@]}" >/dev/null || die "terraform init of $stack failed"
  for dep in ${deps//,/ }; do
    recorded="$(meta_get "$meta" "upstream.$dep")"
    [ -n "$recorded" ] || die "the plan of $stack did not record the outputs of its dependency $dep"
    if [ ! -d "$outdir/stacks/$dep/.terraform" ]; then
      terraform -chdir="$outdir/stacks/$dep" init -input=false -no-color >/dev/null || die "terraform init of $dep failed"
    fi
    current="$(terraform -chdir="$outdir/stacks/$dep" output -json -no-color | sha256_stdin)" ||
      die "cannot read the outputs of $dep"
    [ "$current" = "$recorded" ] ||
      die "the outputs of $dep changed since $stack was planned (applied earlier in this run?): the plan of $stack is stale; run the workflow again to plan it with the new outputs"
  done
  terraform -chdir="$dir" show -no-color tfplan >"$dir/plan.now.txt"
  cmp -s "$dir/plan.now.txt" "$plans/$stack/plan.txt" ||
    die "terraform show of the plan of $stack differs from the reviewed plan.txt: refusing"
  if [ "$(meta_get "$meta" changes)" != yes ]; then
    note "$stack: no changes, nothing to apply"
    echo "- **$stack**: no changes" | summary
    echo "::endgroup::"
    continue
  fi
  terraform -chdir="$dir" apply -input=false -no-color "-lock-timeout=$LOCK_TIMEOUT" tfplan ||
    die "terraform apply of $stack failed (\"Saved plan is stale\" means the state changed after the plan: run the workflow again)"
  echo "- **$stack**: applied" | summary
  echo "::endgroup::"
done <<<"$stack_list"
