"""Whether git tracks a file: the one question the registry asks of the checkout it sits in.

A non-default endpoint (a simulator, a mirror) must not write into the committed
registry; a scratch file inside someone's checkout is fair game. The checkout may be
anyone's, so git is asked in a way its configuration cannot turn into running a
command or reaching the network.
"""

from __future__ import annotations

import os
import subprocess

__all__ = ["tracked_by_git"]

# Every transport git knows by name; -c protocol.allow covers the rest.
_TRANSPORTS = ("file", "git", "ssh", "http", "https", "ext", "ftp", "ftps")


def tracked_by_git(path: str | os.PathLike[str]) -> bool | None:
    """Whether git tracks ``path``: True, False, or None when git cannot tell.

    Only a file git tracks is "the committed registry"; a scratch or ignored file
    inside someone's checkout (a temporary directory under a project) is not. Without
    a git binary, or when it fails, the answer is None: the caller decides.
    """
    # The file a write replaces: through a symlink, its target (write_registry resolves
    # it too), so a link from outside a checkout does not hide a committed file.
    absolute = os.path.realpath(os.fspath(path))
    directory = os.path.dirname(absolute)
    while not os.path.exists(os.path.join(directory, ".git")):
        parent = os.path.dirname(directory)
        if parent == directory:
            return False  # in no checkout at all
        directory = parent
    # The checkout may be anyone's: its config must run nothing (core.fsmonitor is a
    # command) and reach nothing (a partial clone fetches missing trees lazily, through
    # the remote's transport and core.sshCommand: every transport is refused, and
    # command-line -c outranks the checkout's own protocol.<name>.allow); the path is a
    # path, not a glob ("reg[1].json"); and the caller's GIT_DIR or GIT_INDEX_FILE (set
    # inside git hooks) must not make git look at another index.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    environment["GIT_NO_LAZY_FETCH"] = "1"  # git 2.44 and later; -c below for older ones
    refused = [f"protocol.{name}.allow=never" for name in _TRANSPORTS]
    options = ["core.fsmonitor=false", "protocol.allow=never", *refused]
    command = ["git", *(f for o in options for f in ("-c", o)), "--literal-pathspecs"]
    command += ["-C", directory]
    try:
        done = subprocess.run(
            [*command, "ls-files", "--error-unmatch", "--", absolute],
            capture_output=True,
            timeout=5,
            check=False,
            env=environment,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    # 0: tracked; 1: not tracked (error-unmatch); anything else: git could not say.
    return {0: True, 1: False}.get(done.returncode)
