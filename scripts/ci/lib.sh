#!/usr/bin/env bash
# Shared helpers of the scripts/ci/*.sh tools (sourced, never run). Messages go to stderr; inside GitHub Actions an
# error is also an `::error::` annotation, so it shows on the run's summary page.

die() {
  if [ "${GITHUB_ACTIONS:-}" = true ]; then echo "::error::$*" >&2; else echo "error: $*" >&2; fi
  exit 1
}

note() { echo "$*" >&2; }

# Appends to the job summary when there is one (GITHUB_STEP_SUMMARY), otherwise does nothing.
summary() {
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat >>"$GITHUB_STEP_SUMMARY"; else cat >/dev/null; fi
}

# sha256 of a file, hex only.
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# sha256 of stdin, hex only.
sha256_stdin() { sha256sum | cut -d' ' -f1; }

# The value of `key` in a key=value file (the first match), or empty.
meta_get() { sed -n "s/^$2=//p" "$1" | head -n 1; }

# The sensitive variables a synthesized stack reads from SSM parameters, one `<variable>\t<parameter>\t<region>` a
# line: its `"//".wms.ssmVariables`, which synth writes from config (stacks/environment-stack.ts), so no workflow
# names a parameter. Nothing for a stack without any.
ssm_variables_of() {
  node -e '
    const wms = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"))["//"]?.wms ?? {};
    for (const [name, source] of Object.entries(wms.ssmVariables ?? {})) {
      if (!/^[a-z][a-z0-9_]*$/.test(name) || typeof source.parameter !== "string" || typeof source.region !== "string") {
        throw new Error(`${process.argv[1]}: "//".wms.ssmVariables.${name}: ${JSON.stringify(source)} is not {parameter, region}`);
      }
      console.log(`${name}\t${source.parameter}\t${source.region}`);
    }' "$1"
}

# Exports TF_VAR_<variable> for each sensitive variable of a synthesized stack (ssm_variables_of), read with the
# job's credentials (`ssm:GetParameter` with decryption). In GitHub Actions the value is masked (`::add-mask::`)
# before anything else runs; it is never printed. Sets EXPORTED_VARIABLES to the names exported, for
# unexport_variables. Fails naming the stack and parameter when a value cannot be read or is empty.
export_ssm_variables() {
  local json="$1" list name parameter region value
  EXPORTED_VARIABLES=()
  list="$(ssm_variables_of "$json")" || return 1
  while IFS=$'\t' read -r name parameter region; do
    [ -n "$name" ] || continue
    value="$(aws ssm get-parameter --name "$parameter" --with-decryption --region "$region" \
      --query Parameter.Value --output text)" || {
      note "cannot read SSM parameter $parameter ($region) for variable $name of $json"
      return 1
    }
    if [ -z "$value" ] || [ "$value" = None ]; then
      note "SSM parameter $parameter ($region) for variable $name of $json is empty"
      return 1
    fi
    [ "${GITHUB_ACTIONS:-}" = true ] && echo "::add-mask::$value"
    export "TF_VAR_$name=$value"
    EXPORTED_VARIABLES+=("TF_VAR_$name")
    note "$name: from SSM parameter $parameter ($region)"
  done <<<"$list"
}

# Removes what export_ssm_variables exported: each stack sees only its own variables.
unexport_variables() {
  local name
  for name in "${EXPORTED_VARIABLES[@]}"; do unset "$name"; done
  EXPORTED_VARIABLES=()
}

# shellcheck disable=SC2034 # used by the scripts that source this file
CI_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
