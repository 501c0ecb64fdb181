"""The engine that fills the result tables, one module per step of a recompute.

- `inputs.py`   what a recompute reads, in bulk: its scope, the plan's structure, the figures, the task updates and
                the reports sent
- `compute.py`  the rows from those inputs by the pure maths of `progress/`: targets, tasks, timeliness, rollups
- `rows.py`     those rows, named by their columns
- `bulk.py`     a full run: every input of many plans read in a few queries, every series computed whole and at
                once (numpy), for all of them
- `write.py`    compare them with the stored series and write only the changes
- `schedule.py` which plans and quarters a full run recomputes: the inputs' fingerprints and the fill states
- `run.py`      a recompute: an approval's of one plan (`fill`), a full run's of many (`bulk`); locked, recorded
                (ComputationRun) and their fill states kept

`results.services` holds the entry points the rest of the project calls; `results.fingerprints` sums up a plan's
inputs and holds the engine's version.
"""
