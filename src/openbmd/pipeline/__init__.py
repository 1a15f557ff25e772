"""The main job: a scenario in, a complete engagement run out (see :func:`run_scenario`)."""
