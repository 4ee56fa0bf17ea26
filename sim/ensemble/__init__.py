"""Ensembles: replications, named random streams and (later) executors."""
