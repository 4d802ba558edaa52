"""setuptools' build_ext, driving this CMake project to build the extension neurocodec._core.

Everything else (metadata, the pure-Python package) is in pyproject.toml.
"""
import os
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        # NEUROCODEC_CMAKE_BUILD_DIR reuses a configured build tree (CI: the one README's test
        # command made), so only the module is compiled again; else a private one, library only.
        reuse = os.environ.get("NEUROCODEC_CMAKE_BUILD_DIR")
        build_dir = os.path.abspath(reuse) if reuse else os.path.join(os.path.abspath(self.build_temp), "cmake")
        os.makedirs(build_dir, exist_ok=True)
        # The module is built for the interpreter pip runs.
        flags = [] if reuse else ["-DCMAKE_BUILD_TYPE=Release", "-DNEUROCODEC_TESTS=OFF", "-DNEUROCODEC_BENCH=OFF"]
        subprocess.run(["cmake", "-S", ROOT, "-B", build_dir, f"-DPython3_EXECUTABLE={sys.executable}",
                        "-DNEUROCODEC_PYTHON=ON", *flags], check=True)
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", "2")
        subprocess.run(["cmake", "--build", build_dir, "--target", "_core", "-j", jobs], check=True)
        built = [f for f in os.listdir(os.path.join(build_dir, "python", "neurocodec")) if f.startswith("_core")]
        if len(built) != 1:
            sys.exit(f"expected one built _core module in {build_dir}/python/neurocodec, found {built}")
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(os.path.join(build_dir, "python", "neurocodec", built[0]), target)


setup(ext_modules=[CMakeExtension("neurocodec._core")], cmdclass={"build_ext": CMakeBuild})
