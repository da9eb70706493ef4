"""Make sure Debian's Chromium is at /usr/bin/chromium for the browser tests (installing it with apt when
this machine allows), or stop with what to install."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

PATH = "/usr/bin/chromium"


def main() -> int:
    if os.path.exists(PATH):
        return 0
    apt = shutil.which("apt-get")
    if apt and os.geteuid() == 0:
        print("installing Debian's chromium for the browser tests ...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run([apt, "update", "-qq"], env=env, check=False)
        done = subprocess.run([apt, "install", "-y", "-qq", "chromium"], env=env)
        if done.returncode == 0 and os.path.exists(PATH):
            return 0
    print(
        "The browser tests need Debian's Chromium at /usr/bin/chromium.\n"
        "Install it with:  sudo apt-get install -y chromium",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
