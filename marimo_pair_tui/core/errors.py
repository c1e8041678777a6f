"""One error family for everything that can go wrong talking to marimo.

Each error carries a `kind` (stable, machine-readable), a `message` that says
what happened, and a `next` hint that says what to do about it. The headless
door maps the family to exit codes; the TUI shows message and hint.
"""

from __future__ import annotations

from typing import Any, ClassVar

# Exit codes are part of the headless API; docs/headless.md documents them.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_CONNECTION = 3
EXIT_UNKNOWN_OUTCOME = 4
EXIT_CONFLICT = 5


class PairError(Exception):
    """Base of the family: a message, a next step, and an exit code."""

    kind: ClassVar[str] = "error"
    exit_code: ClassVar[int] = EXIT_FAILED
    default_next: ClassVar[str] = ""

    def __init__(self, message: str, next: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.next = next if next is not None else self.default_next
        self.details = details

    def to_json(self) -> dict[str, Any]:
        """The shape headless prints under `"error"`."""
        payload: dict[str, Any] = {
            "kind": self.kind,
            "message": self.message,
            "next": self.next,
        }
        payload.update(self.details)
        return payload


class UsageError(PairError):
    kind = "usage"
    exit_code = EXIT_USAGE
    default_next = "Run with --help to see the accepted arguments."


class StorageError(UsageError):
    """A file of ours could not be written (full disk, read-only, no permission, something in the
    way): nothing was left half-done, and retrying as it is would fail again."""

    kind = "storage"
    default_next = "Free some space or make the directory writable, or set XDG_STATE_HOME to a writable directory."


class InvalidURLError(UsageError):
    kind = "invalid_url"
    default_next = "Pass a URL such as http://127.0.0.1:2718."


class TokenError(UsageError):
    kind = "token"
    default_next = "Put the token in a file readable only by you and pass --token-file PATH, or set MARIMO_TOKEN."


class InsecureTokenError(TokenError):
    """A token would travel in clear text to a server on another machine."""

    kind = "insecure_token"
    default_next = (
        "Use the server's https:// URL, or reach it through an SSH tunnel (--ssh DEST --url "
        "http://127.0.0.1:PORT, the URL as seen on that host); to send the token in clear text "
        "anyway, pass --allow-insecure-token (or set MARIMO_PAIR_ALLOW_INSECURE_TOKEN=1)."
    )


class NoSessionError(UsageError):
    kind = "no_session"
    default_next = (
        "Open the notebook in a browser, or start one with `marimo edit NOTEBOOK.py`, "
        "then list sessions with `marimo-pair-tui --headless notebooks`."
    )


class NoServerError(UsageError):
    kind = "no_server"
    default_next = (
        "Start one with `marimo edit NOTEBOOK.py`, or name a server with --url URL "
        "(token servers do not register themselves)."
    )


class AmbiguousTargetError(UsageError):
    kind = "ambiguous_target"
    default_next = "Pick one of the candidates with the flag shown next to it."


class StaleSessionError(UsageError):
    kind = "stale_session"
    default_next = (
        "The session was closed or restarted. List sessions again with "
        "`marimo-pair-tui --headless notebooks` and pick the new one."
    )


class KernelStoppedError(UsageError):
    """The session's kernel process died (marimo said so): nothing sent to it would run."""

    kind = "kernel_stopped"
    default_next = "Restart the session (`marimo-pair-tui --headless restart --run` with the same target) for a fresh kernel."


class UnknownSessionError(UsageError):
    kind = "unknown_session"
    default_next = (
        "List the sessions with `marimo-pair-tui --headless notebooks` and pass one of their ids "
        "(or --notebook PATH)."
    )


class ConnectionFailedError(PairError):
    kind = "unreachable"
    exit_code = EXIT_CONNECTION
    default_next = (
        "Check that the server is running (`marimo-pair-tui --headless servers`) "
        "and that the URL and port are right."
    )


class AuthFailedError(PairError):
    kind = "auth_failed"
    exit_code = EXIT_CONNECTION
    default_next = (
        "The server wants a different token: set MARIMO_TOKEN or pass "
        "--token-file PATH with the token the server printed at start."
    )


class NotMarimoError(PairError):
    kind = "not_marimo"
    exit_code = EXIT_CONNECTION
    default_next = "Check the port: something else is listening there. `marimo-pair-tui --headless servers` lists marimo servers."


class ServerError(PairError):
    kind = "server_error"
    exit_code = EXIT_CONNECTION
    default_next = "Look at the marimo server's log; retry once the server is healthy."


class UnsupportedServerError(PairError):
    """The marimo server is older than the oldest version this tool speaks to: refused before
    anything is sent, rather than a session that half works."""

    kind = "unsupported_server"
    exit_code = EXIT_CONNECTION
    default_next = "Upgrade marimo where that server runs (`pip install -U marimo`), then restart the server."

    def skipped(self) -> str:
        """The warning when this server is passed over while others are searched."""
        return f"{self.message} Skipped. {self.next}"


class OutcomeUnknownError(PairError):
    kind = "outcome_unknown"
    exit_code = EXIT_UNKNOWN_OUTCOME
    default_next = (
        "The code may or may not have run; it was not resent. Inspect the notebook "
        "state (e.g. with `status` or by reading the variables) before running it again."
    )


class RunTimedOutError(OutcomeUnknownError):
    """The caller's time limit passed: the request was closed, which interrupts the kernel."""

    kind = "timeout"
    default_next = (
        "The request was closed when the time limit passed, which interrupts marimo's kernel; "
        "whatever ran before that stays done. Inspect the state (`cells`, a quick read) "
        "before running it again, with a larger timeout or none."
    )


class ConflictError(PairError):
    kind = "conflict"
    exit_code = EXIT_CONFLICT
    default_next = (
        "Someone changed the cell since you read it. Read it again, merge, and retry "
        "with the new hash (or --force to overwrite on purpose)."
    )


# -- Cell operations (core/codemode/client.py) ----------------------------------------


class CellNotFoundError(UsageError):
    kind = "cell_not_found"
    default_next = "List the cells with `marimo-pair-tui --headless cells` and address one by its id (or its name)."


class InvalidRequestError(UsageError):
    kind = "invalid_request"


class InvalidUiValueError(InvalidRequestError):
    """A value outside what a UI element accepts (marimo itself would take it and break the element)."""

    kind = "invalid_value"


class PageOutOfRangeError(InvalidRequestError):
    """A table page after the last one (`next` names the last page)."""

    kind = "page_out_of_range"


class UiNotFoundError(InvalidRequestError):
    kind = "ui_not_found"
    default_next = "List the session's UI elements with `ui` (their cell may have re-run) and pass an object id."


class UiNotSettableError(InvalidRequestError):
    """A UI element whose value only a browser makes (an upload, a recording, a chart's selection, ...)."""

    kind = "not_settable"
    default_next = "Set it in a browser; `ui` says which elements set-ui can set (`settable`)."


class ValidationError(PairError):
    """The notebook refused the code; nothing was applied (exit 1, like a failing cell)."""

    kind = "invalid_code"
    default_next = "Nothing was applied. Fix the code and send it again."


class CellSyntaxError(ValidationError):
    kind = "syntax_error"


class MultiplyDefinedError(ValidationError):
    kind = "multiply_defined"
    default_next = (
        "Nothing was applied. Rename the variable (a leading underscore keeps it private "
        "to the cell), or edit the cell that already defines it."
    )


class CycleError(ValidationError):
    kind = "cycle"


class CodeModeError(PairError):
    kind = "codemode_failed"
    default_next = "Nothing was applied. Check the kernel (`status`) and the marimo version (0.25.2 or newer)."


# -- SSH (core/ssh/) -------------------------------------------------------------


class SshError(PairError):
    """ssh itself failed (exit 255); the subclasses say which way."""

    kind = "ssh_failed"
    exit_code = EXIT_CONNECTION
    default_next = (
        "Run `ssh DEST true` by hand to see what ssh says, then fix ~/.ssh/config "
        "or the options in MARIMO_PAIR_SSH_OPTS / the [ssh] section of config.toml."
    )


class SshMissingError(SshError):
    kind = "ssh_missing"
    default_next = (
        "Install the OpenSSH client (Debian/Ubuntu: `apt install openssh-client`; "
        "macOS and Windows 10+ ship it) and make sure `ssh` is on PATH."
    )


class SshUnknownHostError(SshError):
    kind = "ssh_unknown_host"
    default_next = (
        "Check the spelling of DEST: a Host alias from ~/.ssh/config, user@host, or "
        "ssh://user@host:port; `ssh -G DEST` shows what ssh resolves it to."
    )


class SshAuthError(SshError):
    kind = "ssh_auth_failed"
    default_next = (
        "Headless runs never prompt (BatchMode): load your key into ssh-agent (`ssh-add`), "
        "name it with `-i KEY` in MARIMO_PAIR_SSH_OPTS, or log in once with `ssh DEST` to check."
    )


class SshHostKeyError(SshError):
    kind = "ssh_host_key"
    default_next = (
        "Connect once with `ssh DEST` to review and accept the host key (headless never "
        "accepts one on its own), or fix the changed key in ~/.ssh/known_hosts."
    )


class SshUnreachableError(SshError):
    kind = "ssh_unreachable"
    default_next = (
        "Check that the host is up and its sshd listens on that port (`ssh -v DEST true`); "
        "behind a bastion, add a ProxyJump to ~/.ssh/config."
    )


class SshForwardError(SshError):
    kind = "ssh_forward_refused"
    default_next = (
        "Check that marimo still runs on the remote host (`marimo-pair-tui --headless servers "
        "--ssh DEST`) and that its sshd allows TCP forwarding (AllowTcpForwarding)."
    )


class SshDroppedError(SshError):
    kind = "ssh_dropped"
    default_next = (
        "The connection is re-established on the next call (the terminal app reconnects by "
        "itself); if it keeps dropping, check the network or add ServerAliveInterval to ~/.ssh/config."
    )


class NoRemoteRegistryError(NoServerError):
    kind = "no_remote_registry"
    default_next = (
        "Start marimo there (`ssh DEST marimo edit --headless NOTEBOOK.py`); token servers "
        "do not register, so name one with --url (its URL on the remote host) and --token-file."
    )


# -- Pictures of outputs (core/browser/) ------------------------------------------------


class BrowserMissingError(UsageError):
    """No Chromium to draw the notebook with: pictures need a browser the user has."""

    kind = "browser_missing"
    default_next = (
        "Install Chromium (Debian/Ubuntu: `apt install chromium`; or Google Chrome), or name its "
        "program with --browser PATH or the MARIMO_PAIR_BROWSER environment variable."
    )


class PlaywrightMissingError(UsageError):
    """The optional Playwright package, which drives the browser, is not installed."""

    kind = "playwright_missing"
    default_next = (
        "Install the screenshot extra: `pip install 'marimo-pair-tui[screenshot]'` "
        "(Playwright's own browsers are not needed: the installed Chromium is used)."
    )


class NoOutputError(InvalidRequestError):
    """The cell draws nothing in its output area (console output is not part of it)."""

    kind = "no_output"
    default_next = "Run the cell first, or take a picture of the whole notebook; `cells` shows which cells have an output."


class ScreenshotError(PairError):
    """The browser could not show the notebook, or the output did not settle in time; nothing was changed."""

    kind = "screenshot_failed"
    default_next = (
        "Check the notebook in a browser; if a cell is still running, wait until `status` says idle "
        "(MCP: wait_until_idle) and take the picture again."
    )


class BadPatternError(InvalidRequestError):
    """A search pattern that cannot be searched for: an empty one, or a regular expression that does not compile."""

    kind = "bad_pattern"
    default_next = "Fix the pattern, or leave out --regex (MCP: regex=false) to search for the text exactly as written."


class NoTracebackError(UsageError):
    """The kernel keeps no traceback for the cell: a post-mortem has nothing to read."""

    kind = "no_traceback"
    default_next = ("Run the cell again so it fails (`run CELL`); marimo keeps its traceback until the cell runs "
                    "again or the kernel restarts.")


class KernelHeldError(UsageError):
    """A debugger (or an input()) holds the kernel: anything sent now would wait until it is answered."""

    kind = "kernel_held"
    default_next = ("End it first: `answer c` lets a breakpoint() continue, `answer q` ends a post-mortem "
                    "(`status` shows what waits under waiting_for_input).")
