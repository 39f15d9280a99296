"""The grading engine: ``python -m autograder grade`` (design: ``autograder/README.md``).

Trusted side, in the instructor's process:

- :mod:`~autograder.engine.grade` -- the coordinator: grades its self-test first, builds the
  release and one template per notebook, hands one job per submission to local processes or a
  Dask cluster, and alone writes the gradebook, the CSVs and the feedback.
- :mod:`~autograder.engine.inventory` -- what each student handed in and where: every file
  under the submissions folder is graded, used as a helper file, or named with the reason.
- :mod:`~autograder.engine.canary` -- the grader's self-test: a built-in known-good notebook
  graded where and as the class will be; if it fails, nobody is graded and nobody gets a 0.
- :mod:`~autograder.engine.worker` -- grades one submission (a picklable job): checks and
  assembles its notebooks, runs them in the sandbox, judges, scores, renders feedback.
- :mod:`~autograder.engine.assemble` -- templates from the release and the instructor's
  source; a submission's cells put back into them (tampering is found here).
- :mod:`~autograder.engine.verdicts` -- replays the hidden tests against the reference and
  the results recorded in the sandbox.
- :mod:`~autograder.engine.feedback` -- the page a student reads: verdict first, formulas as
  MathML, hidden tests removed, no paths of the grading machine.
- :mod:`~autograder.engine.report` and :mod:`~autograder.engine.similarity` -- written at the
  end of every run, from what the run wrote: the class report (score distributions, pass
  rates with their failure reasons, flags, grading failures, timings) and the similarity of
  the class's answers per exercise (copydetect).
- :mod:`~autograder.engine.sandbox` -- one bubblewrap sandbox per submission, with limits.

Untrusted side, inside the sandbox:

- :mod:`~autograder.engine.runner` -- ``python -m autograder.engine.runner``: runs the
  notebooks (a forked IPython shell each) and records outputs. It must import nothing of
  the kit beyond ``course_utils``, which is why this file imports nothing.

Shared with the student commands: :mod:`autograder.course` (paths, nbgrader configuration,
the release build) and :mod:`autograder.preprocessors`. Nothing here imports
:mod:`autograder.student`.
"""
