"""How to run ssh: options from MARIMO_PAIR_SSH_OPTS and config.toml's [ssh].

Problems in either become warnings, never errors: a typo in the config file
must not stop pairing with local servers.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from ..state import caller
from ..state.settings import ConfigFile, read_config

SSH_OPTS_ENV = "MARIMO_PAIR_SSH_OPTS"
DEFAULT_CONTROL_PERSIST = 60
DEFAULT_CONNECT_TIMEOUT = 10


@dataclass(frozen=True)
class SshSettings:
    """How to run ssh: extra options, hosts to list, multiplexing and timeouts."""

    options: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    control_persist: int = DEFAULT_CONTROL_PERSIST
    connect_timeout: int = DEFAULT_CONNECT_TIMEOUT
    warnings: tuple[str, ...] = ()

    @property
    def multiplex(self) -> bool:
        """True when calls share one ControlMaster per host."""
        return os.name == "posix" and self.control_persist > 0 and not _disables_multiplexing(self.options)


def _ssh_option_values(options: Sequence[str]) -> dict[str, str]:
    """`-o Key=Value` / `-oKey Value` settings in an ssh argument list (first one wins, as in ssh)."""
    found: dict[str, str] = {}
    items = list(options)
    for index, arg in enumerate(items):
        text = None
        if arg == "-o" and index + 1 < len(items):
            text = items[index + 1]
        elif arg.startswith("-o") and len(arg) > 2:
            text = arg[2:]
        if not text:
            continue
        key, _, value = text.replace("=", " ", 1).partition(" ")
        found.setdefault(key.strip().lower(), value.strip().lower())
    return found


def _disables_multiplexing(options: Sequence[str]) -> bool:
    values = _ssh_option_values(options)
    return values.get("controlmaster") == "no" or values.get("controlpath") == "none"


def _int_setting(section: dict, key: str, default: int, path: Path, warnings: list[str]) -> int:
    value = section.get(key, default)
    if type(value) is int and value >= 0:
        return value
    warnings.append(f"{path}: ssh.{key} must be a whole number of seconds; {default} used.")
    return default


def load_settings(environ: Mapping[str, str] | None = None, config: ConfigFile | None = None) -> SshSettings:
    """SshSettings from MARIMO_PAIR_SSH_OPTS and config.toml's [ssh]; problems become warnings."""
    env = caller.environ() if environ is None else environ
    config = config or read_config()
    warnings: list[str] = []
    if config.problem is not None:
        warnings.append(f"{config.path}: {config.problem}; [ssh] settings ignored.")
    section, problem = config.section("ssh")
    if problem:
        warnings.append(problem)
    env_options: list[str] = []
    raw_env = env.get(SSH_OPTS_ENV, "")
    if raw_env.strip():
        try:
            env_options = shlex.split(raw_env)
        except ValueError as exc:
            warnings.append(f"{SSH_OPTS_ENV} is not valid shell syntax ({exc}); ignored.")
    config_options = section.get("options", [])
    if isinstance(config_options, str):
        config_options = shlex.split(config_options)
    if not isinstance(config_options, list) or not all(isinstance(o, str) for o in config_options):
        warnings.append(f"{config.path}: ssh.options must be a list of strings; ignored.")
        config_options = []
    hosts = section.get("hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) and h for h in hosts):
        warnings.append(f"{config.path}: ssh.hosts must be a list of ssh destinations; ignored.")
        hosts = []
    return SshSettings(
        # ssh keeps the first value of each option: the environment beats the file.
        options=tuple([*env_options, *config_options]),
        hosts=tuple(hosts),
        control_persist=_int_setting(section, "control_persist", DEFAULT_CONTROL_PERSIST, config.path, warnings),
        connect_timeout=_int_setting(section, "connect_timeout", DEFAULT_CONNECT_TIMEOUT, config.path, warnings)
        or DEFAULT_CONNECT_TIMEOUT,
        warnings=tuple(warnings),
    )
