"""Tests of the grader, upsampling_grader: a simulated class, batches, shards, the sandbox."""
