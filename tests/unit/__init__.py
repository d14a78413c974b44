"""Tests of the student package, upsampling_course, module by module."""
