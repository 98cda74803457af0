"""The ``dataset-generator`` console command: the C program built into the
package, run in place of this process (same arguments, output, signals and
exit status as the C CLI)."""
import os
import sys


def main() -> None:
    """Replaces the Python process with the dataset-generator program."""
    exe = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", "dataset-generator")
    if not os.access(exe, os.X_OK):
        sys.stderr.write("dataset-generator: the program is missing from the package (%s)\n" % exe)
        sys.exit(1)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(exe, [exe] + sys.argv[1:])


if __name__ == "__main__":
    main()
