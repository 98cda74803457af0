"""Builds the C extension dataset_generator._core from the library's sources
(lib/*/*.c) against Debian's codec libraries (found with pkg-config), and the
dataset-generator program (programs/dataset-generator.c over the same
objects) into the package, where the console command runs it."""
import glob
import os
import shlex
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))


def makefile_pkgs():
    """The pkg-config names of the Makefile's PKGS line: one list for both builds."""
    with open(os.path.join(HERE, "Makefile")) as f:
        for line in f:
            if line.startswith("PKGS"):
                return line.split("=", 1)[1].split()
    sys.exit("setup.py: no PKGS line in the Makefile")


PKGS = makefile_pkgs()


def pkg_config(*args):
    try:
        out = subprocess.run(["pkg-config", *args, *PKGS], check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit("dataset-generator needs the development packages of %s (pkg-config failed: %s); "
                 "run: sudo bash scripts/install-deps.sh" % (" ".join(PKGS), e))
    return shlex.split(out)


def build_id():
    try:
        return subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=HERE, check=True,
                              capture_output=True, text=True).stdout.strip() or "unknown"
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


LIB_SOURCES = sorted(glob.glob("lib/*/*.c"))
CFLAGS = ["-std=c11", "-D_GNU_SOURCE", "-ffp-contract=off", "-O2", "-pthread", "-fvisibility=hidden",
          "-Wall", "-Wno-missing-field-initializers"] + pkg_config("--cflags")
LIBS = pkg_config("--libs") + ["-lm", "-pthread"]


class BuildExt(build_ext):
    """Builds the extension, then links the CLI from the same objects."""

    def build_extension(self, ext):
        super().build_extension(ext)
        objects = self.compiler.object_filenames(LIB_SOURCES, output_dir=self.build_temp)
        prog = self.compiler.compile(["programs/dataset-generator.c"], output_dir=self.build_temp,
                                     include_dirs=ext.include_dirs, macros=ext.define_macros,
                                     extra_postargs=ext.extra_compile_args)
        bin_dir = os.path.join(os.path.dirname(self.get_ext_fullpath(ext.name)), "bin")
        os.makedirs(bin_dir, exist_ok=True)
        self.compiler.link_executable(prog + objects, "dataset-generator", output_dir=bin_dir,
                                      extra_postargs=LIBS)


setup(
    ext_modules=[Extension(
        "dataset_generator._core",
        sources=["python/dataset_generator/_core.c"] + LIB_SOURCES,
        include_dirs=["include", "lib"],
        define_macros=[("DSG_BUILD_ID", '"%s"' % build_id())],
        extra_compile_args=CFLAGS,
        extra_link_args=LIBS,
    )],
    cmdclass={"build_ext": BuildExt},
)
