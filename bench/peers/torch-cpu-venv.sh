#!/usr/bin/env bash
# A virtual environment with a current PyTorch CPU build and torchvision, for bench/cpu-peers.sh's PYTHONS (the
# system's python3-torch may be years older; the peer a user would pick today is PyTorch 2).
#
#   bench/peers/torch-cpu-venv.sh DIR                      torch and torchvision from PyTorch's CPU index
#   bench/peers/torch-cpu-venv.sh DIR SPEC_OR_WHEEL...     what to install instead, e.g. a local CPU wheel of
#                                                          torch and the matching torchvision==X (its C++ ops
#                                                          need not load: see bench/peers/torch_inception.py)
# Then: PYTHONS="/usr/bin/python3 DIR/bin/python" bench/cpu-peers.sh OUT_DIR
set -euo pipefail
dir="${1:?usage: bench/peers/torch-cpu-venv.sh DIR [SPEC_OR_WHEEL...]}"
shift
python3 -m venv "$dir"
if [ $# -eq 0 ]; then
  "$dir/bin/pip" install --quiet torch torchvision --index-url https://download.pytorch.org/whl/cpu
else
  "$dir/bin/pip" install --quiet "$@"
fi
"$dir/bin/pip" install --quiet numpy
"$dir/bin/python" "$(dirname "${BASH_SOURCE[0]}")/torch_inception.py" --help > /dev/null
echo "$dir/bin/python: torch $("$dir/bin/python" -c 'import torch; print(torch.__version__)')"
