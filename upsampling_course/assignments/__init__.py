"""What each graded notebook shows its student: one module per assignment.

A module holds the assignment's ``CHOICES`` (the numbers each student's
variant draws from, see ``upsampling_course.variants``) and what its cells
display from them. The tests that score the answers are not here: they run
in the grader's judge, outside the student's kernel.
"""
