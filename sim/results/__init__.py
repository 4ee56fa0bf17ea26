"""Results: tidy tables from recordings, outcomes, the run-folder layout and the manifest."""
