#!/usr/bin/env bash
# The main job, on a machine without internet: refresh every architecture's default
# against the project's loopback Hub simulator, then explain one choice.
#
#   bash scripts/demo-offline.sh                     # uses ./.venv if there is one, else python3
#   PYTHON=/path/to/venv/bin/python bash scripts/demo-offline.sh
#
# The simulator serves a generated fixture for every architecture (50 ms per answer),
# the committed registry is copied to a temporary directory (the repository's copy is
# never touched), and the simulator is stopped when the script ends, however it ends.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [[ -z "${PYTHON:-}" ]]; then
    if [[ -z "${VIRTUAL_ENV:-}" && -x "$root/.venv/bin/python" ]]; then
        PYTHON="$root/.venv/bin/python"   # the README's venv, even when not activated
    else
        PYTHON=python3
    fi
fi
python_path="$(command -v "$PYTHON" || true)"
if [[ -z "$python_path" ]]; then
    echo "error: no python at '$PYTHON' (set PYTHON to the venv's python)" >&2
    exit 2
fi
if ! "$python_path" -c "import hf_model_registry" 2>/dev/null; then
    echo "error: hf_model_registry is not installed for $python_path" \
        "(pip install -e . in a venv, then PYTHON=.venv/bin/python)" >&2
    exit 2
fi
# The console script installed next to that python; else the module, which is the same CLI.
cli=("$(dirname "$python_path")/hf-model-registry")
if [[ ! -x "${cli[0]}" ]]; then
    cli=("$python_path" -m hf_model_registry)
fi

workdir="$(mktemp -d "${TMPDIR:-/tmp}/hf-model-registry-demo.XXXXXX")"
sim_pid=""
cleanup() {
    if [[ -n "$sim_pid" ]] && kill -0 "$sim_pid" 2>/dev/null; then
        kill "$sim_pid" 2>/dev/null || true
        wait "$sim_pid" 2>/dev/null || true
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== starting the Hub simulator (every architecture, 50 ms latency)"
"$python_path" -m hf_model_registry.simulator --port 0 --latency 0.05 --all-architectures \
    >"$workdir/simulator.log" 2>&1 &
sim_pid=$!

url=""
for _ in $(seq 1 300); do   # up to 30 s: building the fixture takes a moment
    url="$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$workdir/simulator.log" | head -n 1)"
    [[ -n "$url" ]] && break
    if ! kill -0 "$sim_pid" 2>/dev/null; then
        echo "error: the simulator exited:" >&2
        cat "$workdir/simulator.log" >&2
        exit 1
    fi
    sleep 0.1
done
if [[ -z "$url" ]]; then
    echo "error: the simulator did not start within 30 s" >&2
    exit 1
fi
echo "simulator listening on $url"

registry="$workdir/huggingface_model_types.json"
if [[ -f "$root/huggingface_model_types.json" ]]; then
    cp "$root/huggingface_model_types.json" "$registry"
else   # run from an installed copy: start from the snapshot shipped in the package
    "$python_path" -c 'from hf_model_registry import _config; print(_config.packaged_registry_path())' \
        | xargs -I{} cp {} "$registry"
fi

echo
echo "== hf-model-registry refresh-all --endpoint $url --registry $registry"
status=0
"${cli[@]}" refresh-all --endpoint "$url" --registry "$registry" || status=$?
if [[ $status -ne 0 ]]; then
    echo "error: refresh-all exited with $status" >&2
    exit "$status"
fi

echo
echo "== hf-model-registry explain gpt2 --endpoint $url"
"${cli[@]}" explain gpt2 --endpoint "$url"

echo
echo "done: the refreshed registry was $registry (removed now); the simulator is stopped."
