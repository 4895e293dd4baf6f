# Sourced by the device scripts: the zoo on a GPU machine without TensorFlow (a JAX/PyTorch box, no network).
# Installs the wheels carried in .whl (keras, namex, optree: the box has the rest), reads MNIST from .data/*.npz
# (ZOO_DATA_DIR), keeps JAX from taking the whole GPU up front, and prints what it found.
# Prepare both here (git ignores them; they travel with the working tree):
#   pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
#     --platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64 -d .whl keras==3.15.1 namex optree
#   mkdir -p .data && cp /path/to/mnist.npz .data/   # keras.datasets-style arrays x_train, y_train, x_test, y_test
if [ -d .whl ] && [ -z "${NO_WHEELS:-}" ]; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    && export PYTHONPATH=/tmp/site || exit 1
fi
export PYTHONPATH=${PYTHONPATH:+$PYTHONPATH:}$PWD ZOO_DATA_DIR=${ZOO_DATA_DIR:-$PWD/.data} PYTHONUNBUFFERED=1
export KERAS_BACKEND=${KERAS_BACKEND:-jax} XLA_PYTHON_CLIENT_PREALLOCATE=false
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null
