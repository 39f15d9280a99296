"""How a failed check looks in the notebook (issue 11, point 5): the message first, then the
student's own frames only, never course_utils' (checks.install_display).

An in-process IPython shell stands for the kernel: ipykernel, nbclient (nbgrader validate, `make
check`) and the grader's runner all print tracebacks through the shell's ``InteractiveTB``, which is
what the display wraps. `make check` itself is tested end to end in
tests/autograder/test_student_checks.py.
"""

import pytest
from IPython.core.interactiveshell import InteractiveShell

from course_utils.grading.checks import install_display


@pytest.fixture
def shell():
    """A fresh IPython shell (no colours) whose error outputs are collected in ``shell.errors``."""
    class Shell(InteractiveShell):
        def _showtraceback(self, etype, evalue, stb):
            self.errors.append((etype.__name__, str(evalue), list(stb)))

    InteractiveShell.clear_instance()
    sh = Shell.instance(colors="nocolor")
    sh.errors = []
    # what importing course_utils.grading.checks does in a fresh kernel (this process imported it already)
    assert install_display(sh) is True and install_display(sh) is True
    sh.run_cell("import numpy as np\nfrom course_utils.grading.checks import check_function\n"
                "from course_utils.nn import losses as ref_losses\n"
                "yhat = np.array([[0.8, 0.3, 0.6, 0.1, 0.95]]); y = np.array([[1.0, 0.0, 1.0, 0.0, 1.0]])")
    yield sh
    Shell.clear_instance()


def run(shell, source):
    shell.errors.clear()
    result = shell.run_cell(source, store_history=True)
    assert not result.success and len(shell.errors) == 1  # still an error: nbgrader and the grader see it
    return shell.errors[0]


def test_a_failed_check_shows_its_message_first_and_no_library_frame(shell):
    shell.run_cell("def L2(yhat, y):\n    d = yhat - y\n    return np.dot(d, d.T)")
    ename, evalue, stb = run(shell, "check_function(L2, ref_losses.L2, [(yhat, y)])")
    assert ename == "CheckFailed"
    assert stb[0] == ("CheckFailed: L2 output should be a single number (a float), got a numpy array of shape (1, 1). "
                      "Turn it into a number, e.g. with float(...): np.dot or @ of two 2-D arrays gives a 2-D array, "
                      "even when it holds a single entry.\n  in case 1: L2(array(1, 5), array(1, 5))")
    assert len(stb) == 2 and stb[1].startswith("Cell In[")   # the check cell's own frame, nothing else
    assert "course_utils" not in "".join(stb)


def test_the_students_own_frames_are_kept(shell):
    shell.run_cell("def L1(yhat, y):\n    return np.sum(np.abs(yhat - y), axis=3)")
    ename, evalue, stb = run(shell, "check_function(L1, ref_losses.L1, [(yhat, y)])")
    text = "\n".join(stb)
    assert stb[0] == "AxisError: axis 3 is out of bounds for array of dimension 2"
    assert "in L1(yhat, y)" in text and "return np.sum(np.abs(yhat - y), axis=3)" in text
    assert "course_utils" not in text and "numpy/" not in text


def test_the_stub_says_which_function_and_how_to_run_the_rest(shell):
    shell.run_cell("def L1(yhat, y):\n    # YOUR CODE HERE\n    raise NotImplementedError()")
    ename, evalue, stb = run(shell, "print(L1(yhat, y))")
    assert evalue == ("L1 is not implemented yet: replace `raise NotImplementedError()` in its cell with your code, "
                      "then run that cell.\nIf Run All stopped here: the cells below this one need L1. To run them "
                      "anyway, click the next cell and choose Run > Run Selected Cell and All Below.")
    assert stb[0] == f"NotImplementedError: {evalue}"
    ename, evalue, stb = run(shell, "check_function(L1, ref_losses.L1, [(yhat, y)])")
    assert stb[0] == ("NotImplementedError: L1 is not implemented yet: replace `raise NotImplementedError()` in its "
                      "cell with your code, run that cell, then run this check again.")
    assert len(stb) == 2


def test_other_errors_keep_ipythons_own_traceback(shell):
    ename, evalue, stb = run(shell, "1 / 0")
    assert ename == "ZeroDivisionError" and stb[-1].startswith("ZeroDivisionError")  # message last, as IPython does


def test_outside_ipython_nothing_is_installed():
    class NoShell:
        pass
    assert install_display(NoShell()) is False


def test_a_check_installs_the_display_in_a_shell_started_after_the_import():
    """The grader's runner imports course_utils before it starts the notebook's shell."""
    class Shell(InteractiveShell):
        def _showtraceback(self, etype, evalue, stb):
            self.errors.append(list(stb))

    InteractiveShell.clear_instance()
    sh = Shell.instance(colors="nocolor")
    sh.errors = []
    try:
        sh.run_cell("import numpy as np\nfrom course_utils.grading.checks import check_function\n"
                    "check_function(lambda x: np.array(x), float, [(1.0,)], name='f')", store_history=True)
        assert sh.errors[0][0].startswith("CheckFailed: f output should be a single number (a float), got a 0-d")
        assert "course_utils/" not in "".join(sh.errors[0]) and len(sh.errors[0]) == 2
    finally:
        Shell.clear_instance()
