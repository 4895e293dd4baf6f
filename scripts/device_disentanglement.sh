#!/usr/bin/env bash
# The disentanglement models trained far longer, in one call on a GPU box without TensorFlow (the `device`
# machine): every *-dsprites and *-shapes3d recipe (or those in NAMES) trains side by side on one GPU with
# KERAS_BACKEND=jax, up to the papers' 300,000 steps (EPOCHS of the recipes' 1,000 steps), each stopped by a time
# limit (LIMIT minutes); the images are rendered on the box's CPU cores, so no data travel. Then `zoo evaluate`
# measures each (under EVAL_LIMIT seconds; a checkpoint whose measuring is cut off stays whole, without it).
# Back come $OUT/dsprites.tgz and $OUT/shapes3d.tgz: every checkpoint folder, with its training and measuring
# logs. A model replaces a shipped one only where it measures better (docs/disentanglement.md).
# Needs: .whl (see device_env.sh). OVERRIDE passes recipe fields to every run (e.g. '{"steps_per_epoch": 20}'
# for a quick try on a CPU).
set -u
source "$(dirname "$0")/device_env.sh"
LIMIT=${LIMIT:-5} EVAL_LIMIT=${EVAL_LIMIT:-240} RUNS=${RUNS:-/tmp/runs} EPOCHS=${EPOCHS:-300} OVERRIDE=${OVERRIDE:-'{}'}
NAMES=${NAMES:-$(python3 -c "from zoo import recipes; print(*recipes.list_models('*-dsprites'), *recipes.list_models('*-shapes3d'))")}
mkdir -p "$RUNS"
python3 -c "import jax, keras; print('jax', jax.__version__, jax.devices(), 'keras', keras.__version__)"
t0=$(date +%s)

hard=$(python3 -c "print(int(60 * $LIMIT + 120))")  # a run is also cut off 2 minutes after its limit
for n in $NAMES; do
  timeout "$hard" python3 scripts/train.py "$n" --out "$RUNS" --epochs "$EPOCHS" --time-limit "$LIMIT" --verbose 2 \
    --override "$OVERRIDE" > "$RUNS/$n.log" 2>&1 &
done
wait
echo "trained in $(( $(date +%s) - t0 )) s"
for n in $NAMES; do
  echo "[$n] $(grep -c '^Epoch' "$RUNS/$n.log") epochs; last: $(grep ' - loss' "$RUNS/$n.log" | tail -1 | cut -c1-200)"
  grep -E "Error|error:|Traceback" "$RUNS/$n.log" | tail -3
done

for n in $NAMES; do
  [ -f "$RUNS/$n/card.json" ] && timeout "$EVAL_LIMIT" python3 -m zoo.cli evaluate "$RUNS/$n" > "$RUNS/eval-$n.log" 2>&1 &
done
wait
echo "evaluated in $(( $(date +%s) - t0 )) s"
for n in $NAMES; do
  echo "[eval $n] $(python3 -c "
import json, sys
d = json.load(open(sys.argv[1])).get('evaluation', {}).get('disentanglement') or {}
print({k: round(v, 3) for k, v in d.get('scores', {}).items() if k in ('mig', 'dci_disentanglement', 'factor_vae', 'beta_vae')})
" "$RUNS/$n/card.json" 2>&1 | tail -1)"
done
for d in dsprites shapes3d; do
  names=$(cd "$RUNS" && ls -d -- *-"$d" *-"$d".log 2>/dev/null)
  [ -n "$names" ] && tar czf "$OUT/$d.tgz" -C "$RUNS" $names
done
ls -la "$OUT"
