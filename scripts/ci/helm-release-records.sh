#!/usr/bin/env bash
# Moves Helm's release records from Secrets (Helm's default storage driver) to ConfigMaps (the helm provider's
# `helm_driver`, shared/eks.ts HELM_STORAGE_DRIVER), losing nothing: run by a cluster administrator once per
# cluster, around the first apply with the new driver (docs/delivery.md#helm-release-records).
#
# Usage: helm-release-records.sh copy|verify|delete-secrets
#   copy            every Secret of type helm.sh/release.v1 labelled owner=helm (all namespaces) gets a ConfigMap
#                   of the same namespace, name and labels holding the same `release` value. Both Helm drivers
#                   store the same string, base64(gzip(release JSON)) (helm pkg/storage/driver secrets.go and
#                   cfgmaps.go); the API returns Secret data base64-encoded once more, so it is decoded once. An
#                   existing ConfigMap is never overwritten. The Secrets stay.
#   verify          every such Secret has its ConfigMap with the same labels and `release`: lists each
#                   difference and exits 1 when there is any.
#   delete-secrets  verify, then delete the Secrets: only after a successful apply with the new driver.
# Needs kubectl with cluster-admin rights (reads Secrets in every namespace) and node.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

mode="${1:-}"
case "$mode" in copy | verify | delete-secrets) ;; *) die "usage: helm-release-records.sh copy|verify|delete-secrets" ;; esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
kubectl get secrets --all-namespaces -l owner=helm -o json >"$work/secrets.json" || die "cannot list the Helm release Secrets"
kubectl get configmaps --all-namespaces -l owner=helm -o json >"$work/configmaps.json" ||
  die "cannot list the Helm release ConfigMaps"

# Prints, for `copy`, a List of the ConfigMaps to create; for `verify`, one line per difference; for `records`,
# `<namespace> <name>` of each release Secret.
read -r -d '' program <<'JS' || true
const fs = require('node:fs');
const [mode, secretsFile, configMapsFile] = process.argv.slice(1);
const secrets = JSON.parse(fs.readFileSync(secretsFile, 'utf8')).items
  .filter((s) => s.type === 'helm.sh/release.v1')
  .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
const configMaps = new Map(
  JSON.parse(fs.readFileSync(configMapsFile, 'utf8')).items.map((c) => [`${c.metadata.namespace}/${c.metadata.name}`, c]),
);
const release = (secret) => Buffer.from(secret.data?.release ?? '', 'base64').toString('utf8');
const sorted = (labels) => JSON.stringify(Object.entries(labels ?? {}).sort(([a], [b]) => a.localeCompare(b)));
if (mode === 'records') {
  for (const s of secrets) console.log(`${s.metadata.namespace} ${s.metadata.name}`);
} else if (mode === 'copy') {
  const items = secrets
    .filter((s) => !configMaps.has(`${s.metadata.namespace}/${s.metadata.name}`))
    .map((s) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: s.metadata.name, namespace: s.metadata.namespace, labels: s.metadata.labels },
      data: { release: release(s) },
    }));
  console.log(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
} else {
  for (const s of secrets) {
    const key = `${s.metadata.namespace}/${s.metadata.name}`;
    const copy = configMaps.get(key);
    if (!copy) console.log(`${key}: no ConfigMap`);
    else if (copy.data?.release !== release(s)) console.log(`${key}: the ConfigMap's release differs from the Secret's`);
    else if (sorted(copy.metadata.labels) !== sorted(s.metadata.labels)) console.log(`${key}: the labels differ`);
  }
}
JS
records() { node -e "$program" "$1" "$work/secrets.json" "$work/configmaps.json"; }

case "$mode" in
  copy)
    records copy >"$work/list.json"
    count="$(node -e 'console.log(JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).items.length)' "$work/list.json")"
    if [ "$count" -gt 0 ]; then
      kubectl create -f - <"$work/list.json" >&2 || die "creating the ConfigMaps failed (run copy again: it skips those created)"
    fi
    echo "copied $count release records to ConfigMaps (the Secrets stay; run verify)"
    ;;
  verify | delete-secrets)
    problems="$(records verify)"
    if [ -n "$problems" ]; then
      echo "$problems" >&2
      die "$(wc -l <<<"$problems") release records are not copied faithfully: run copy, or fix them, before deleting anything"
    fi
    total="$(records records | grep -c . || true)"
    echo "every release Secret ($total) has an identical ConfigMap"
    [ "$mode" = verify ] && exit 0
    while read -r namespace name; do
      [ -n "$name" ] || continue
      kubectl delete secret --namespace "$namespace" "$name" >&2 || die "deleting $namespace/$name failed"
    done <<<"$(records records)"
    echo "deleted $total release Secrets"
    ;;
esac
