"""The GPU path: the CUDA 12 cuBLAS that faster-whisper needs, and the fallback to the CPU.

CTranslate2 (faster-whisper's engine) is built for CUDA 12 and opens ``libcublas.so.12`` the
first time it multiplies on the GPU; it needs no other CUDA library (the CUDA runtime is linked
in, cuDNN is not used). torch 2.11 brings CUDA 13 libraries only. The ``gpu`` extra installs
NVIDIA's ``nvidia-cublas-cu12`` wheel, and ``load_cublas`` loads it by full path with global
symbols, so CTranslate2's own ``dlopen("libcublas.so.12")`` finds it already in the process:
no ``LD_LIBRARY_PATH`` needed. A cuBLAS installed system-wide works too.

A model that cannot start on the GPU runs on the CPU after one warning; it never stops a batch.
"""
from __future__ import annotations

import ctypes
import functools
import importlib.util
import logging
import sys
from pathlib import Path

__all__ = ["CUBLAS_LIBRARIES", "cublas_folder", "load_cublas", "warn_cpu_fallback"]

logger = logging.getLogger(__name__)

CUBLAS_LIBRARIES = ("libcublasLt.so.12", "libcublas.so.12")
"""In load order: libcublas needs libcublasLt."""


def cublas_folder() -> Path | None:
    """The ``lib`` folder of the ``nvidia-cublas-cu12`` wheel, when it is installed."""
    try:
        spec = importlib.util.find_spec("nvidia.cublas")
    except ModuleNotFoundError:
        return None
    for root in (spec.submodule_search_locations or []) if spec else []:
        folder = Path(root) / "lib"
        if (folder / CUBLAS_LIBRARIES[-1]).is_file():
            return folder
    return None


@functools.cache
def load_cublas() -> str | None:
    """Load CUDA 12 cuBLAS into this process (Linux). Returns where it came from (the wheel's
    folder, or ``system``), or None when it is nowhere; CTranslate2 then reports the missing
    library itself when it first runs on the GPU."""
    if not sys.platform.startswith("linux"):
        return None
    folder = cublas_folder()
    if folder is not None:
        for name in CUBLAS_LIBRARIES:
            ctypes.CDLL(str(folder / name), mode=ctypes.RTLD_GLOBAL)
        logger.debug("loaded cuBLAS 12 from %s", folder)
        return str(folder)
    try:
        ctypes.CDLL(CUBLAS_LIBRARIES[-1], mode=ctypes.RTLD_GLOBAL)
    except OSError:
        return None
    return "system"


def warn_cpu_fallback(component: str, reason: BaseException) -> None:
    """The one warning a model gives when CUDA fails and it runs on the CPU instead."""
    detail = " ".join((str(reason) or type(reason).__name__).split())
    hint = " (install the GPU libraries: pip install 'callytics[gpu]')" if "cublas" in detail.lower() else ""
    logger.warning("%s cannot use the GPU, running on the CPU: %s%s", component, detail, hint)
