#!/usr/bin/env bash
# The benchmark on one GPU (the `device` machine, which has JAX and PyTorch but no TensorFlow), in one call of
# at most nine and a half minutes (give the call timeout_s 600): the MLP VAE against the same network in plain
# Keras, both on JAX; training, encoding and sampling images/s of every family on JAX; vqvae sampling; the
# mixed-bfloat16 gain (and both policies' losses) on JAX and PyTorch. Writes $OUT/benchmark_gpu.json and .md
# (copy them to docs/); each stage is stopped by its time limit and keeps the rows it finished. Needs: .whl
# and .data (see device_env.sh). FAMILIES (comma-separated, default all); LIMIT_FAMILIES and LIMIT_REST in
# seconds (default 270 and 160).
set -u
source "$(dirname "$0")/device_env.sh"
python3 -c "import jax; print('jax', jax.__version__, jax.devices())"
record=$OUT/benchmark_gpu.json
timeout 70 python3 scripts/bench.py --backends jax --rounds 1 \
  --skip families,backbones,precision,xla,load,vqvae,rendering,evaluate --out "$record"
timeout "${LIMIT_FAMILIES:-270}" python3 scripts/bench.py --backends jax ${FAMILIES:+--families "$FAMILIES"} \
  --skip peers,backbones,precision,xla,load,vqvae,rendering,evaluate --family-images 60000 --update --out "$record"
timeout 60 python3 scripts/bench.py --backends jax,torch \
  --skip peers,families,backbones,precision,xla,load,rendering,evaluate --update --out "$record"
timeout "${LIMIT_REST:-160}" python3 scripts/bench.py --backends jax,torch --rounds 1 --backbone-images 20000 \
  --skip peers,families,backbones,xla,load,vqvae,rendering,evaluate --update --out "$record"
ls -la "$OUT"
