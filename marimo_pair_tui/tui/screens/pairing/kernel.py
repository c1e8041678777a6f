"""The kernel's lifecycle on the pairing screen: restart, input() prompts, missing packages.

f12 restarts the kernel after a dialog that names what is lost; the service
closes the session and makes a new one, and the screen follows the mirror's
"moved" to it, told once (by the restart, not again by the move). A snippet or
cell operation still running on the closed session ends with it (its block
says so; marimo would never answer it). A cell or
snippet that waits on `input()` opens a prompt; esc leaves it waiting (the
status line says so; ctrl+r opens the prompt again, ctrl+t interrupts). A
run that could not import a package offers to install it, once per set of
names.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Iterable

from ....core.errors import PairError
from ....core.service.pairing_service import Changes, OpResult
from ..confirm_packages import ConfirmPackagesScreen
from ..confirm_restart import ConfirmRestartScreen
from ..prompt import PromptScreen

if TYPE_CHECKING:
    from .screen import PairingScreen

MOVE_GRACE = 30.0  # seconds after a restart in which the mirror's move to the new session is not told again


class KernelCommands:
    """Restart (f12), answer input() prompts, install missing packages."""

    def __init__(self, screen: "PairingScreen") -> None:
        self.screen = screen
        self.restarting = False
        self.restarted_to: str | None = None  # the new session's selector until the mirror moved to it
        self._asked: set[tuple[str, int]] = set()  # prompts shown (cell id, console length)
        self.prompting = False  # the prompt dialog is open
        self._prompt: tuple[tuple[str, int], PromptScreen] | None = None  # the open prompt: its key and dialog
        self._withdrawn = False  # the open prompt's input() ended elsewhere (answered, interrupted)
        self._offered: set[tuple[str, ...]] = set()  # sets of missing packages offered
        self.offering = False
        self._pending: tuple[str, ...] = ()  # names to offer once no other dialog is open

    # -- restart ----------------------------------------------------------------------

    def restart(self) -> None:
        if self.restarting:
            self.screen.notify("The kernel is already restarting.", severity="warning")
            return
        self.screen.run_worker(self._restart(), group="restart", exclusive=True)

    @property
    def expecting_move(self) -> bool:
        """A restart of ours is under way or done and the mirror has not told its move yet."""
        return self.restarting or self.restarted_to is not None

    def moved(self) -> bool:
        """The mirror followed a session: True when it was our restart's (told already)."""
        if not self.expecting_move:
            return False
        self.restarted_to = None
        return True

    async def _restart(self) -> None:
        screen = self.screen
        notebook = screen.notebook
        name = screen.target.notebook.rsplit("/", 1)[-1] or "(unsaved)"
        confirmed = await screen.app.push_screen_wait(
            ConfirmRestartScreen(name, len(notebook.declarations), len(notebook.waiting_for_input())))
        if not confirmed:
            return
        self.restarting = True
        doomed = screen.runner.waiting()  # sent to the session the restart closes: never answered
        block = screen.runner.start("restart", "kernel")
        began = time.monotonic()
        try:
            reply = await screen.service.restart(screen.target)
        except Exception as error:
            self.restarting = False
            screen.runner.fail(block, error, began)
            return
        new = reply.value
        if screen.target.session.selector == new.session.selector:
            self.restarted_to = None  # the screen has followed the move already (told it as ours)
        else:  # its "moved" is still to come (the mirror may be there, its message still queued)
            self.restarted_to = new.session.selector
            screen.set_timer(MOVE_GRACE, lambda: self._give_up_move(new.session.selector))
        self.restarting = False
        self._asked.clear()
        screen.runner.abandon(doomed, "ended: the kernel restarted, and its session with it")
        shown = screen.fmt.session(new.session.selector)
        block.line(f"new session {shown}; the kernel's memory is empty, the editor text is kept", "dim")
        block.finish(True, screen.runner.summary("restarted", began))
        screen.notify(f"Kernel restarted: now following the new session {shown}. Its memory is empty; "
                      "the notebook file and the editor text are kept.", title="Kernel restarted", timeout=8)

    def _give_up_move(self, selector: str) -> None:
        """The mirror never told the move to our restart's session: its trouble is told again from now."""
        if self.restarted_to == selector:
            self.restarted_to = None

    # -- input() ----------------------------------------------------------------------

    def model_changed(self, changes: Changes) -> None:
        if not (changes.kernel or changes.cell_ids or changes.scratch):
            return
        self._withdraw_ended_prompt()
        self.check_prompts()
        self.check_packages([*self._pending, *self.screen.notebook.missing_packages])

    def waiting(self) -> list[tuple[str, str, tuple[str, int]]]:
        """What waits for input: (cell label, prompt, key)."""
        notebook = self.screen.notebook
        return [("snippet" if cell is notebook.scratch else cell.label, prompt, (cell.id, len(cell.console)))
                for cell, prompt in notebook.waiting_for_input()]

    def check_prompts(self, *, again: bool = False) -> bool:
        """Open the prompt for the first input() waiting that was not shown yet (`again`: even if it was)."""
        if self.prompting:
            return True
        if self.screen.app.screen is not self.screen and not again:
            return False  # another dialog is open: the next model change asks again
        for label, prompt, key in self.waiting():
            if key in self._asked and not again:
                continue
            self._asked.add(key)
            self.prompting = True
            dialog = PromptScreen(label, prompt)
            self._prompt = (key, dialog)
            self.screen.app.push_screen(dialog, self._answered)
            return True
        return False

    def _withdraw_ended_prompt(self) -> None:
        """Close the prompt whose input() no longer waits (answered from elsewhere, or interrupted)."""
        if self._prompt is None:
            return
        key, dialog = self._prompt
        if any(k == key for _label, _prompt, k in self.waiting()):
            return
        self._withdrawn = True
        dialog.dismiss(None)

    def _answered(self, text: str | None) -> None:
        self.prompting = False
        self._prompt = None
        screen = self.screen
        if self._withdrawn:
            self._withdrawn = False
            screen.update_status()
            return
        if text is None:
            screen.notify("The input() still waits: ctrl+r opens its prompt again, ctrl+t interrupts.",
                          severity="warning", timeout=6)
            screen.update_status()
            return
        screen.run_worker(self._answer(text), group="answer")

    async def _answer(self, text: str) -> None:
        screen = self.screen
        try:
            reply = await screen.service.answer(screen.target, text)
        except PairError as error:
            screen.notify(f"{error.message} {error.next}".strip(), title="Not answered", severity="warning", timeout=8)
            return
        screen.update_status()
        self.check_prompts()  # the next input() may be waiting already

    def status_note(self) -> str | None:
        """For the status line: what waits for input, while no prompt is open."""
        waiting = self.waiting()
        if not waiting or self.prompting:
            return None
        return f"{waiting[0][0]} waits for input()"

    # -- missing packages -----------------------------------------------------------

    def check_result(self, result: OpResult) -> None:
        missing = result.extra.get("missing_packages")
        if isinstance(missing, list):
            self.check_packages([str(m) for m in missing])

    def check_packages(self, names: Iterable[str]) -> None:
        wanted = tuple(sorted(set(names)))
        if not wanted or wanted in self._offered or self.offering:
            return
        if self.screen.app.screen is not self.screen:
            self._pending = wanted  # another dialog is open: offered at the next model change
            return
        self._pending = ()
        self._offered.add(wanted)
        self.offering = True
        self.screen.app.push_screen(ConfirmPackagesScreen(list(wanted)), lambda yes: self._install(wanted, yes))

    def _install(self, names: tuple[str, ...], yes: bool | None) -> None:
        self.offering = False
        screen = self.screen
        if not yes:
            screen.notify(f"Not installed: {', '.join(names)}. The cells that import them fail until they are "
                          "(`marimo-pair-tui --headless packages add NAME`).", timeout=8)
            return
        screen.run_worker(self._add(names), group="packages")

    async def _add(self, names: tuple[str, ...]) -> None:
        screen = self.screen
        result, block = await screen.runner.cell_op(
            "install", ", ".join(names), lambda: screen.service.add_packages(screen.target, list(names)),
            kernel_busy=screen.kernel_busy)
        if result is None:
            return
        outcomes = result.extra.get("packages")
        failed: list[str] = []
        for item in outcomes if isinstance(outcomes, list) else ():
            if isinstance(item, dict):
                ok = item.get("outcome") in ("installed", "ok", "already installed")
                block.line(f"{item.get('name')}: {item.get('outcome')}", "green" if ok else "bold red")
                if not ok:
                    failed.append(str(item.get("name")))
        if failed or not result.success:
            screen.notify(f"Could not install {', '.join(failed or names)}; the results pane says why.",
                          title="Install failed", severity="error", timeout=10)
        else:
            screen.notify(f"Installed {', '.join(names)}. Run the cells that import them again (ctrl+g).",
                          title="Installed", timeout=8)
