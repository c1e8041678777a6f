"""Hand the editor's text to the user's own editor ($VISUAL, else $EDITOR) and take it back.

The text goes to a temporary `.py` file (0600, removed afterwards), the app
gives the terminal to the editor (`App.suspend`) and takes it back when the
editor exits. The command is split as a shell would (`code --wait` works);
the file's path is its last argument. Whatever goes wrong (no editor set, a
command that is not found, an editor that exits with an error, a file it
removed or left unreadable) the text is not taken back and `problem` says why.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from textual.app import SuspendNotSupported

ENV_VARS = ("VISUAL", "EDITOR")
Suspend = Callable[[], AbstractContextManager[None]]


@dataclass(frozen=True)
class Edited:
    """The text the editor left in the file, or why there is none."""

    text: str | None = None
    problem: str | None = None


def editor_command(env: Mapping[str, str] | None = None) -> tuple[list[str], str] | str:
    """The user's editor command, split, and the variable it came from; or why there is none."""
    env = os.environ if env is None else env
    for name in ENV_VARS:
        value = env.get(name, "").strip()
        if not value:
            continue
        try:
            command = shlex.split(value)
        except ValueError as error:
            return f"${name} ({value!r}) cannot be split into a command ({error})."
        return command, name
    return "Neither $VISUAL nor $EDITOR is set: set one to your editor's command (e.g. `export EDITOR=vim`)."


def edit(text: str, suspend: Suspend, env: Mapping[str, str] | None = None) -> Edited:
    """Run the user's editor on `text` with the terminal handed over; what they saved."""
    found = editor_command(env)
    if isinstance(found, str):
        return Edited(problem=found)
    command, variable = found
    fd, name = tempfile.mkstemp(prefix="marimo-pair-", suffix=".py")
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        problem = _run(command, variable, path, suspend)
        return Edited(problem=problem) if problem else _read_back(path, text, command[0])
    finally:
        path.unlink(missing_ok=True)


def _run(command: list[str], variable: str, path: Path, suspend: Suspend) -> str | None:
    """Run the editor on `path`; why it failed, if it did."""
    shown = shlex.join(command)
    try:
        with suspend():
            status = subprocess.run([*command, str(path)], check=False).returncode
    except SuspendNotSupported:
        return "This terminal cannot be handed over to another program (Textual cannot suspend the app here)."
    except FileNotFoundError:
        return f"The editor {command[0]!r} (from ${variable}) was not found: check ${variable}."
    except PermissionError:
        return f"The editor {command[0]!r} (from ${variable}) cannot be run (not executable): check ${variable}."
    except OSError as error:
        return f"The editor {shown!r} (from ${variable}) could not start: {error.strerror or error}."
    if status != 0:
        how = f"was stopped by signal {-status}" if status < 0 else f"exited with status {status}"
        return f"The editor {shown!r} {how}."
    return None


def _read_back(path: Path, before: str, program: str) -> Edited:
    """The file's text; one line break an editor added at the end of text that had none is dropped."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Edited(problem=f"The editor {program!r} removed the file it was given.")
    except (OSError, UnicodeDecodeError) as error:
        return Edited(problem=f"The file the editor {program!r} saved could not be read back ({error}).")
    if not before.endswith("\n") and text.endswith("\n") and not text.endswith("\n\n"):
        text = text[:-1]
    return Edited(text=text)
