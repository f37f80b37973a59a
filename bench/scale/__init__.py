"""The scale data set of issue 10, built by bench/seed_scale.py.

tables.py names every model the seeder writes and writes their rows (the
one place to change when a model moves app or gains a column); plan.py holds
the sizes and shares; seeder.py runs the parts in order; certificates.py,
workflow.py and metrics.py build the large tables."""
