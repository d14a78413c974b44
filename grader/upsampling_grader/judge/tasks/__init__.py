"""One module per assignment: its judge tasks (see ``upsampling_grader.judge.registry``)."""
