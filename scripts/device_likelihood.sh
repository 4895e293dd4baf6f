#!/usr/bin/env bash
# The likelihood push on a GPU box without TensorFlow (the `device` machine): several candidate recipes train
# side by side on one GPU with KERAS_BACKEND=jax, each stopped by a time limit; each is then scored with a
# quick IWAE bound (k=1000) and packed as $OUT/TAG.tgz. The card numbers are measured afterwards with
# scripts/evaluate.py. RUNSET picks the set (likelihood, vae_family, iwae_latent); NLL=0 skips the quick bound. Needs: .whl and .data (see device_env.sh); LIMIT minutes (default 5.5).
set -u
source "$(dirname "$0")/device_env.sh"
LIMIT=${LIMIT:-5.5} RUNS=${RUNS:-/tmp/runs} EPOCHS=${EPOCHS:-5000}
mkdir -p "$RUNS"
python3 -c "import jax, keras; print('jax', jax.__version__, jax.devices('gpu'), 'keras', keras.__version__)" \
  || { echo "JAX or Keras failed on the GPU: falling back to KERAS_BACKEND=torch"; export KERAS_BACKEND=torch; }

run() {  # TAG NAME JSON: train NAME with recipe overrides JSON, score it, pack it
  local tag=$1 name=$2 over=$3 dir=$RUNS/$1
  python3 scripts/train.py "$name" --out "$dir" --epochs "$EPOCHS" --time-limit "$LIMIT" --verbose 2 \
    --override "$over" > "$dir.log" 2>&1
  echo "[$tag] $(grep -c '^Epoch' "$dir.log") epochs; last: $(grep ' - loss' "$dir.log" | tail -1 | cut -c1-220)"
  [ "${NLL:-1}" = 1 ] && timeout 110 python3 -c "
import sys, json; from zoo import data, loader, metrics
m = loader.load(sys.argv[1]); x, _ = data.load_split('mnist', 'test')
print('[$tag]', json.dumps(metrics.likelihood(m, x[:1000], k=1000, seed=0, binarized=True)))
" "$dir/$name" 2>&1 | grep '^\[' 
  cp "$dir.log" "$dir/$name/train.log" 2>/dev/null
  tar czf "$OUT/$tag.tgz" -C "$dir" . 2>/dev/null
}
case "${RUNSET:-likelihood}" in
likelihood)  # the likelihood push: hvae-mnist's recipe (conv 64/128, VampPrior top) against variants
  run hvae_vamp_mlp hvae-mnist '{"backbone": "mlp", "options": {"hidden": [512, 256]}}' &
  run hvae_vamp_conv hvae-mnist '{"options": {"hidden": [32, 64]}}' &
  run hvae_conv hvae-mnist '{"options": {"hidden": [32, 64], "top_components": 0}}' &
  run vamp40 vamp-mnist '{"latent_dim": 40}' &
  run beta_vae beta_vae-mnist '{}' &
  run hvae_vamp_conv_wide hvae-mnist '{}' &  # the shipped recipe
  ;;
vae_family)  # the N(0, I)-sampled VAE-family models of mnist, trained longer than their CPU recipes
  for n in vae iwae wae aae; do run "$n" "$n-mnist" '{}' & done
  ;;
iwae_latent)  # sample validity against code size: iwae and the plain vae (same net, same epochs) at small codes,
  # and hvae-fashion_mnist with hvae-mnist's conv + VampPrior recipe; run with EPOCHS=200 NLL=0
  for d in 6 7 8; do
    run "iwae$d" iwae-mnist "{\"latent_dim\": $d}" &
    run "vae$d" vae-mnist "{\"latent_dim\": $d}" &
  done
  run hvae_fashion_conv hvae-fashion_mnist '{"backbone": "conv", "latent_dim": 64, "options": {"top_dim": 32,
    "warmup_steps": 9380, "top_components": 500, "hidden": [64, 128]}}' &
  ;;
esac
wait
ls -la "$OUT"
