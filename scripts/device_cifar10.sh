#!/usr/bin/env bash
# The CIFAR-10 checkpoints in one call on a GPU box without TensorFlow (the `device` machine): the evaluator
# classifier and every *-cifar10 recipe (or the families in NAMES) train side by side on one GPU with KERAS_BACKEND=jax, each stopped by a
# time limit (LIMIT minutes), then are measured with the cards' protocol (scripts/evaluate.py, each under
# EVAL_LIMIT seconds; a checkpoint whose measuring is cut off stays whole, without it). Back come
# $OUT/NAME.tgz per model (the call returns at most 8 files of 16 MB, 64 MB in all) and $OUT/rest.tgz with the
# evaluator and the logs.
# Needs: .whl (see device_env.sh) and .data/cifar10.tar.gz, an archive whose one top folder holds the
# train/<class>/ and test/<class>/ trees (read through ZOO_DATA_DIR as zoo.data.folder_split does).
set -u
source "$(dirname "$0")/device_env.sh"
LIMIT=${LIMIT:-3.25} VQ_LIMIT=${VQ_LIMIT:-2} EVAL_LIMIT=${EVAL_LIMIT:-180} IWAE_IMAGES=${IWAE_IMAGES:-500} RUNS=${RUNS:-/tmp/runs} EVALUATOR_EPOCHS=${EVALUATOR_EPOCHS:-25}
NAMES=${NAMES:-$(python3 -c "from zoo import recipes; print(*(n.split('-')[0] for n in recipes.list_models('*-cifar10')))")}
mkdir -p "$RUNS/checkpoints" /tmp/data/unpack
tar xzf .data/cifar10.tar.gz -C /tmp/data/unpack && mv /tmp/data/unpack/* /tmp/data/cifar10 || exit 1
export ZOO_DATA_DIR=/tmp/data ZOO_CACHE_DIR=/tmp/cache ZOO_CHECKPOINTS=$RUNS/checkpoints
python3 -c "import jax, keras; print('jax', jax.__version__, jax.devices(), 'keras', keras.__version__)"
t0=$(date +%s)
python3 -c "from zoo import data; [print(s, data.load_split('cifar10', s)[0].shape) for s in ('train', 'test')]" || exit 1
echo "decoded in $(( $(date +%s) - t0 )) s"

# Each training is also cut off 2 minutes after its limit (the sampler's fit, measuring and pictures follow it);
# vqvae stops sooner, as its PixelCNN prior trains after the autoencoder.
hard=$(python3 -c "print(int(60 * $LIMIT + 120))")
timeout "$hard" python3 scripts/train_evaluator.py cifar10 --epochs "$EVALUATOR_EPOCHS" --out "$RUNS/checkpoints" \
  > "$RUNS/evaluator.log" 2>&1 &
for n in $NAMES; do
  limit=$LIMIT; [ "$n" = vqvae ] && limit=$VQ_LIMIT
  timeout "$hard" python3 scripts/train.py "$n-cifar10" --out "$RUNS/checkpoints" --time-limit "$limit" --verbose 2 \
    > "$RUNS/$n.log" 2>&1 &
done
wait
echo "trained in $(( $(date +%s) - t0 )) s"
for n in evaluator $NAMES; do
  echo "[$n] $(grep -c '^Epoch' "$RUNS/$n.log") epochs; last: $(grep ' - loss' "$RUNS/$n.log" | tail -1 | cut -c1-240)"
  grep -E "Error|error:|Traceback" "$RUNS/$n.log" | tail -3
done
grep "test accuracy" "$RUNS/evaluator.log"

for n in $NAMES; do
  timeout "$EVAL_LIMIT" python3 scripts/evaluate.py "$n-cifar10" --iwae-images "$IWAE_IMAGES" \
    > "$RUNS/eval-$n.log" 2>&1 &
done
wait
echo "evaluated in $(( $(date +%s) - t0 )) s"
for n in $NAMES; do echo "[eval $n]"; tail -4 "$RUNS/eval-$n.log" | cut -c1-300; done
for n in $NAMES; do tar czf "$OUT/$n.tgz" -C "$RUNS/checkpoints" "$n-cifar10"; done
cp "$RUNS"/*.log "$RUNS/checkpoints/"
tar czf "$OUT/rest.tgz" -C "$RUNS/checkpoints" evaluator-cifar10 $(cd "$RUNS/checkpoints" && ls *.log)
ls -la "$OUT"
